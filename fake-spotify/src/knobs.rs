//! What the fake does besides answering: latency, faults, token lifetime and the app's route
//! mode. Settable from Rust, over `POST /__fake/knobs` (JSON, every field optional) and as
//! flags of the `spotify-mcp-fake` binary.

use serde::{Deserialize, Serialize};

/// When a fault fires, counted over the requests the faults apply to (see
/// [`Knobs::fault_path_prefix`]), starting at 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// Never.
    #[default]
    Off,
    /// On the Nth request only (JSON: `{"nth": 3}`).
    Nth(u64),
    /// On every request.
    Every,
}

impl Trigger {
    /// Whether the fault fires on request number `count` (1-based).
    pub fn fires(self, count: u64) -> bool {
        match self {
            Trigger::Off => false,
            Trigger::Nth(n) => n == count,
            Trigger::Every => true,
        }
    }
}

impl std::str::FromStr for Trigger {
    type Err = String;

    /// `off`, `every`, or a number N (the Nth request).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "off" => Ok(Trigger::Off),
            "every" => Ok(Trigger::Every),
            n => n
                .parse()
                .map(Trigger::Nth)
                .map_err(|_| format!("expected `off`, `every` or a request number, not `{text}`")),
        }
    }
}

/// Which side of Spotify's 2026 route changes this app is on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum RouteMode {
    /// Every route works (an app that may use both).
    #[default]
    Both,
    /// A Development Mode app after February 2026: the operations the spec deprecates answer
    /// `403 Forbidden`; search allows at most 10 items per type.
    CurrentOnly,
    /// An app still on the legacy routes: `/playlists/{id}/items`, `/me/library…` and
    /// `POST /me/playlists` answer `404 Service not found`.
    LegacyOnly,
}

/// Every setting of the fake. `Knobs::default()` is a well-behaved Spotify: no latency, no
/// faults, tokens that live an hour, both route families.
///
/// Over HTTP, `POST /__fake/knobs` takes any subset as JSON and merges it, e.g.
/// `{"latency_ms": 50, "rate_limit": {"nth": 3}, "retry_after_secs": 7200,
/// "route_mode": "current_only", "server_error": "every"}`. Setting knobs (either way)
/// restarts the count the `Nth` triggers use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Knobs {
    /// Seed of the generated catalog (artists, albums, tracks, shows, playlists…). Read at
    /// start only.
    pub seed: u64,
    /// Added to every API and token request before it is answered.
    pub latency_ms: u64,
    /// Lifetime of issued access tokens; expired ones get `401`.
    pub token_lifetime_secs: u64,
    /// Which routes this app may use (the 2026 change).
    pub route_mode: RouteMode,
    /// Player commands answer `404 NO_ACTIVE_DEVICE` and `GET /me/player` answers `204`.
    pub no_active_device: bool,
    /// Faults apply to requests whose path starts with this (default: every `/v1` request; set
    /// `/api/token` to fault the token endpoint). Only these requests are counted.
    pub fault_path_prefix: Option<String>,
    /// `429` with `Retry-After: retry_after_secs` (nothing is changed).
    pub rate_limit: Trigger,
    /// The `Retry-After` value of a rate-limit answer, in seconds.
    pub retry_after_secs: u64,
    /// The `reason` of a rate-limit answer (e.g. `QUOTA_EXCEEDED`), if any.
    pub rate_limit_reason: Option<String>,
    /// A server error with `server_error_status` (nothing is changed).
    pub server_error: Trigger,
    /// Status of a server error (500–599).
    pub server_error_status: u16,
    /// The request is carried out, then the connection is reset (TCP RST) without an answer.
    pub connection_reset: Trigger,
    /// The request is carried out; the answer declares its full `Content-Length` but only half
    /// the bytes are sent before the connection closes.
    pub truncated_body: Trigger,
    /// The request is carried out; the answer is sent `slow_body_chunk_bytes` at a time,
    /// `slow_body_chunk_delay_ms` apart.
    pub slow_body: Trigger,
    /// Bytes per trickled chunk of a slow body.
    pub slow_body_chunk_bytes: usize,
    /// Pause between the chunks of a slow body.
    pub slow_body_chunk_delay_ms: u64,
    /// The request is carried out; the answer is `200` with a body that is not valid JSON.
    pub malformed_json: Trigger,
    /// The request is carried out; a JSON object answer gets a `_padding` string so that it is
    /// `huge_body_bytes` long (valid JSON, still the right shape), sent chunked without a
    /// `Content-Length`.
    pub huge_body: Trigger,
    /// Size of a padded answer (default 10 MiB).
    pub huge_body_bytes: usize,
    /// Requests whose path starts with this are never answered (the connection stays open).
    pub never_answer_path: Option<String>,
    /// Development Mode's user limit (Spotify's is 5): with `Some(n)`, a user token of a user
    /// who is not among the first `n` distinct users to sign in to its client id gets `403` on
    /// every Web API call, as for a user not added in the developer dashboard. Signing in
    /// itself succeeds, as it does at Spotify.
    pub development_mode_user_limit: Option<usize>,
    /// The app's registered redirect URIs: `/authorize` refuses any other. Empty: any URI
    /// Spotify allows (HTTPS, a loopback IP literal over HTTP, an app's own scheme).
    pub redirect_uris: Vec<String>,
}

impl Default for Knobs {
    fn default() -> Self {
        Self {
            seed: 7,
            latency_ms: 0,
            token_lifetime_secs: 3600,
            route_mode: RouteMode::Both,
            no_active_device: false,
            fault_path_prefix: None,
            rate_limit: Trigger::Off,
            retry_after_secs: 1,
            rate_limit_reason: None,
            server_error: Trigger::Off,
            server_error_status: 503,
            connection_reset: Trigger::Off,
            truncated_body: Trigger::Off,
            slow_body: Trigger::Off,
            slow_body_chunk_bytes: 256,
            slow_body_chunk_delay_ms: 50,
            malformed_json: Trigger::Off,
            huge_body: Trigger::Off,
            huge_body_bytes: 10 << 20,
            never_answer_path: None,
            development_mode_user_limit: None,
            redirect_uris: Vec::new(),
        }
    }
}
