//! The operation table: what the middleware and the MCP layer both need to know about each
//! operation, emitted once by `cargo xtask codegen` into `src/spec/generated_operations.rs`.

use crate::prepare::Adjustments;
use crate::routes::{LegacyRoute, Side};
use crate::tools::Tool;

/// One operation, keyed like progenitor's `OperationInfo::operation_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRow {
    /// progenitor's operation name ([`crate::client_operation_name`]).
    pub client_name: String,
    /// The MCP tool that calls it.
    pub tool: String,
    pub method: String,
    pub path: String,
    /// `x-mcp-cache`, defaulting like the tools do.
    pub cache: String,
    /// Safe to repeat (the tool's `idempotentHint`): only such calls are retried.
    pub idempotent: bool,
    /// The media type progenitor cannot send itself (it sends `text/plain`).
    pub body_content_type: Option<String>,
    pub scopes: Vec<String>,
    /// The route family the tool is in, and its side.
    pub route: Option<(String, Side)>,
}

/// One row per tool, in spec order.
pub fn operation_rows(
    tools: &[Tool],
    adjustments: &Adjustments,
    routes: &[LegacyRoute],
) -> Vec<OperationRow> {
    tools
        .iter()
        .map(|tool| OperationRow {
            client_name: tool.client_method.clone(),
            tool: tool.name.clone(),
            method: tool.method.clone(),
            path: tool.path.clone(),
            cache: tool.cache.clone(),
            idempotent: tool.annotations.idempotent,
            body_content_type: adjustments
                .get(&tool.operation_id)
                .and_then(|a| a.body_content_type.clone()),
            scopes: tool.scopes.clone(),
            route: routes.iter().find_map(|route| {
                let (_, side) = route.members().into_iter().find(|(t, _)| *t == tool.name)?;
                Some((route.family.clone(), side))
            }),
        })
        .collect()
}
