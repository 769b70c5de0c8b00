//! A resource read is a tool call: the same Spotify client calls, validation and projection,
//! acting for the request's credentials. Its answer becomes JSON contents with cache hints.

use super::uris::Target;
use crate::credentials::Credentials;
use crate::mcp::server::SpotifyServer;
use crate::spec::CacheClass;
use rmcp::ErrorData;
use rmcp::model::{CacheScope, CallToolResult, ReadResourceResult, ResourceContents};
use serde_json::Value;
use std::sync::Arc;

/// The projected answer of `target` (`None`: Spotify answered with no content, e.g. nothing
/// is playing), or the tool's failure as a protocol error.
pub async fn answer(
    server: &SpotifyServer,
    credentials: Arc<dyn Credentials>,
    target: &Target,
) -> Result<Option<Value>, ErrorData> {
    let arguments = Some(target.arguments.clone());
    let result = server
        .call_as(credentials, target.tool, arguments, None, None)
        .await?;
    if result.is_error == Some(true) {
        return Err(error_of(&result));
    }
    Ok(result.structured_content)
}

/// The contents of a read, with hints: catalog objects may be shared by every cache for as
/// long as the response cache keeps them; the user's own data only by the caller's.
pub fn contents(
    server: &SpotifyServer,
    uri: &str,
    target: &Target,
    answer: Option<Value>,
) -> ReadResourceResult {
    let text = answer.unwrap_or_else(|| serde_json::json!({ "nothing": "Spotify answered with no content (for the player: nothing is playing)" }));
    let contents = ResourceContents::TextResourceContents {
        uri: uri.to_string(),
        mime_type: Some("application/json".into()),
        text: text.to_string(),
        meta: None,
    };
    let mut result = ReadResourceResult::new(vec![contents]);
    let (ttl, scope) = match server.catalog().get(target.tool) {
        Some(entry) => (
            server.api.cache_ttl(entry.def.operation),
            scope_of(entry.def.operation.cache),
        ),
        None => (Default::default(), CacheScope::Private),
    };
    result.ttl_ms = Some(ttl.as_millis() as u64);
    result.cache_scope = Some(scope);
    result
}

fn scope_of(class: CacheClass) -> CacheScope {
    match class {
        CacheClass::Catalog => CacheScope::Public,
        _ => CacheScope::Private,
    }
}

/// A failed tool call as the error of a read: not found when Spotify knows no such thing.
fn error_of(result: &CallToolResult) -> ErrorData {
    let message: String = result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join(" ");
    let status = result
        .structured_content
        .as_ref()
        .and_then(|s| s.get("status"))
        .and_then(Value::as_u64);
    match status {
        Some(400 | 404) => ErrorData::resource_not_found(message, None),
        _ => ErrorData::internal_error(message, None),
    }
}
