//! The three tools of dynamic mode, answered by the server: `find_tools` and `describe_tool`
//! from the catalog, `call_tool` through the same path as a listed tool.

use super::SpotifyServer;
use crate::credentials::Credentials;
use crate::mcp::audit::Actor;
use crate::mcp::dynamic;
use crate::mcp::narrowing::{self, Narrowing};
use rmcp::ErrorData;
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{Map, Value};
use std::sync::Arc;

impl SpotifyServer {
    /// The three tools of dynamic mode.
    pub(super) async fn call_dynamic(
        &self,
        actor: &Actor,
        credentials: Arc<dyn Credentials>,
        name: &str,
        arguments: Map<String, Value>,
        narrowing: Option<&Narrowing>,
    ) -> Result<CallToolResult, ErrorData> {
        let text = |key: &str| arguments.get(key).and_then(Value::as_str);
        let catalog = self.catalog();
        match name {
            dynamic::FIND => {
                let limit = arguments
                    .get("limit")
                    .and_then(Value::as_u64)
                    .unwrap_or(15)
                    .clamp(1, 100) as usize;
                Ok(CallToolResult::structured(dynamic::find(
                    &catalog,
                    text("query"),
                    text("toolset"),
                    limit,
                    narrowing,
                )))
            }
            dynamic::DESCRIBE => {
                let tool = text("name").and_then(|n| {
                    catalog
                        .listed()
                        .find(|e| e.def.name == n && narrowing::admits(narrowing, e.def))
                });
                Ok(match tool {
                    Some(entry) => CallToolResult::structured(dynamic::describe(&entry.tool)),
                    None => CallToolResult::error(vec![ContentBlock::text(format!(
                        "describe_tool failed: no tool named {:?}; find_tools lists them",
                        text("name").unwrap_or_default()
                    ))]),
                })
            }
            _ => {
                let Some(target) = text("name") else {
                    return Ok(CallToolResult::error(vec![ContentBlock::text(
                        "call_tool failed: invalid arguments: `name` (the tool to call) is required",
                    )]));
                };
                if [dynamic::FIND, dynamic::DESCRIBE, dynamic::CALL].contains(&target) {
                    return Ok(CallToolResult::error(vec![ContentBlock::text(
                        "call_tool failed: name a Spotify tool, not call_tool itself",
                    )]));
                }
                let inner = match arguments.get("arguments") {
                    None | Some(Value::Null) => Map::new(),
                    Some(Value::Object(map)) => map.clone(),
                    Some(_) => {
                        return Ok(CallToolResult::error(vec![ContentBlock::text(
                            "call_tool failed: invalid arguments: `arguments` must be an object",
                        )]));
                    }
                };
                self.call_by(actor, credentials, target, Some(inner), None, narrowing)
                    .await
            }
        }
    }
}
