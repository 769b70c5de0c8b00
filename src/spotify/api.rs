//! The narrow interface between the MCP layer and Spotify: a client per tool call, acting for
//! the credentials that call carries, and the few facts the MCP layer needs besides.

use super::client::Client;
use super::hooks::Inner;
use crate::credentials::Credentials;
use crate::middleware::call::{Call, CallFailure};
use crate::middleware::pipeline::Middleware;
use crate::middleware::routes::RouteMemory;
use crate::middleware::served::{CachedRead, Served};
use progenitor_client::ClientInfo;
use std::sync::Arc;
use std::time::Duration;

/// Everything tool calls share: where Spotify is, the HTTP client, the middleware, and the
/// credentials of calls that bring none of their own (all of them, in single-user mode).
#[derive(Clone, Debug)]
pub struct SpotifyApi {
    base_url: String,
    base_path: Arc<str>,
    http: reqwest::Client,
    middleware: Arc<Middleware>,
    default_credentials: Arc<dyn Credentials>,
}

impl SpotifyApi {
    pub fn new(
        base_url: &str,
        http: reqwest::Client,
        middleware: Arc<Middleware>,
        default_credentials: Arc<dyn Credentials>,
    ) -> Self {
        let base_url = base_url.trim_end_matches('/').to_string();
        Self {
            base_path: super::path_guard::base_path(&base_url).into(),
            base_url,
            http,
            middleware,
            default_credentials,
        }
    }

    /// The credentials of calls that bring none of their own.
    pub fn default_credentials(&self) -> &Arc<dyn Credentials> {
        &self.default_credentials
    }

    /// A client for one tool call: every request it makes sends `credentials`' token, and the
    /// call records what served it and why it failed.
    pub fn acting_for(&self, credentials: Arc<dyn Credentials>) -> SpotifyCall {
        let call = Arc::new(Call::new(credentials));
        let inner = Inner {
            middleware: self.middleware.clone(),
            call: call.clone(),
            base_path: self.base_path.clone(),
        };
        let client = Client::new_with_client(&self.base_url, self.http.clone(), inner);
        SpotifyCall { client, call }
    }

    /// Which side of each 2026 route family this app may use.
    pub fn routes(&self) -> &RouteMemory {
        &self.middleware.routes
    }

    /// How long the response cache keeps answers of `operation`'s cache class; zero without a
    /// cache or for a class it does not keep.
    pub fn cache_ttl(&self, operation: &crate::spec::Operation) -> Duration {
        let cache = self.middleware.cache.as_ref();
        cache.and_then(|c| c.ttl(operation)).unwrap_or_default()
    }

    /// The response cache's size in bytes and its longest TTL; `None` without a cache.
    pub fn cache_budget(&self) -> Option<(u64, Duration)> {
        let cache = self.middleware.cache.as_ref()?;
        Some((cache.max_bytes(), cache.longest_ttl()))
    }
}

/// One tool call's view of Spotify.
#[derive(Debug)]
pub struct SpotifyCall {
    client: Client,
    call: Arc<Call>,
}

impl SpotifyCall {
    /// The typed client; its requests act for this call's credentials.
    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn credentials(&self) -> &Arc<dyn Credentials> {
        self.call.credentials()
    }

    /// Whether the response cache still answers `read`'s request, for this call's identity,
    /// with the same body.
    pub async fn still_serves(&self, read: &CachedRead) -> bool {
        let middleware = &self.client.inner().middleware;
        middleware
            .still_serves(read, self.call.credentials().as_ref())
            .await
    }

    /// What served the call's requests so far.
    pub fn take_served(&self) -> Served {
        self.call.take_served()
    }
}

impl Client {
    /// Why this client's call failed on this side of Spotify (no token, an answer too large, …),
    /// once: the generated dispatch code turns it into the tool's error.
    pub fn take_failure(&self) -> Option<CallFailure> {
        self.inner.call.take_failure()
    }
}
