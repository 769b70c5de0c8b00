//! Who a resource request acts for: the credentials and user the transport attached (multi-user
//! mode), else the server's own; which session it belongs to; and which tools it may read
//! through (the server's catalog, the request's narrowing headers, its token's scopes).

use crate::credentials::grant::{describe_scopes, missing_scopes};
use crate::credentials::{CallerCredentials, Credentials};
use crate::mcp::narrowing;
use crate::mcp::server::SpotifyServer;
use crate::store::AccessGrant;
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The credentials of the request's caller, or the server's default ones.
pub fn credentials(
    server: &SpotifyServer,
    context: &RequestContext<RoleServer>,
) -> Arc<dyn Credentials> {
    parts(context)
        .and_then(|parts| parts.extensions.get::<CallerCredentials>())
        .map(|caller| caller.0.clone())
        .unwrap_or_else(|| server.default_credentials().clone())
}

/// The session a request came in, by its `Mcp-Session-Id` (stdio: its single session).
pub fn session(context: &RequestContext<RoleServer>) -> String {
    parts(context)
        .and_then(|parts| parts.headers.get("mcp-session-id"))
        .and_then(|id| id.to_str().ok())
        .unwrap_or("stdio")
        .to_string()
}

fn parts(context: &RequestContext<RoleServer>) -> Option<&http::request::Parts> {
    context.extensions.get::<http::request::Parts>()
}

/// Whether this request may read through `tool`: the server's catalog holds it and the
/// request's narrowing headers (if any) admit it, as for a `tools/call` of it. Lists leave out
/// what it does not admit.
pub fn admitted(server: &SpotifyServer, context: &RequestContext<RoleServer>, tool: &str) -> bool {
    let narrowing = narrowing::of(context);
    server
        .catalog()
        .get(tool)
        .is_some_and(|entry| narrowing::admits(narrowing, entry.def))
}

/// Refuses a read through `tool` that a `tools/call` of it would be refused: outside the
/// server's catalog or this request's narrowing headers, or (multi-user mode) beyond the scopes
/// of the request's token. The transport and the handler check `tools/call` only, and a
/// resource, completion or subscription must not reach what a call of the same tool could not.
pub fn may_use(
    server: &SpotifyServer,
    context: &RequestContext<RoleServer>,
    tool: &str,
) -> Result<(), ErrorData> {
    if !admitted(server, context, tool) {
        return Err(outside(server, context, tool));
    }
    let Some(grant) = parts(context).and_then(|parts| parts.extensions.get::<Arc<AccessGrant>>())
    else {
        return Ok(());
    };
    let required = server
        .catalog()
        .get(tool)
        .map(|entry| entry.def.operation.scopes)
        .unwrap_or_default();
    let granted: BTreeSet<String> = grant.scopes.iter().map(String::from).collect();
    let missing = missing_scopes(required, &granted);
    if missing.is_empty() {
        return Ok(());
    }
    Err(ErrorData::invalid_request(
        format!(
            "this needs {}, which this client's token lacks: authorize the client again with it",
            describe_scopes(&missing)
        ),
        None,
    ))
}

/// The refusal of a read through a tool the request may not call, worded like the refusal of
/// the call itself.
fn outside(server: &SpotifyServer, context: &RequestContext<RoleServer>, tool: &str) -> ErrorData {
    let message = match (server.catalog().get(tool), narrowing::of(context)) {
        (Some(_), Some(_)) => format!(
            "this reads through tool `{tool}`, which is outside the catalog this request narrowed to \
             (its toolsets or read-only headers); call resources/list and resources/templates/list \
             with the same headers to see what it may read"
        ),
        _ => format!(
            "this reads through tool `{tool}`, which this server's catalog does not hold (its \
             --toolsets, --tools or --read-only flags); call resources/list and \
             resources/templates/list to see what it may read"
        ),
    };
    ErrorData::invalid_params(message, None)
}
