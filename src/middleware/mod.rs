//! Hand-written middleware around the generated client, one concern per file. The order a call
//! goes through is in `pipeline.rs`.

pub mod auth;
pub mod cache;
pub mod governor;
pub mod metrics;
pub mod pipeline;
pub mod redis_link;
pub mod routes;
pub mod served;
