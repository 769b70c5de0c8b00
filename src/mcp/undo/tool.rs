//! The hand-written `undo` tool, as `tools/list` shows it.

use rmcp::model::{Tool, ToolAnnotations};
use serde_json::json;

pub const UNDO: &str = "undo";

/// Kept short: it counts toward the catalog's context budget.
pub fn tool() -> Tool {
    let schema = json!({
        "type": "object",
        "properties": { "handle": { "type": "string", "description": "The `undo.handle` a write returned." } },
        "required": ["handle"]
    });
    let serde_json::Value::Object(schema) = schema else {
        unreachable!("a JSON object literal")
    };
    Tool::new(
        UNDO,
        "Reverse a playlist or library removal, replacement or unfollow, by the handle its answer gave (valid 1 h).",
        schema,
    )
    .with_title("Undo")
    .with_annotations(
        ToolAnnotations::with_title("Undo")
            .read_only(false)
            .destructive(false)
            .idempotent(false)
            .open_world(true),
    )
}
