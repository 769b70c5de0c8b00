//! A realistic, deterministic fake of the Spotify Web API and accounts service, over real HTTP
//! on 127.0.0.1, for tests, benchmarks and `spotify-mcp serve --demo`.
//!
//! - **Data**: a catalog generated from a seed (artists, albums of 10–20 tracks, shows,
//!   episodes, audiobooks, chapters) rendered in the shapes of `openapi/spotify.yaml`: ~185
//!   `available_markets`, three images, full paging objects whose links point back at the
//!   fake. Playlists (100 items each), the library and the player are state that writes change.
//!   Any well-formed id gets an answer: ids the catalog does not hold map onto a stable entry.
//! - **Users**: the default user ([`USER_ID`]) and any added with
//!   [`FakeSpotify::add_user`], each with a profile (`id`, `display_name`, `account_id`), a
//!   library, a player and playlists of their own; the catalog is shared. Every token is bound
//!   to the user it was issued for, and user-scoped routes answer from that user's data.
//! - **Accounts**: `POST /api/token` (client_credentials, authorization_code with PKCE S256 or
//!   a client secret and the exact redirect URI, refresh_token) and `GET /authorize`: a consent
//!   page (choose the user, Agree or Cancel; a real form that `POST /authorize` receives) or
//!   a decision queued with [`FakeSpotify::approve_next_as`] / [`FakeSpotify::decline_next`];
//!   tokens expire after [`Knobs::token_lifetime_secs`]; the API answers `401` for unknown or
//!   expired tokens, and `403` past [`Knobs::development_mode_user_limit`] users of one app.
//! - **Knobs** ([`Knobs`]): latency, 429 with `Retry-After`, 5xx, connection resets, slow,
//!   truncated, malformed or huge bodies, a route that never answers, the 2026 route mode.
//! - **Request log** ([`RequestRecord`]): every request with the user it acted for, readable
//!   here and at `GET /__fake/requests`.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use fake_spotify::{FakeSpotify, Knobs, Trigger};
//! let fake = FakeSpotify::start(Knobs::default()).await?;
//! let token = fake.issue_user_token();
//! // point a client at fake.api_url() (…/v1) and fake.url() (accounts) with token.access_token
//! fake.update(|k| k.rate_limit = Trigger::Nth(2));
//! assert!(fake.requests().is_empty());
//! # Ok(()) }
//! ```
//!
//! Admin endpoints (never faulted, never logged): `GET|POST /__fake/knobs` (POST merges the
//! JSON fields given), `GET|DELETE /__fake/requests`, `POST /__fake/tokens` (a fresh token
//! for the default user, or `{"user": id}`), `GET|POST /__fake/users` (list; `{"name": …}`
//! adds one), `POST /__fake/authorize/next` (`{"user": id}` or `{"decline": true}`),
//! `GET /__fake/ids` (some ids of every kind).

mod admin;
mod api;
mod auth;
mod data;
mod faults;
mod knobs;
mod log;
mod server;
mod state;
mod users;

pub use auth::{IssuedToken, TEST_CLIENT_ID};
pub use data::catalog::Kind;
pub use knobs::{Knobs, RouteMode, Trigger};
pub use log::RequestRecord;
pub use state::{FakeUser, Product, USER_ID, USER_NAME, UserKnobs};

use std::net::SocketAddr;
use std::sync::Arc;

/// A running fake. Dropping it stops the server and closes every connection.
pub struct FakeSpotify {
    addr: SocketAddr,
    shared: Arc<server::Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeSpotify {
    /// Binds 127.0.0.1 on a free port and serves until dropped. Must run inside a Tokio runtime.
    pub async fn start(knobs: Knobs) -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), knobs).await
    }

    /// Like [`start`](Self::start) on a given address (port 0: any free port).
    pub async fn start_on(addr: SocketAddr, knobs: Knobs) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(server::Shared::new(addr, knobs));
        let task = tokio::spawn(server::serve(listener, shared.clone()));
        Ok(Self { addr, shared, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The accounts base URL, `http://127.0.0.1:PORT` (token endpoint at `/api/token`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The Web API base URL, `http://127.0.0.1:PORT/v1`.
    pub fn api_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The current knobs.
    pub fn knobs(&self) -> Knobs {
        self.shared.knobs()
    }

    /// Replaces every knob (the seed aside) and restarts the fault request count.
    pub fn set(&self, knobs: Knobs) {
        self.shared.set_knobs(knobs);
    }

    /// Changes some knobs: `fake.update(|k| k.latency_ms = 50)`. Restarts the fault count.
    pub fn update(&self, change: impl FnOnce(&mut Knobs)) {
        let mut knobs = self.knobs();
        change(&mut knobs);
        self.set(knobs);
    }

    /// Every request received so far (admin requests aside), in arrival order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.log.snapshot()
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        self.shared.log.clear();
    }

    /// A token with every scope for the default user, as if they had just logged in.
    pub fn issue_user_token(&self) -> IssuedToken {
        self.shared.issue_user_token()
    }

    /// Ids the catalog holds of one kind, in catalog order.
    pub fn ids(&self, kind: Kind) -> Vec<String> {
        let catalog = &self.shared.catalog;
        (0..catalog.len(kind))
            .map(|i| catalog.id(kind, i).to_string())
            .collect()
    }

    /// Ids of the default user's own playlists (including ones created since the start).
    pub fn own_playlist_ids(&self) -> Vec<String> {
        self.playlist_ids_of(&self.default_user())
    }

    /// The item URIs of a playlist, in order, or `None` if the fake has never seen it.
    pub fn playlist_uris(&self, id: &str) -> Option<Vec<String>> {
        self.shared.with_state(|state| {
            state
                .playlists
                .iter()
                .find(|p| p.id == id)
                .map(|p| p.entries.iter().map(|e| e.uri.clone()).collect())
        })
    }
}

impl Drop for FakeSpotify {
    fn drop(&mut self) {
        self.task.abort();
    }
}
