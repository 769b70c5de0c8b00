//! Multi-user mode's resource server: every `/mcp` request carries `Authorization: Bearer` with
//! a token this server issued, bound to its canonical URI; the token names the user whose
//! Spotify grant the request's calls use (MCP authorization, 2025-11-25).
//!
//! - No token, or one that is unknown, expired, revoked or for another resource: `401` with
//!   `WWW-Authenticate: Bearer resource_metadata="…", scope="…"` (and `error="invalid_token"`
//!   when a token was sent), so the client can discover the authorization server.
//! - A `tools/call` of a tool needing a scope the token lacks: `403` with
//!   `error="insufficient_scope"` and the scopes to ask for.
//! - A user at `--max-inflight-per-user` calls waits briefly, then gets `429`: nobody starves
//!   the others.
//! - An MCP session belongs to the user who opened it: another user's token cannot use it, and
//!   once its owner is forgotten (idle 30 min) nobody can: the client opens a new one.
//!
//! Resolved tokens are remembered for [`TOKEN_CACHE_TTL`] (by the token's SHA-256, never the
//! token): a revocation, `users revoke` or `users delete` reaches a replica that resolved the
//! token within that long at the latest. Expiry is checked on every request.

use super::guarded_body::hold_until_sent;
use super::readiness::Readiness;
use crate::authorization::{AuthorizationServer, DisconnectHook};
use crate::credentials::grant::{describe_scopes, missing_scopes};
use crate::credentials::per_user::UserGrants;
use crate::credentials::{CallerCredentials, Credentials};
use crate::foundation::metrics;
use crate::mcp::{all_tools, dynamic};
use crate::store::{AccessGrant, Refused, StoreError};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// How long a resolved token is trusted without asking the store again: the longest a
/// revocation takes to be honoured by a replica that saw the token just before.
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(30);
/// How long a user's call beyond their limit waits for one of theirs to finish before `429`.
pub const QUEUE_WAIT: Duration = Duration::from_secs(2);
/// Resolved tokens remembered at most (each a few hundred bytes).
const TOKEN_CACHE_ENTRIES: u64 = 100_000;
/// Per-user call limits and session owners are dropped after this long unused.
const IDLE: Duration = Duration::from_secs(30 * 60);
const SESSION_HEADER: &str = "mcp-session-id";

/// What the HTTP transport needs for multi-user mode.
#[derive(Debug, Clone)]
pub struct MultiUser {
    pub authorization: Arc<AuthorizationServer>,
    pub grants: Arc<UserGrants>,
    /// `--max-inflight-per-user`.
    pub max_inflight_per_user: usize,
    /// [`TOKEN_CACHE_TTL`] unless a test wants revocations seen sooner.
    pub token_cache_ttl: Duration,
    /// [`QUEUE_WAIT`] unless a test wants it shorter.
    pub queue_wait: Duration,
    /// How long an idle session's owner is remembered ([`IDLE`] unless a test wants it
    /// shorter); a session whose owner is forgotten is refused, so it must be opened again.
    pub session_owner_idle: Duration,
    /// What `/readyz` checks (`app::multi_user::prepare` names the store and Redis).
    pub readiness: Arc<Readiness>,
}

impl MultiUser {
    pub fn new(
        authorization: Arc<AuthorizationServer>,
        grants: Arc<UserGrants>,
        max_inflight_per_user: usize,
    ) -> Self {
        Self {
            authorization,
            grants,
            max_inflight_per_user,
            token_cache_ttl: TOKEN_CACHE_TTL,
            queue_wait: QUEUE_WAIT,
            session_owner_idle: IDLE,
            readiness: Arc::default(),
        }
    }
}

/// What a token resolved to: remembered, refusals too (a flood of made-up tokens then costs
/// the database one query per token, not one per request).
#[derive(Clone)]
enum Lookup {
    Valid(Arc<AccessGrant>),
    Refused(&'static str),
}

pub struct UserBearer {
    settings: MultiUser,
    resource: String,
    /// `resource_metadata="…", scope="…"`, the tail of every challenge.
    discovery: String,
    tokens: moka::future::Cache<[u8; 32], Lookup>,
    slots: moka::future::Cache<String, Arc<Semaphore>>,
    sessions: moka::future::Cache<String, String>,
    /// Each tool's scopes (any one of them is enough, as for the stored login).
    tool_scopes: HashMap<&'static str, &'static [&'static str]>,
}

impl UserBearer {
    pub fn new(settings: MultiUser) -> Self {
        let server = &settings.authorization.settings;
        let discovery = format!(
            "resource_metadata=\"{}\", scope=\"{}\"",
            server.resource_metadata_url(),
            server.scopes
        );
        let resource = server.resource();
        let sessions = moka::future::Cache::builder()
            .time_to_idle(settings.session_owner_idle)
            .build();
        let tokens = moka::future::Cache::builder()
            .max_capacity(TOKEN_CACHE_ENTRIES)
            .time_to_live(settings.token_cache_ttl)
            .support_invalidation_closures()
            .build();
        settings
            .authorization
            .on_disconnect
            .add(forget_on_disconnect(
                tokens.clone(),
                settings.grants.clone(),
            ));
        Self {
            settings,
            resource,
            discovery,
            tokens,
            slots: moka::future::Cache::builder().time_to_idle(IDLE).build(),
            sessions,
            tool_scopes: all_tools()
                .iter()
                .map(|tool| (tool.name, tool.operation.scopes))
                .collect(),
        }
    }

    /// Whom `token` acts for, from the cache or the store.
    async fn resolve(&self, token: &str) -> Result<Arc<AccessGrant>, Refusal> {
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let lookup = match self.tokens.get(&key).await {
            Some(lookup) => lookup,
            None => {
                let lookup = self.lookup(token).await?;
                self.tokens.insert(key, lookup.clone()).await;
                lookup
            }
        };
        match lookup {
            // Expiry is checked on every use, cached or not.
            Lookup::Valid(grant) if grant.expires_at > crate::credentials::grant::now() as i64 => {
                Ok(grant)
            }
            Lookup::Valid(_) => Err(Refusal::Invalid("the access token has expired")),
            Lookup::Refused(why) => Err(Refusal::Invalid(why)),
        }
    }

    /// The user `token` acts for, exactly as a request resolves it (the token cache, then the
    /// store); `None` when it is refused or the store is down. `cargo xtask bench` times this.
    pub async fn user_of(&self, token: &str) -> Option<String> {
        self.resolve(token)
            .await
            .ok()
            .map(|grant| grant.user_id.clone())
    }

    async fn lookup(&self, token: &str) -> Result<Lookup, Refusal> {
        match self
            .settings
            .authorization
            .store
            .resolve_access_token(token)
            .await
        {
            // RFC 8707: a token for another resource (or another deployment) is no token here.
            Ok(grant) if grant.resource != self.resource => Ok(Lookup::Refused(
                "the access token was issued for another resource",
            )),
            Ok(grant) => Ok(Lookup::Valid(Arc::new(grant))),
            Err(StoreError::Refused(refused)) => Ok(Lookup::Refused(match refused {
                Refused::TokenExpired => "the access token has expired",
                Refused::TokenRevoked => "the access token was revoked",
                _ => "the access token is unknown",
            })),
            Err(error) => {
                tracing::warn!(error = %error, "cannot resolve a bearer token: the store failed");
                Err(Refusal::StoreDown)
            }
        }
    }

    fn unauthorized(&self, presented: bool, why: &str) -> Response {
        metrics::http_refusal("unauthorized");
        let challenge = if presented {
            format!(
                "Bearer error=\"invalid_token\", error_description=\"{why}\", {}",
                self.discovery
            )
        } else {
            format!("Bearer {}", self.discovery)
        };
        let message = if presented {
            format!("{why}: sign in again through your MCP client (it will get a new token)")
        } else {
            "this server needs a bearer token it issued: add it to your MCP client as a remote \
             server with OAuth; the client signs you in with Spotify in the browser"
                .to_string()
        };
        with_challenge(StatusCode::UNAUTHORIZED, &challenge, message)
    }

    /// The scopes `tool` needs that `grant` lacks (empty: none, or an unknown tool that the
    /// MCP handler refuses itself).
    fn missing(&self, tool: &str, grant: &AccessGrant) -> Vec<&'static str> {
        let Some(required) = self.tool_scopes.get(tool) else {
            return Vec::new();
        };
        let granted: BTreeSet<String> = grant.scopes.iter().map(String::from).collect();
        missing_scopes(required, &granted)
    }

    fn insufficient_scope(&self, tool: &str, grant: &AccessGrant, missing: &[&str]) -> Response {
        metrics::http_refusal("insufficient_scope");
        // The scopes the token has plus those needed, so a step-up keeps what it had.
        let wanted: BTreeSet<&str> = grant.scopes.iter().chain(missing.iter().copied()).collect();
        let wanted: Vec<&str> = wanted.into_iter().collect();
        let server = &self.settings.authorization.settings;
        let challenge = format!(
            "Bearer error=\"insufficient_scope\", scope=\"{}\", resource_metadata=\"{}\", \
             error_description=\"the tool needs {}\"",
            wanted.join(" "),
            server.resource_metadata_url(),
            describe_scopes(missing),
        );
        let message = format!(
            "{tool} needs {}, which this client's token lacks: authorize the client again with it",
            describe_scopes(missing)
        );
        with_challenge(StatusCode::FORBIDDEN, &challenge, message)
    }

    /// A place among the user's calls in flight, waiting at most the queue wait for one.
    async fn slot(&self, user_id: &str) -> Option<tokio::sync::OwnedSemaphorePermit> {
        let limit = self.settings.max_inflight_per_user;
        let slots = self
            .slots
            .get_with_by_ref(user_id, async move { Arc::new(Semaphore::new(limit)) })
            .await;
        tokio::time::timeout(self.settings.queue_wait, slots.acquire_owned())
            .await
            .ok()?
            .ok()
    }
}

/// A person who disconnects at `/account` is refused from their next request on: their
/// resolved tokens and their credentials held here go at once (the store revoked the tokens).
fn forget_on_disconnect(
    tokens: moka::future::Cache<[u8; 32], Lookup>,
    grants: Arc<UserGrants>,
) -> DisconnectHook {
    Arc::new(move |user_id: String| {
        let (tokens, grants) = (tokens.clone(), grants.clone());
        Box::pin(async move {
            grants.forget(&user_id).await;
            let theirs = move |_: &[u8; 32], lookup: &Lookup| matches!(lookup, Lookup::Valid(grant) if grant.user_id == user_id);
            if tokens.invalidate_entries_if(theirs).is_err() {
                tokens.invalidate_all();
            }
        })
    })
}

enum Refusal {
    Invalid(&'static str),
    StoreDown,
}

fn with_challenge(status: StatusCode, challenge: &str, message: String) -> Response {
    let mut response = (status, message).into_response();
    if let Ok(value) = HeaderValue::from_str(challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// Outermost on `/mcp`: the bearer token → the user, whose credentials the request carries on.
pub async fn authenticate(
    State(guard): State<Arc<UserBearer>>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(token) = super::auth_guard::bearer(&request) else {
        return guard.unauthorized(false, "no bearer token");
    };
    let grant = match guard.resolve(token).await {
        Ok(grant) => grant,
        Err(Refusal::Invalid(why)) => return guard.unauthorized(true, why),
        Err(Refusal::StoreDown) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "5")],
                "the server cannot check tokens right now (its database is unreachable); retry shortly",
            )
                .into_response();
        }
    };
    let session = request
        .headers()
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    // Every session of this server is opened through here, so one without a known owner is
    // unknown or forgotten (idle too long): either way it may not be used by whoever has its id.
    if let Some(session) = &session
        && guard.sessions.get(session).await.as_ref() != Some(&grant.user_id)
    {
        metrics::http_refusal("foreign_session");
        // As if the session did not exist: nothing tells one user of another's session.
        return (
            StatusCode::NOT_FOUND,
            "no such session; initialize a new one",
        )
            .into_response();
    }
    let credentials = guard.settings.grants.get(&grant.user_id).await;
    let user_id = grant.user_id.clone();
    request
        .extensions_mut()
        .insert(CallerCredentials(credentials as Arc<dyn Credentials>));
    request.extensions_mut().insert(grant);
    let response = next.run(request).await;
    if session.is_none()
        && let Some(opened) = response
            .headers()
            .get(SESSION_HEADER)
            .and_then(|v| v.to_str().ok())
    {
        guard.sessions.insert(opened.to_string(), user_id).await;
    }
    response
}

/// Inside the body limits: a `tools/call` must be covered by the token's scopes, and takes
/// one of its user's places in flight.
pub async fn authorize_call(
    State(guard): State<Arc<UserBearer>>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(grant) = request.extensions().get::<Arc<AccessGrant>>().cloned() else {
        return guard.unauthorized(false, "no bearer token");
    };
    let (parts, body) = request.into_parts();
    // The body limits read it already: this is bytes in memory.
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return (StatusCode::BAD_REQUEST, "cannot read the request body").into_response();
    };
    let tools = called_tools(&bytes);
    for tool in &tools {
        let missing = guard.missing(tool, &grant);
        if !missing.is_empty() {
            return guard.insufficient_scope(tool, &grant, &missing);
        }
    }
    let request = Request::from_parts(parts, Body::from(bytes));
    if tools.is_empty() {
        return next.run(request).await;
    }
    match guard.slot(&grant.user_id).await {
        Some(permit) => hold_until_sent(next.run(request).await, permit),
        None => {
            metrics::http_refusal("user_busy");
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, "1")],
                format!(
                    "you have {} tool calls running (the server's --max-inflight-per-user); \
                     retry when one has finished",
                    guard.settings.max_inflight_per_user
                ),
            )
                .into_response()
        }
    }
}

#[derive(serde::Deserialize)]
struct Envelope {
    method: Option<String>,
}

#[derive(serde::Deserialize)]
struct ToolCall {
    params: CallParams,
}

#[derive(serde::Deserialize)]
struct CallParams {
    name: String,
    #[serde(default)]
    arguments: Option<serde_json::Value>,
}

/// The tools a JSON-RPC message (or batch) calls; in dynamic mode, the tool `call_tool` runs.
fn called_tools(body: &[u8]) -> Vec<String> {
    let calls: Vec<ToolCall> = match body.iter().find(|b| !b.is_ascii_whitespace()) {
        // Batches are rare (MCP dropped them in 2025-06-18): each message as a value.
        Some(b'[') => serde_json::from_slice::<Vec<serde_json::Value>>(body)
            .unwrap_or_default()
            .into_iter()
            .filter(|message| message["method"] == "tools/call")
            .filter_map(|message| serde_json::from_value(message).ok())
            .collect(),
        _ => serde_json::from_slice::<Envelope>(body)
            .ok()
            .filter(|envelope| envelope.method.as_deref() == Some("tools/call"))
            .and_then(|_| serde_json::from_slice(body).ok())
            .into_iter()
            .collect(),
    };
    calls.into_iter().flat_map(tools_of).collect()
}

fn tools_of(call: ToolCall) -> Vec<String> {
    let inner = (call.params.name == dynamic::CALL)
        .then(|| {
            let arguments = call.params.arguments.as_ref()?;
            arguments.get("name")?.as_str().map(String::from)
        })
        .flatten();
    [Some(call.params.name), inner]
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::called_tools;

    #[test]
    fn tool_calls_are_found_in_messages_batches_and_dynamic_calls() {
        let one = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_album","arguments":{"id":"x"}}}"#;
        assert_eq!(called_tools(one), ["get_album"]);
        let escaped =
            br#"{"jsonrpc":"2.0","id":1,"method":"tools\/call","params":{"name":"get_queue"}}"#;
        assert_eq!(called_tools(escaped), ["get_queue"]);
        let batch = br#"[{"jsonrpc":"2.0","method":"notifications/initialized"},
            {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"call_tool","arguments":{"name":"pause_playback"}}}]"#;
        assert_eq!(called_tools(batch), ["call_tool", "pause_playback"]);
        let list = br#"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#;
        assert!(called_tools(list).is_empty());
    }
}
