//! Spec processing shared by `build.rs` (typed client) and `cargo xtask codegen` (MCP tools,
//! the operation table and the route families).
//!
//! Both sides read `openapi/spotify.yaml` through [`spec::load`], and both rely on
//! [`prepare::prepare`] so the client progenitor builds and the tools the xtask derives agree on
//! every adjustment (joined list parameters, dropped empty success codes, body content types).

mod names;
pub mod operations;
pub mod prepare;
pub mod routes;
pub mod schema;
pub mod spec;
pub mod tools;

pub use names::client_operation_name;
pub use operations::{OperationRow, operation_rows};
pub use prepare::{Adjustments, OperationAdjustments, PrepareError, Prepared, prepare};
pub use routes::{LegacyRoute, RouteError, route_families};
pub use spec::{SpecError, load};
pub use tools::{Tool, ToolError, derive_tools};
