//! The accounts service: `/authorize`, `/api/token`, and the tokens it issued.

use crate::server::Shared;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Every scope a Spotify user can grant.
pub const ALL_SCOPES: &str = "ugc-image-upload user-read-playback-state user-modify-playback-state \
user-read-currently-playing app-remote-control streaming playlist-read-private \
playlist-read-collaborative playlist-modify-private playlist-modify-public user-follow-modify \
user-follow-read user-read-playback-position user-top-read user-read-recently-played \
user-library-modify user-library-read user-read-email user-read-private user-personalized";

/// A token the fake issued.
#[derive(Debug, Clone, Serialize)]
pub struct IssuedToken {
    pub access_token: String,
    /// `None` for client-credentials tokens.
    pub refresh_token: Option<String>,
    pub expires_in: u64,
    pub scope: String,
}

struct Access {
    expires: Instant,
    user: bool,
}

#[derive(Default)]
pub(crate) struct Tokens {
    access: Mutex<HashMap<String, Access>>,
    /// Refresh token → its scopes.
    refresh: Mutex<HashMap<String, String>>,
    /// Authorization code → its scopes (each used once).
    codes: Mutex<HashMap<String, String>>,
    counter: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Why a request's token is not accepted.
pub(crate) enum Rejected {
    Missing,
    Unknown,
    Expired,
}

impl Tokens {
    fn fresh(&self, prefix: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        format!("{prefix}{n:04}x{nanos:08x}")
    }

    pub fn issue(
        &self,
        user: bool,
        scope: &str,
        lifetime_secs: u64,
        with_refresh: bool,
    ) -> IssuedToken {
        let access_token = self.fresh(if user { "BQfakeUser" } else { "BQfakeApp" });
        lock(&self.access).insert(
            access_token.clone(),
            Access {
                expires: Instant::now() + Duration::from_secs(lifetime_secs),
                user,
            },
        );
        let refresh_token = with_refresh.then(|| {
            let token = self.fresh("AQfakeRefresh");
            lock(&self.refresh).insert(token.clone(), scope.to_string());
            token
        });
        IssuedToken {
            access_token,
            refresh_token,
            expires_in: lifetime_secs,
            scope: scope.to_string(),
        }
    }

    /// Whether `token` is a live user (true) or app (false) token.
    pub fn check(&self, token: &str) -> Result<bool, Rejected> {
        let access = lock(&self.access);
        match access.get(token) {
            None => Err(Rejected::Unknown),
            Some(a) if a.expires <= Instant::now() => Err(Rejected::Expired),
            Some(a) => Ok(a.user),
        }
    }
}

/// The bearer token of a request, checked.
pub(crate) fn bearer(shared: &Shared, headers: &HeaderMap) -> Result<bool, Rejected> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(Rejected::Missing)?;
    shared.tokens.check(token.trim())
}

fn oauth_error(status: u16, error: &str, description: &str) -> (u16, Option<Value>) {
    (
        status,
        Some(json!({ "error": error, "error_description": description })),
    )
}

/// `POST /api/token`.
pub(crate) fn token_endpoint(
    shared: &Shared,
    headers: &HeaderMap,
    body: &[u8],
) -> (u16, Option<Value>) {
    let form: HashMap<String, String> = form_urlencoded::parse(body).into_owned().collect();
    let basic_client = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(decode_basic);
    let client_id = basic_client.or_else(|| form.get("client_id").cloned());
    if client_id.as_deref().is_none_or(str::is_empty) {
        return oauth_error(400, "invalid_client", "Invalid client");
    }
    let lifetime = shared.knobs().token_lifetime_secs;
    let issued = match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => shared.tokens.issue(false, "", lifetime, false),
        Some("authorization_code") => {
            let code = form.get("code").map(String::as_str).unwrap_or("");
            let Some(scope) = lock(&shared.tokens.codes).remove(code) else {
                return oauth_error(400, "invalid_grant", "Invalid authorization code");
            };
            shared.tokens.issue(true, &scope, lifetime, true)
        }
        Some("refresh_token") => {
            let refresh = form.get("refresh_token").map(String::as_str).unwrap_or("");
            let Some(scope) = lock(&shared.tokens.refresh).get(refresh).cloned() else {
                return oauth_error(400, "invalid_grant", "Invalid refresh token");
            };
            // Like Spotify, a refresh answer may omit the refresh token: the old one stays valid.
            shared.tokens.issue(true, &scope, lifetime, false)
        }
        Some(other) => {
            return oauth_error(
                400,
                "unsupported_grant_type",
                &format!(
                    "grant_type must be client_credentials, authorization_code or refresh_token, not {other}"
                ),
            );
        }
        None => return oauth_error(400, "invalid_request", "grant_type is missing"),
    };
    let mut answer = json!({
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "scope": issued.scope,
    });
    if let Some(refresh) = issued.refresh_token {
        answer["refresh_token"] = json!(refresh);
    }
    (200, Some(answer))
}

/// `GET /authorize`: grants at once and redirects back with a code, as a user clicking
/// "Agree" would.
pub(crate) fn authorize(shared: &Shared, query: Option<&str>) -> Response {
    let params: HashMap<String, String> = query
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let Some(redirect) = params.get("redirect_uri") else {
        return (StatusCode::BAD_REQUEST, "redirect_uri is missing").into_response();
    };
    let code = shared.tokens.fresh("AQfakeCode");
    let scope = params
        .get("scope")
        .cloned()
        .unwrap_or_default()
        .replace(',', " ");
    lock(&shared.tokens.codes).insert(code.clone(), scope);
    let mut location = format!(
        "{redirect}{}code={code}",
        if redirect.contains('?') { '&' } else { '?' }
    );
    if let Some(state) = params.get("state") {
        let state: String = form_urlencoded::byte_serialize(state.as_bytes()).collect();
        location.push_str(&format!("&state={state}"));
    }
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// The client id of an HTTP Basic `client_id:secret` credential.
fn decode_basic(encoded: &str) -> Option<String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.split(':').next().map(str::to_string)
}
