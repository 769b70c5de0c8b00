//! Spec processing shared by `build.rs` (typed client) and `cargo xtask codegen` (MCP tools).
//!
//! Both sides read `openapi/spotify.yaml` through [`spec::load`], and both rely on
//! [`prepare::prepare`] so the client progenitor builds and the tools the xtask derives agree on
//! every adjustment (joined list parameters, dropped empty success codes, body content types).

pub mod prepare;
pub mod schema;
pub mod spec;
pub mod tools;

pub use prepare::{Adjustments, OperationAdjustments, PrepareError, Prepared, prepare};
pub use spec::{SpecError, load};
pub use tools::{Tool, ToolError, derive_tools};

/// The name progenitor gives an operation: its client method, and the `operation_id` the
/// client hooks see in `OperationInfo`. Middleware keys must use this form.
pub fn client_operation_name(operation_id: &str) -> String {
    heck::ToSnakeCase::to_snake_case(operation_id)
}

/// What the runtime middleware needs to know about each operation, keyed like the hooks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRow {
    /// progenitor's operation name ([`client_operation_name`]).
    pub client_name: String,
    pub method: String,
    pub path: String,
    /// `x-mcp-cache`, defaulting like the tools do.
    pub cache: String,
    /// Safe to repeat (the tool's `idempotentHint`): only such calls are retried.
    pub idempotent: bool,
}

/// One row per operation, for `build.rs` to embed in the client.
pub fn operation_rows(tools: &[Tool]) -> Vec<OperationRow> {
    tools
        .iter()
        .map(|tool| OperationRow {
            client_name: tool.client_method.clone(),
            method: tool.method.clone(),
            path: tool.path.clone(),
            cache: tool.cache.clone(),
            idempotent: tool.annotations.idempotent,
        })
        .collect()
}
