//! A tool call's result as the client sees it: the projected answer, or an `isError` result
//! that says what went wrong and what to do.

use super::catalog::Entry;
use super::errors::CallError;
use super::projection::{self, Asked, ResponseOptions, Shapes};
use super::tool_def::ToolDef;
use crate::foundation::excerpt::excerpt_to;
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{Value, json};

/// The longest error message an answer (or the log) carries.
const MAX_ERROR_CHARS: usize = 2_000;

/// Advice for this tool that Spotify's status alone does not give.
fn advice(def: &ToolDef, status: u16, reason: Option<&str>) -> Option<String> {
    match (status, reason, def.replaced_by) {
        (403 | 404, None, Some(replacement)) => Some(format!(
            "Spotify may withhold this endpoint from this app: use `{replacement}` instead."
        )),
        (403, None, None) if !def.operation.scopes.is_empty() => Some(format!(
            "If the login lacks one of the scopes {}, run `spotify-mcp auth login` (it asks for every scope the tools \
             need), approve, and restart the server.",
            def.operation.scopes.join(", ")
        )),
        _ => None,
    }
}

/// An `isError` result: a short message, and for Spotify's errors the same as structured
/// fields (status, reason, advice, and `retry_after_seconds` for rate limits).
pub fn failure(def: &ToolDef, error: CallError) -> CallToolResult {
    // Messages quote arguments short; this bounds the rest, for the answer and the log alike.
    let message = error.to_string();
    let message = excerpt_to(&message, MAX_ERROR_CHARS);
    tracing::info!(tool = def.name, error = %message, "tool call failed");
    let mut text = format!("{} failed: {message}", def.name);
    let structured = match &error {
        CallError::Spotify {
            status,
            message,
            reason,
            retry_after,
        } => {
            let advice = advice(def, status.as_u16(), reason.as_deref());
            if let Some(advice) = &advice {
                text.push(' ');
                text.push_str(advice);
            }
            let mut fields =
                json!({ "status": status.as_u16(), "reason": reason, "message": message });
            if let Some(seconds) = retry_after {
                fields["retry_after_seconds"] = json!(seconds);
            }
            if let Some(advice) = advice {
                fields["advice"] = json!(advice);
            }
            Some(fields)
        }
        _ => None,
    };
    let mut result = CallToolResult::error(vec![ContentBlock::text(text)]);
    result.structured_content = structured;
    result
}

pub fn success(
    body: Option<Value>,
    entry: &Entry,
    asked: Asked<'_>,
    options: &ResponseOptions,
) -> CallToolResult {
    let def = entry.def;
    let Some(value) = body else {
        let text = if def.read_only {
            "Spotify answered with no content: nothing to report (for the player: nothing is playing)."
        } else {
            "Done: Spotify accepted the request."
        };
        return CallToolResult::success(vec![ContentBlock::text(text)]);
    };
    // structuredContent must be an object: lists and scalars go under the wrap key.
    let structured = match (def.output_wrap, value) {
        (Some(key), value) => json!({ key: value }),
        (None, value @ Value::Object(_)) => value,
        (None, other) => json!({ "items": other }),
    };
    let structured = match (entry.output_schema(), entry.rich_output_schema()) {
        (Some(lean), Some(rich)) => {
            projection::project(structured, Shapes { lean, rich }, asked, options)
        }
        _ => structured,
    };
    CallToolResult::structured(structured)
}
