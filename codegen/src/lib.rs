//! Spec processing shared by `build.rs` (typed client) and `cargo xtask codegen` (MCP tools,
//! the operation table and the route families).
//!
//! Both sides read `openapi/spotify.yaml` through [`spec::load`], and both rely on
//! [`prepare::prepare`] so the client progenitor builds and the tools the xtask derives agree on
//! every adjustment (joined list parameters, dropped empty success codes, body content types).

pub mod operations;
pub mod prepare;
pub mod routes;
pub mod schema;
pub mod spec;
pub mod tools;

pub use operations::{OperationRow, operation_rows};
pub use prepare::{Adjustments, OperationAdjustments, PrepareError, Prepared, prepare};
pub use routes::{LegacyRoute, RouteError, route_families};
pub use spec::{SpecError, load};
pub use tools::{Tool, ToolError, derive_tools};

/// The name progenitor gives an operation: its client method, and the `operation_id` the
/// client hooks see in `OperationInfo`. Middleware keys must use this form.
pub fn client_operation_name(operation_id: &str) -> String {
    heck::ToSnakeCase::to_snake_case(operation_id)
}
