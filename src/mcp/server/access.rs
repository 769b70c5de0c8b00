//! Why the credentials of a call cannot use a tool at all, said before anything reaches Spotify.

use crate::credentials::grant::describe_scopes;
use crate::credentials::{AuthMode, Credentials};
use crate::mcp::catalog::Entry;
use crate::spec::CacheClass;

/// The refusal of `entry` for a call acting for `credentials`, if there is one.
pub async fn refusal(entry: &Entry, credentials: &dyn Credentials) -> Option<String> {
    if !entry.missing_scopes.is_empty() {
        return Some(format!(
            "it needs {}, which the stored login lacks. Run `spotify-mcp auth login` (it asks for every \
             scope the tools need), approve in the browser, then restart the server",
            describe_scopes(&entry.missing_scopes)
        ));
    }
    let operation = entry.def.operation;
    let needs_user = !operation.scopes.is_empty() || operation.cache != CacheClass::Catalog;
    if needs_user && credentials.mode().await == AuthMode::App {
        return Some(
            "it acts on a user's account, and the server only has app credentials (SPOTIFY_CLIENT_ID and \
             SPOTIFY_CLIENT_SECRET reach the public catalog). Log in first with `spotify-mcp auth login`, then \
             restart the server"
                .to_string(),
        );
    }
    None
}
