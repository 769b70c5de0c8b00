//! Hand-written middleware around the generated client, one concern per file. The order a call
//! goes through is in `pipeline.rs`.

pub mod cache;
pub mod call;
pub mod governor;
pub mod pipeline;
pub mod routes;
pub mod served;
