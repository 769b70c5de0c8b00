//! One tool call from name and arguments to its result: catalog lookup, refusals, the answer
//! memo, validation, dispatch (with route fallback and `all_pages`), projection. Every call acts
//! for the credentials it is given ([`SpotifyServer::call_as`]).

mod access;
mod confirmed;
mod dynamic_calls;

use super::answer_memo::AnswerMemo;
use super::audit::{self, Actor, AuditTrail};
use super::catalog::{Catalog, Entry};
use super::confirm::Guard;
use super::dynamic;
use super::errors::CallError;
use super::fallback;
use super::generated_tools::{
    ALL_PAGES_ARG, DEFAULT_MAX_ITEMS, FIELDS_ARG, MAX_ITEMS_ARG, MAX_ITEMS_CAP,
};
use super::ids;
use super::in_flight::InFlight;
use super::narrowing::{self, Narrowing};
use super::pagination::{self, Progress};
use super::projection::Asked;
use super::resources::subscriptions::Subscriptions;
use super::results::{failure, success};
use crate::credentials::Credentials;
use crate::foundation::config::{ResourceArgs, ToolMode};
use crate::foundation::excerpt::excerpt;
use crate::foundation::metrics;
use crate::spotify::{SpotifyApi, SpotifyCall};
use arc_swap::ArcSwap;
use rmcp::ErrorData;
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Instant;

#[derive(Clone)]
pub struct SpotifyServer {
    pub(super) api: SpotifyApi,
    /// The tools listed now; swapped whole when the login's scopes change ([`Self::replace_catalog`]).
    catalog: Arc<ArcSwap<Catalog>>,
    pub(super) calls: Arc<InFlight>,
    /// Finished answers of cache hits; none without a cache.
    memo: Option<Arc<AnswerMemo>>,
    /// Where calls that change something at Spotify are recorded; none: not recorded.
    audit: Option<AuditTrail>,
    /// Confirmation of destructive calls and undo; none: destructive calls run as asked.
    guard: Option<Arc<Guard>>,
    /// Who listens to which resource, and the now-playing pollers.
    pub(super) subscriptions: Arc<Subscriptions>,
    /// Who hears that the tool list changed (sessions, listen streams).
    pub(super) tool_list: Arc<super::tool_list_changes::ToolListChanges>,
    /// `all_pages` calls running as tasks, and their results until they expire.
    pub(super) tasks: Arc<super::tasks::store::Tasks>,
}

/// The share of `--cache-max-bytes` the answer memo may hold besides.
const MEMO_SHARE: u64 = 4;

impl SpotifyServer {
    pub fn new(api: SpotifyApi, catalog: Arc<Catalog>) -> Self {
        let memo = api
            .cache_budget()
            .map(|(bytes, ttl)| Arc::new(AnswerMemo::new(bytes / MEMO_SHARE, ttl)));
        Self {
            api,
            catalog: Arc::new(ArcSwap::new(catalog)),
            calls: Arc::default(),
            memo,
            audit: None,
            guard: None,
            subscriptions: Arc::new(Subscriptions::new(
                ResourceArgs::default().now_playing_poll(),
            )),
            tool_list: Arc::default(),
            tasks: Arc::default(),
        }
    }

    /// Polls a user's player state at most once per `interval` while someone is subscribed to
    /// their now-playing resource (`--now-playing-poll-secs`).
    pub fn with_now_playing_poll(mut self, interval: std::time::Duration) -> Self {
        self.subscriptions = Arc::new(Subscriptions::new(interval));
        self
    }

    /// Records every call of a tool that is not read-only in `trail`.
    pub fn with_audit(mut self, trail: AuditTrail) -> Self {
        self.audit = Some(trail);
        self
    }

    /// The catalog as it is now. A call holds the one it started with to its end.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog.load_full()
    }

    /// Puts `catalog` in place of the current one, for this server and its clones; calls already
    /// running finish with the old one.
    pub fn replace_catalog(&self, catalog: Arc<Catalog>) {
        self.catalog.store(catalog);
    }

    /// The calls this server (and its clones) are running, for a graceful shutdown.
    pub fn calls_in_flight(&self) -> Arc<InFlight> {
        self.calls.clone()
    }

    /// The credentials of calls that bring none of their own.
    pub fn default_credentials(&self) -> &Arc<dyn Credentials> {
        self.api.default_credentials()
    }

    /// [`Self::call_as`] with the server's default credentials.
    pub async fn call(
        &self,
        name: &str,
        arguments: Option<Map<String, Value>>,
        progress: Option<Progress>,
        narrowing: Option<&Narrowing>,
    ) -> Result<CallToolResult, ErrorData> {
        let credentials = self.api.default_credentials().clone();
        self.call_as(credentials, name, arguments, progress, narrowing)
            .await
    }

    /// [`Self::call_by`] for no one in particular (recorded with no user and no client).
    pub async fn call_as(
        &self,
        credentials: Arc<dyn Credentials>,
        name: &str,
        arguments: Option<Map<String, Value>>,
        progress: Option<Progress>,
        narrowing: Option<&Narrowing>,
    ) -> Result<CallToolResult, ErrorData> {
        self.call_by(
            &Actor::default(),
            credentials,
            name,
            arguments,
            progress,
            narrowing,
        )
        .await
    }

    /// Runs one tool call, acting for `credentials`, to its result; errors the assistant can act
    /// on become `isError`. A call that may change something is recorded as `actor`'s.
    pub async fn call_by(
        &self,
        actor: &Actor,
        credentials: Arc<dyn Credentials>,
        name: &str,
        arguments: Option<Map<String, Value>>,
        progress: Option<Progress>,
        narrowing: Option<&Narrowing>,
    ) -> Result<CallToolResult, ErrorData> {
        let catalog = self.catalog();
        if catalog.mode == ToolMode::Dynamic
            && [dynamic::FIND, dynamic::DESCRIBE, dynamic::CALL].contains(&name)
        {
            let arguments = arguments.unwrap_or_default();
            return Box::pin(self.call_dynamic(actor, credentials, name, arguments, narrowing))
                .await;
        }
        let entry = entry(&catalog, name, narrowing)?;
        let spotify = self.api.acting_for(credentials);
        let arguments = arguments.unwrap_or_default();
        // Taken before the call: the arguments move into it.
        let recorded = self
            .audit
            .as_ref()
            .filter(|_| !entry.def.read_only)
            .map(|trail| (trail, audit::resources(&arguments)));
        let started = Instant::now();
        let (result, outcome) = self
            .run(&catalog, &spotify, entry, arguments, progress)
            .await;
        if let Some((trail, resource)) = recorded {
            trail.record(audit::event(
                actor,
                entry.def.name,
                resource,
                outcome,
                started.elapsed(),
            ));
        }
        Ok(result)
    }

    async fn run(
        &self,
        catalog: &Catalog,
        spotify: &SpotifyCall,
        entry: &Entry,
        arguments: Map<String, Value>,
        progress: Option<Progress>,
    ) -> (CallToolResult, (&'static str, Option<i64>)) {
        let started = Instant::now();
        let tool = entry.def.name;
        if let Some(refusal) = access::refusal(entry, spotify.credentials().as_ref()).await {
            tracing::info!(tool, "tool call refused: {refusal}");
            metrics::tool_call(tool, "refused", started.elapsed());
            let answer = CallToolResult::error(vec![ContentBlock::text(format!(
                "{tool} is not available: {refusal}"
            ))]);
            return (answer, ("refused", None));
        }
        let fields = fields_argument(&arguments);
        // A list of paths is ours to apply; a string is Spotify's own filter, already applied.
        let asked = match (&fields, arguments.get(FIELDS_ARG)) {
            (Some(paths), _) => Asked::Fields(paths),
            (None, Some(Value::String(_))) => Asked::Rich,
            _ => Asked::Default,
        };
        let all_pages =
            entry.def.paginated && arguments.get(ALL_PAGES_ARG) == Some(&Value::Bool(true));
        // A remembered answer passed validation when it was made: the same arguments, same verdict.
        let memo = match self.memo.as_ref() {
            Some(memo) if entry.def.read_only && !all_pages => {
                let identity = spotify.credentials().identity().await;
                Some((memo, AnswerMemo::key(&identity, tool, &arguments)))
            }
            _ => None,
        };
        if let Some((memo, key)) = &memo
            && let Some(answer) = memo.recall(key, spotify).await
        {
            metrics::tool_call(tool, "ok", started.elapsed());
            return (answer, ("ok", None));
        }
        // Boxed: the dispatch future holds every tool's, and moving it by value overflows the
        // stack of an unoptimized build.
        let outcome = Box::pin(async {
            // Ids reduced from pasted URIs and links, and refused when of the wrong shape.
            let mut arguments = arguments;
            let checked = entry
                .validate(&Value::Object(arguments.clone()))
                .map_err(CallError::InvalidArguments)
                .and_then(|()| ids::check(tool, &mut arguments));
            match checked {
                Err(error) => Err(error),
                Ok(()) if all_pages => {
                    self.all_pages(spotify, entry, arguments, progress.as_ref())
                        .await
                }
                Ok(()) => self.dispatch(spotify, tool, arguments).await,
            }
        })
        .await;
        metrics::tool_call(tool, outcome_label(&outcome), started.elapsed());
        let audited = audit::outcome(&outcome);
        let answer = match outcome {
            Ok(body) => success(body, entry, asked, &catalog.responses),
            Err(error) => failure(entry.def, error),
        };
        if let Some((memo, key)) = memo {
            memo.remember(key, spotify.take_served(), &answer).await;
        }
        (answer, audited)
    }

    /// One call of the generated dispatch code, trying the other route when Spotify withholds
    /// this one from the app (the February 2026 moves).
    async fn dispatch(
        &self,
        spotify: &SpotifyCall,
        name: &str,
        arguments: Map<String, Value>,
    ) -> Result<Option<Value>, CallError> {
        fallback::dispatch(spotify, self.api.routes(), name, arguments)
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
        spotify: &SpotifyCall,
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
            self.dispatch(spotify, entry.def.name, args)
        })
        .await
    }
}

/// The listed tool `name` of `catalog`, if this request may call it.
fn entry<'c>(
    catalog: &'c Catalog,
    name: &str,
    narrowing: Option<&Narrowing>,
) -> Result<&'c Entry, ErrorData> {
    let entry = catalog.get(name).ok_or_else(|| {
        ErrorData::invalid_params(
            format!(
                "unknown tool `{}`; call tools/list to see the available tools",
                excerpt(name)
            ),
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
    Ok(entry)
}

/// The `fields` argument: the dotted paths the caller wants back in full.
fn fields_argument(arguments: &Map<String, Value>) -> Option<Vec<String>> {
    let paths = arguments.get(FIELDS_ARG)?.as_array()?;
    Some(
        paths
            .iter()
            .filter_map(|p| p.as_str().map(String::from))
            .collect(),
    )
}

/// The metric label of a call's outcome.
fn outcome_label(outcome: &Result<Option<Value>, CallError>) -> &'static str {
    match outcome {
        Ok(_) => "ok",
        Err(CallError::InvalidArguments(_) | CallError::InvalidArgument { .. }) => {
            "invalid_arguments"
        }
        Err(CallError::Spotify { .. }) => "spotify_error",
        Err(_) => "error",
    }
}
