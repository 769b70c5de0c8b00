//! Who a resource request acts for: the credentials and user the transport attached (multi-user
//! mode), else the server's own; and which session it belongs to.

use crate::credentials::grant::{describe_scopes, missing_scopes};
use crate::credentials::{CallerCredentials, Credentials};
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

/// Refuses a read through `tool` when the request's token (multi-user mode) lacks the scopes
/// the tool needs: the transport checks `tools/call` only, and a resource, completion or
/// subscription must not reach what a call of the same tool could not.
pub fn may_use(
    server: &SpotifyServer,
    context: &RequestContext<RoleServer>,
    tool: &str,
) -> Result<(), ErrorData> {
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
