//! Who a resource request acts for: the credentials and user the transport attached (multi-user
//! mode), else the server's own; and which session it belongs to.

use crate::credentials::{CallerCredentials, Credentials};
use crate::mcp::server::SpotifyServer;
use rmcp::RoleServer;
use rmcp::service::RequestContext;
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
