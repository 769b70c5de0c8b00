//! The rmcp server handler: lists the catalog and answers tool calls.

use super::answer_memo::AnswerMemo;
use super::catalog::{Catalog, Entry, ToolDef};
use super::dynamic;
use super::errors::CallError;
use super::fallback;
use super::generated_tools::{
    ALL_PAGES_ARG, ARGUMENT_NOTES, DEFAULT_MAX_ITEMS, FIELDS_ARG, MAX_ITEMS_ARG, MAX_ITEMS_CAP,
    PROJECTION_NOTES,
};
use super::in_flight::InFlight;
use super::narrowing::{self, Narrowing};
use super::pagination::{self, Progress};
use super::projection::{self, Asked, ResponseOptions, Shapes};
use crate::auth::grant::describe_scopes;
use crate::config::ToolMode;
use crate::middleware::auth::AuthMode;
use crate::middleware::metrics;
use crate::middleware::served;
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
playlists, shows and audiobooks, manage the user's library and playlists, and control playback.
- Find ids and URIs with search first (apps in development mode get at most 10 results per type).
- Player commands need Spotify Premium and an active device: get_devices lists devices; if none is \
active, ask the user to open Spotify, or move playback with transfer_playback.
- Lists come in pages: pass offset/limit (or the cursor a page names) to read further.
- Answers are trimmed to what matters; a Spotify link is https://open.spotify.com/{type}/{id}.
- Errors say what to do; a rate-limit error carries retry_after_seconds: wait that long, do not retry sooner.
";
const ARGUMENTS_HEADING: &str = "Arguments a tool's schema does not list are refused. Arguments many tools share \
(their tool schemas leave them unexplained):\n";

/// The instructions sent at initialize: the guidance above, how answers are trimmed, and the
/// shared arguments, explained here once instead of in every tool.
pub fn instructions() -> String {
    format!("{INSTRUCTIONS}{PROJECTION_NOTES}{ARGUMENTS_HEADING}{ARGUMENT_NOTES}")
}

#[derive(Clone)]
pub struct SpotifyServer {
    client: Arc<Client>,
    catalog: Arc<Catalog>,
    calls: Arc<InFlight>,
    /// Finished answers of cache hits; none without a cache.
    memo: Option<Arc<AnswerMemo>>,
}

/// The share of `--cache-max-bytes` the answer memo may hold besides.
const MEMO_SHARE: u64 = 4;

impl SpotifyServer {
    pub fn new(client: Arc<Client>, catalog: Arc<Catalog>) -> Self {
        let memo = client.inner().middleware.cache.as_ref().map(|cache| {
            Arc::new(AnswerMemo::new(
                cache.max_bytes() / MEMO_SHARE,
                cache.longest_ttl(),
            ))
        });
        Self {
            client,
            catalog,
            calls: Arc::default(),
            memo,
        }
    }

    /// The calls this server (and its clones) are running, for a graceful shutdown.
    pub fn calls_in_flight(&self) -> Arc<InFlight> {
        self.calls.clone()
    }

    /// Runs one tool call to its result; errors the assistant can act on become `isError`.
    pub async fn call(
        &self,
        name: &str,
        arguments: Option<Map<String, Value>>,
        progress: Option<Progress>,
        narrowing: Option<&Narrowing>,
    ) -> Result<CallToolResult, ErrorData> {
        if self.catalog.mode == ToolMode::Dynamic
            && [dynamic::FIND, dynamic::DESCRIBE, dynamic::CALL].contains(&name)
        {
            return Box::pin(self.call_dynamic(name, arguments.unwrap_or_default(), narrowing))
                .await;
        }
        let entry = self.catalog.get(name).ok_or_else(|| {
            ErrorData::invalid_params(
                format!("unknown tool `{name}`; call tools/list to see the available tools"),
                None,
            )
        })?;
        if !narrowing::admits(narrowing, entry.def) {
            return Err(ErrorData::invalid_params(
                format!(
                    "tool `{name}` is outside the catalog this request narrowed to (its toolsets or read-only \
                     headers); call tools/list with the same headers to see the tools it may call"
                ),
                None,
            ));
        }
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
        let fields: Option<Vec<String>> =
            arguments
                .get(FIELDS_ARG)
                .and_then(Value::as_array)
                .map(|paths| {
                    paths
                        .iter()
                        .filter_map(|p| p.as_str().map(String::from))
                        .collect()
                });
        // A list of paths is ours to apply; a string is Spotify's own filter, already applied.
        let asked = match (&fields, arguments.get(FIELDS_ARG)) {
            (Some(paths), _) => Asked::Fields(paths),
            (None, Some(Value::String(_))) => Asked::Rich,
            _ => Asked::Default,
        };
        let all_pages =
            entry.def.paginated && arguments.get(ALL_PAGES_ARG) == Some(&Value::Bool(true));
        // A remembered answer passed validation when it was made: the same arguments, same verdict.
        let memo = self
            .memo
            .as_ref()
            .filter(|_| entry.def.read_only && !all_pages)
            .map(|memo| (memo, AnswerMemo::key(tool, &arguments)));
        if let Some((memo, key)) = &memo
            && let Some(answer) = memo.recall(key, &self.client.inner().middleware).await
        {
            metrics::tool_call(tool, "ok", started.elapsed());
            return Ok(answer);
        }
        // Boxed: the dispatch future holds every tool's, and moving it by value overflows the
        // stack of an unoptimized build.
        let (outcome, served) = served::recording(Box::pin(async {
            match entry.validate(&Value::Object(arguments.clone())) {
                Err(problems) => Err(CallError::InvalidArguments(problems)),
                Ok(()) if all_pages => self.all_pages(entry, arguments, progress.as_ref()).await,
                Ok(()) => self.dispatch(name, arguments).await,
            }
        }))
        .await;
        let label = match &outcome {
            Ok(_) => "ok",
            Err(CallError::InvalidArguments(_) | CallError::InvalidArgument { .. }) => {
                "invalid_arguments"
            }
            Err(CallError::Spotify { .. }) => "spotify_error",
            Err(_) => "error",
        };
        metrics::tool_call(tool, label, started.elapsed());
        let answer = match outcome {
            Ok(body) => success(body, entry, asked, &self.catalog.responses),
            Err(error) => failure(entry.def, error),
        };
        if let Some((memo, key)) = memo {
            memo.remember(key, served, &answer).await;
        }
        Ok(answer)
    }
}

/// Advice for this tool that Spotify's status alone does not give.
fn advice(def: &ToolDef, status: u16, reason: Option<&str>) -> Option<String> {
    match (status, reason, def.replaced_by) {
        (403 | 404, None, Some(replacement)) => Some(format!(
            "Spotify may withhold this endpoint from this app: use `{replacement}` instead."
        )),
        (403, None, None) if !def.scopes.is_empty() => Some(format!(
            "If the login lacks one of the scopes {}, run `spotify-mcp auth login` (it asks for every scope the tools \
             need), approve, and restart the server.",
            def.scopes.join(", ")
        )),
        _ => None,
    }
}

/// An `isError` result: a short message, and for Spotify's errors the same as structured
/// fields (status, reason, advice, and `retry_after_seconds` for rate limits).
fn failure(def: &ToolDef, error: CallError) -> CallToolResult {
    tracing::info!(tool = def.name, error = %error, "tool call failed");
    let mut text = format!("{} failed: {error}", def.name);
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

impl SpotifyServer {
    /// One call of the generated dispatch code, trying the other route when Spotify withholds
    /// this one from the app (the February 2026 moves).
    async fn dispatch(
        &self,
        name: &str,
        arguments: Map<String, Value>,
    ) -> Result<Option<Value>, CallError> {
        fallback::dispatch(&self.client, name, arguments)
            .await
            .unwrap_or_else(|| {
                Err(CallError::BadRequest(format!(
                    "tool `{name}` has no dispatch code"
                )))
            })
    }

    /// `all_pages: true`: the pages of a list, followed up to `max_items`.
    async fn all_pages(
        &self,
        entry: &Entry,
        mut arguments: Map<String, Value>,
        progress: Option<&Progress>,
    ) -> Result<Option<Value>, CallError> {
        // The instructions give the bounds; the schema leaves them out to save context.
        let max_items = arguments
            .remove(MAX_ITEMS_ARG)
            .and_then(|v| v.as_i64())
            .map_or(DEFAULT_MAX_ITEMS, |n| {
                n.clamp(1, MAX_ITEMS_CAP as i64) as u64
            }) as usize;
        arguments.remove(ALL_PAGES_ARG);
        let schema: Value = serde_json::from_str(entry.def.input_schema).unwrap_or_default();
        let inputs = schema["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        // Fewer, larger pages: the tool's own maximum page size unless the caller chose one.
        if !arguments.contains_key("limit")
            && let Some(largest) = inputs.get("limit").and_then(|l| l["maximum"].as_u64())
        {
            arguments.insert(
                "limit".into(),
                Value::from(largest.min(max_items as u64).max(1)),
            );
        }
        pagination::collect(arguments, &inputs, max_items, progress, |args| {
            self.dispatch(entry.def.name, args)
        })
        .await
    }

    /// The three tools of dynamic mode.
    async fn call_dynamic(
        &self,
        name: &str,
        arguments: Map<String, Value>,
        narrowing: Option<&Narrowing>,
    ) -> Result<CallToolResult, ErrorData> {
        let text = |key: &str| arguments.get(key).and_then(Value::as_str);
        match name {
            dynamic::FIND => {
                let limit = arguments
                    .get("limit")
                    .and_then(Value::as_u64)
                    .unwrap_or(15)
                    .clamp(1, 100) as usize;
                Ok(CallToolResult::structured(dynamic::find(
                    &self.catalog,
                    text("query"),
                    text("toolset"),
                    limit,
                    narrowing,
                )))
            }
            dynamic::DESCRIBE => {
                let tool = text("name").and_then(|n| {
                    self.catalog
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
                self.call(target, Some(inner), None, narrowing).await
            }
        }
    }

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

fn success(
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

impl ServerHandler for SpotifyServer {
    fn get_info(&self) -> ServerConfig {
        let mut info = ServerConfig::new(ServerCapabilities::builder().enable_tools().build());
        info.protocol_version = ProtocolVersion::LATEST_WITH_INITIALIZE;
        info.server_info = Implementation::new("spotify-mcp", env!("CARGO_PKG_VERSION"));
        info.instructions = Some(instructions());
        info
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let narrowing = narrowing_of(&context);
        Ok(ListToolsResult::with_all_items(match self.catalog.mode {
            ToolMode::Static => self
                .catalog
                .listed()
                .filter(|e| narrowing::admits(narrowing, e.def))
                .map(|e| e.tool.clone())
                .collect(),
            ToolMode::Dynamic => dynamic::tools(&self.catalog),
        }))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let progress = context.meta.get_progress_token().map(|token| Progress {
            peer: context.peer.clone(),
            token,
        });
        let Some(_running) = self.calls.enter() else {
            return Ok(CallToolResult::error(vec![ContentBlock::text(
                "the server is shutting down and takes no new calls; retry once it is back (or on another replica)",
            )])
            .into());
        };
        self.call(
            &request.name,
            request.arguments,
            progress,
            narrowing_of(&context),
        )
        .await
        .map(CallToolResponse::from)
    }

    fn get_tool(&self, name: &str) -> Option<rmcp::model::Tool> {
        self.catalog.get(name).map(|entry| entry.tool.clone())
    }
}

/// The narrowing the HTTP transport attached to this request, if any (stdio has none).
fn narrowing_of(context: &RequestContext<RoleServer>) -> Option<&Narrowing> {
    context
        .extensions
        .get::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Narrowing>())
}
