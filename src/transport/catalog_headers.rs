//! Per-request catalog headers: a client may narrow the tools it sees and calls below what the
//! server's flags allow (never widen). Parsed here; applied by the MCP layer
//! ([`crate::mcp::narrowing`]), which finds the result in the request's extensions.

use crate::mcp::narrowing::Narrowing;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Comma-separated toolsets, e.g. `player,search` (`all`: no narrowing by toolset).
pub const TOOLSETS_HEADER: &str = "x-mcp-toolsets";
/// `true`: only tools that change nothing. `false` changes nothing.
pub const READ_ONLY_HEADER: &str = "x-mcp-read-only";

fn values(headers: &HeaderMap, name: &str) -> Result<Option<String>, String> {
    let mut joined: Option<String> = None;
    for value in headers.get_all(name) {
        let text = value
            .to_str()
            .map_err(|_| format!("the {name} header is not text"))?;
        joined = Some(match joined {
            Some(before) => format!("{before},{text}"),
            None => text.to_string(),
        });
    }
    Ok(joined)
}

fn parse(headers: &HeaderMap) -> Result<Option<Narrowing>, String> {
    let toolsets = values(headers, TOOLSETS_HEADER)?;
    let read_only = values(headers, READ_ONLY_HEADER)?;
    if toolsets.is_none() && read_only.is_none() {
        return Ok(None);
    }
    let read_only = match read_only.as_deref().map(|v| v.trim().to_ascii_lowercase()) {
        None => false,
        Some(v) if ["true", "1", "yes"].contains(&v.as_str()) => true,
        Some(v) if ["false", "0", "no"].contains(&v.as_str()) => false,
        Some(v) => {
            return Err(format!(
                "{READ_ONLY_HEADER} must be true or false, not `{v}`"
            ));
        }
    };
    let toolsets: Vec<String> = toolsets
        .iter()
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    Narrowing::new(toolsets, read_only)
        .map(Some)
        .map_err(|e| format!("{TOOLSETS_HEADER}: {e}"))
}

pub async fn narrow_catalog(mut request: Request, next: Next) -> Response {
    match parse(request.headers()) {
        Ok(None) => next.run(request).await,
        Ok(Some(narrowing)) => {
            request.extensions_mut().insert(narrowing);
            next.run(request).await
        }
        Err(message) => (StatusCode::BAD_REQUEST, message).into_response(),
    }
}
