//! The rmcp server handler: lists the catalog and answers tool calls.

use super::catalog::{Catalog, Entry, ToolDef};
use super::errors::CallError;
use super::fallback;
use crate::auth::grant::describe_scopes;
use crate::middleware::auth::AuthMode;
use crate::middleware::metrics;
use crate::spotify::Client;
use progenitor_client::ClientInfo;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ProtocolVersion, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::Instant;

const INSTRUCTIONS: &str = "Tools for the Spotify Web API: search the catalog, read albums, artists, tracks, \
playlists, shows and audiobooks, manage the user's library and playlists, and control playback. \
Use search to find ids or URIs first. Player commands need Spotify Premium and an active device \
(get_devices lists them). Each tool's description names the OAuth scopes it needs.";

#[derive(Clone)]
pub struct SpotifyServer {
    client: Arc<Client>,
    catalog: Arc<Catalog>,
}

impl SpotifyServer {
    pub fn new(client: Arc<Client>, catalog: Arc<Catalog>) -> Self {
        Self { client, catalog }
    }

    /// Runs one tool call to its result; errors the assistant can act on become `isError`.
    pub async fn call(
        &self,
        name: &str,
        arguments: Option<Map<String, Value>>,
    ) -> Result<CallToolResult, ErrorData> {
        let entry = self.catalog.get(name).ok_or_else(|| {
            ErrorData::invalid_params(
                format!("unknown tool `{name}`; call tools/list to see the available tools"),
                None,
            )
        })?;
        let started = Instant::now();
        let tool = entry.def.name;
        let arguments = arguments.unwrap_or_default();
        if let Some(refusal) = self.refusal(entry).await {
            tracing::info!(tool, "tool call refused: {refusal}");
            metrics::tool_call(tool, "refused", started.elapsed());
            return Ok(CallToolResult::error(vec![ContentBlock::text(format!(
                "{name} is not available: {refusal}"
            ))]));
        }
        let outcome = match entry.validate(&Value::Object(arguments.clone())) {
            Err(problems) => Err(CallError::InvalidArguments(problems)),
            Ok(()) => {
                // Tries the other route when Spotify withholds this one from the app (2026 moves).
                match fallback::dispatch(&self.client, name, arguments).await {
                    Some(outcome) => outcome,
                    None => {
                        return Err(ErrorData::internal_error(
                            format!("tool `{name}` has no dispatch code"),
                            None,
                        ));
                    }
                }
            }
        };
        let label = match &outcome {
            Ok(_) => "ok",
            Err(CallError::InvalidArguments(_) | CallError::InvalidArgument { .. }) => {
                "invalid_arguments"
            }
            Err(CallError::Spotify { .. }) => "spotify_error",
            Err(_) => "error",
        };
        metrics::tool_call(tool, label, started.elapsed());
        Ok(match outcome {
            Ok(body) => success(body, entry.def),
            Err(error) => failure(name, error),
        })
    }
}

/// An `isError` result; a rate limit also says, as structured content, when to try again.
fn failure(name: &str, error: CallError) -> CallToolResult {
    tracing::info!(tool = name, error = %error, "tool call failed");
    let mut result =
        CallToolResult::error(vec![ContentBlock::text(format!("{name} failed: {error}"))]);
    if let CallError::Spotify {
        status,
        reason,
        retry_after: Some(seconds),
        ..
    } = &error
    {
        result.structured_content = Some(json!({
            "status": status.as_u16(),
            "reason": reason,
            "retry_after_seconds": seconds,
        }));
    }
    result
}

impl SpotifyServer {
    /// Why this login cannot use the tool at all, before any call to Spotify.
    async fn refusal(&self, entry: &Entry) -> Option<String> {
        if !entry.missing_scopes.is_empty() {
            return Some(format!(
                "it needs {}, which the stored login lacks. Run `spotify-mcp auth login` (it asks for every \
                 scope the tools need), approve in the browser, then restart the server",
                describe_scopes(&entry.missing_scopes)
            ));
        }
        let needs_user = !entry.def.scopes.is_empty() || entry.def.cache != "catalog";
        if needs_user && self.client.inner().tokens.mode().await == AuthMode::App {
            return Some(
                "it acts on a user's account, and the server only has app credentials (SPOTIFY_CLIENT_ID and \
                 SPOTIFY_CLIENT_SECRET reach the public catalog). Log in first with `spotify-mcp auth login`, then \
                 restart the server"
                    .to_string(),
            );
        }
        None
    }
}

fn success(body: Option<Value>, def: &ToolDef) -> CallToolResult {
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
    CallToolResult::structured(structured)
}

impl ServerHandler for SpotifyServer {
    fn get_info(&self) -> ServerConfig {
        let mut info = ServerConfig::new(ServerCapabilities::builder().enable_tools().build());
        info.protocol_version = ProtocolVersion::LATEST_WITH_INITIALIZE;
        info.server_info = Implementation::new("spotify-mcp", env!("CARGO_PKG_VERSION"));
        info.instructions = Some(INSTRUCTIONS.into());
        info
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.catalog.tools()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        self.call(&request.name, request.arguments)
            .await
            .map(CallToolResponse::from)
    }

    fn get_tool(&self, name: &str) -> Option<rmcp::model::Tool> {
        self.catalog.get(name).map(|entry| entry.tool.clone())
    }
}
