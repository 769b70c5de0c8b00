//! Notices a new login while the server runs (`spotify-mcp auth login` again, with other
//! scopes): once per `--login-recheck-secs` the server's credentials look for a newer stored
//! grant, and when the granted scopes differ from the catalog's, the catalog is rebuilt with
//! them and the clients are told (`notifications/tools/list_changed`).
//!
//! It also brings the first login to a server started before `auth login` (no credentials,
//! a token file to come): the login's scopes replace the catalog's "everything".
//!
//! Single-user mode with a stored login, or awaiting one, only: multi-user mode's listing does
//! not depend on a login (each caller brings their own grant), and a raw token or app
//! credentials have no scopes to change.

use super::catalog::{Catalog, CatalogOptions};
use super::server::SpotifyServer;
use super::tool_table::all_tools;
use crate::credentials::AuthMode;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// The running watcher; dropping it stops it.
#[derive(Debug)]
pub struct CatalogWatch(JoinHandle<()>);

impl Drop for CatalogWatch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts watching the stored login of `server`'s default credentials, `every` apart, and
/// declares `tools.listChanged` to sessions that start from now on. `options` are the ones the
/// current catalog was built with; rebuilt catalogs keep them but for the scopes.
pub fn spawn(server: &SpotifyServer, options: CatalogOptions, every: Duration) -> CatalogWatch {
    server.tool_list.declare(every);
    CatalogWatch(tokio::spawn(watch(server.clone(), options, every)))
}

/// One check per `every`, never per request: a file read or one Redis GET, then a lock.
async fn watch(server: SpotifyServer, mut options: CatalogOptions, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is immediate: the catalog was just built from the login (or its absence).
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let credentials = server.default_credentials().clone();
        credentials.reload().await;
        // Scopes can also change through a refresh or a grant adopted at refresh time.
        let Some(granted) = scopes_of(credentials.mode().await) else {
            continue;
        };
        if options.granted_scopes.as_ref() == Some(&granted) {
            continue;
        }
        tracing::info!(
            scopes = granted.len(),
            "the stored login's scopes changed; the tool list follows"
        );
        options.granted_scopes = Some(granted);
        server.replace_catalog(Arc::new(Catalog::new(all_tools(), &options)));
        server.tool_list.announce();
    }
}

/// The scopes of a stored login; `None` for any other kind of credentials (or a broken store).
fn scopes_of(mode: AuthMode) -> Option<BTreeSet<String>> {
    match mode {
        AuthMode::User(scopes) => Some(scopes),
        _ => None,
    }
}
