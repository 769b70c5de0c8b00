//! The authorization server's configuration and shared state.

use crate::credentials::oauth::OAuth;
use crate::foundation::sealed::GrantKeys;
use crate::store::{Scopes, Store, TokenLifetimes};
use futures::future::BoxFuture;
use std::sync::{Arc, Mutex};

/// Paths of the routes, relative to [`Settings::issuer`].
pub mod paths {
    pub const MCP: &str = "/mcp";
    pub const RESOURCE_METADATA: &str = "/.well-known/oauth-protected-resource";
    pub const SERVER_METADATA: &str = "/.well-known/oauth-authorization-server";
    pub const REGISTER: &str = "/register";
    pub const AUTHORIZE: &str = "/authorize";
    /// Where Spotify sends the person back: register `<public URL>/callback` in the Spotify app.
    pub const SPOTIFY_CALLBACK: &str = "/callback";
    pub const CONSENT: &str = "/consent";
    pub const TOKEN: &str = "/token";
    pub const REVOKE: &str = "/revoke";
    pub const ACCOUNT: &str = "/account";
}

/// What the authorization server is configured with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// This server's public URL without a trailing slash (`--public-url`): the issuer, and the
    /// base of every endpoint.
    pub issuer: String,
    /// Every scope the served tools may need: what a person is asked to grant at Spotify and
    /// what clients may ask of this server.
    pub scopes: Scopes,
    pub lifetimes: TokenLifetimes,
    /// Tests only: client metadata documents may live on loopback or private addresses.
    pub allow_private_client_metadata: bool,
    /// Spotify's Web API (`--api-base-url`), for the signed-in person's profile (`GET /me`).
    pub api_base_url: String,
}

impl Settings {
    /// The absolute URL of one of [`paths`].
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    /// The canonical URI of the protected resource (RFC 8707): tokens are bound to it.
    pub fn resource(&self) -> String {
        self.url(paths::MCP)
    }

    /// Where the protected resource metadata of `/mcp` is (RFC 9728's path insertion).
    pub fn resource_metadata_url(&self) -> String {
        format!("{}{}", self.url(paths::RESOURCE_METADATA), paths::MCP)
    }
}

/// The authorization server's shared state.
pub struct AuthorizationServer {
    pub settings: Settings,
    pub store: Store,
    /// Spotify's accounts service, with `<issuer>/callback` as the redirect URI.
    pub spotify: OAuth,
    /// Seals what travels through the browser (pending requests, the account cookie).
    pub keys: Arc<GrantKeys>,
    /// What this process holds of a person, dropped when they disconnect at `/account`.
    pub on_disconnect: DisconnectHooks,
}

/// Forgets what a process holds of one user (given the store's user id).
pub type DisconnectHook = Arc<dyn Fn(String) -> BoxFuture<'static, ()> + Send + Sync>;

/// The hooks `/account/disconnect` runs after the store forgot the person: the resource
/// server's resolved tokens and the person's credentials would otherwise outlive the grant.
#[derive(Default)]
pub struct DisconnectHooks(Mutex<Vec<DisconnectHook>>);

impl DisconnectHooks {
    pub fn add(&self, hook: DisconnectHook) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(hook);
    }

    /// Runs every hook for `user_id`, one after the other.
    pub async fn run(&self, user_id: &str) {
        let hooks = self.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
        for hook in hooks {
            hook(user_id.to_string()).await;
        }
    }
}

impl std::fmt::Debug for AuthorizationServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizationServer")
            .field("issuer", &self.settings.issuer)
            .finish_non_exhaustive()
    }
}
