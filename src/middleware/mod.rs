//! Hand-written middleware around the generated client, one concern per file.

pub mod auth;
