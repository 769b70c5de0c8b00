//! Tables derived from `openapi/spotify.yaml` by `cargo xtask codegen`: one row per operation
//! (what the middleware and the MCP layer both need), and the route families Spotify moved in
//! 2026 (what the MCP route fallback needs). Lookups are by hash, once per call.

// Written by prettyplease; `cargo xtask codegen --check` compares it byte for byte.
#[rustfmt::skip]
pub mod generated_operations;

mod types;

use generated_operations::{LEGACY_ROUTES, OPERATIONS};
use std::collections::HashMap;
use std::sync::LazyLock;
pub use types::*;

static BY_ID: LazyLock<HashMap<&'static str, &'static Operation>> =
    LazyLock::new(|| OPERATIONS.iter().map(|op| (op.id, *op)).collect());

static BY_TOOL: LazyLock<HashMap<&'static str, &'static Operation>> =
    LazyLock::new(|| OPERATIONS.iter().map(|op| (op.tool, *op)).collect());

/// The operation progenitor names `id` (`OperationInfo::operation_id`).
pub fn operation(id: &str) -> Option<&'static Operation> {
    BY_ID.get(id).copied()
}

/// The operation the tool `name` calls.
pub fn tool_operation(name: &str) -> Option<&'static Operation> {
    BY_TOOL.get(name).copied()
}

/// The legacy route of the tool `legacy`.
pub fn legacy_route(legacy: &str) -> Option<&'static LegacyRoute> {
    LEGACY_ROUTES.iter().find(|route| route.legacy == legacy)
}

/// The legacy routes whose current counterpart is the tool `current`, in spec order.
pub fn legacy_routes_to(current: &str) -> impl Iterator<Item = &'static LegacyRoute> + '_ {
    LEGACY_ROUTES
        .iter()
        .filter(move |route| route.current == current)
}
