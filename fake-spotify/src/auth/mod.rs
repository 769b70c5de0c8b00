//! The accounts service: `/authorize` (a consent page, or a decision a test queued),
//! `/api/token`, and the tokens it issued, each bound to the user it was issued for.

mod authorize;
mod page;
mod token;

pub(crate) use authorize::{Decision, authorize_get, authorize_post};
pub(crate) use token::token_endpoint;

use crate::server::Shared;
use axum::http::{HeaderMap, header};
use serde::Serialize;
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

/// The client id of tokens a test asks for directly (not through `/authorize`).
pub const TEST_CLIENT_ID: &str = "fake-test-client";

/// How long an authorization code can be exchanged.
const CODE_LIFETIME: Duration = Duration::from_secs(600);

/// A token the fake issued.
#[derive(Debug, Clone, Serialize)]
pub struct IssuedToken {
    pub access_token: String,
    /// `None` for client-credentials tokens.
    pub refresh_token: Option<String>,
    pub expires_in: u64,
    pub scope: String,
    /// The id of the user the token acts for; `None` for client-credentials tokens.
    pub user: Option<String>,
}

/// Whom a token was issued to: an app alone, or a user of an app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Holder {
    App,
    User { id: String, client_id: String },
}

impl Holder {
    pub fn user(&self) -> Option<&str> {
        match self {
            Holder::App => None,
            Holder::User { id, .. } => Some(id),
        }
    }
}

struct Access {
    expires: Instant,
    holder: Holder,
}

struct Refresh {
    scope: String,
    user: String,
    client_id: String,
}

/// What an authorization code stands for until it is exchanged (once).
pub(crate) struct Code {
    pub scope: String,
    pub user: String,
    pub client_id: String,
    pub redirect_uri: String,
    /// The PKCE `code_challenge` (S256), if the request had one.
    pub challenge: Option<String>,
    pub expires: Instant,
}

#[derive(Default)]
pub(crate) struct Tokens {
    access: Mutex<HashMap<String, Access>>,
    refresh: Mutex<HashMap<String, Refresh>>,
    codes: Mutex<HashMap<String, Code>>,
    /// Per client id, the users who signed in to it, in order (Development Mode's allowlist).
    clients: Mutex<HashMap<String, Vec<String>>>,
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

    /// A token for `holder`; a user's comes with a refresh token when `with_refresh`.
    pub fn issue(
        &self,
        holder: Holder,
        scope: &str,
        lifetime_secs: u64,
        with_refresh: bool,
    ) -> IssuedToken {
        let user = holder.user().map(str::to_string);
        let access_token = self.fresh(if user.is_some() {
            "BQfakeUser"
        } else {
            "BQfakeApp"
        });
        if let Holder::User { id, client_id } = &holder {
            self.admit(client_id, id);
        }
        let refresh_token = match (&holder, with_refresh) {
            (Holder::User { id, client_id }, true) => {
                let token = self.fresh("AQfakeRefresh");
                let refresh = Refresh {
                    scope: scope.to_string(),
                    user: id.clone(),
                    client_id: client_id.clone(),
                };
                lock(&self.refresh).insert(token.clone(), refresh);
                Some(token)
            }
            _ => None,
        };
        let expires = Instant::now() + Duration::from_secs(lifetime_secs);
        lock(&self.access).insert(access_token.clone(), Access { expires, holder });
        IssuedToken {
            access_token,
            refresh_token,
            expires_in: lifetime_secs,
            scope: scope.to_string(),
            user,
        }
    }

    /// Whom a live token was issued to.
    pub fn check(&self, token: &str) -> Result<Holder, Rejected> {
        let access = lock(&self.access);
        match access.get(token) {
            None => Err(Rejected::Unknown),
            Some(a) if a.expires <= Instant::now() => Err(Rejected::Expired),
            Some(a) => Ok(a.holder.clone()),
        }
    }

    /// The user a token was issued to, live or expired (for the request log).
    pub fn user_of(&self, token: &str) -> Option<String> {
        let access = lock(&self.access);
        access.get(token)?.holder.user().map(str::to_string)
    }

    /// A new authorization code for `code`.
    pub fn new_code(&self, code: Code) -> String {
        let id = self.fresh("AQfakeCode");
        lock(&self.codes).insert(id.clone(), code);
        id
    }

    /// The code's grant, removed: a code is exchanged once, right or wrong.
    fn take_code(&self, code: &str) -> Option<Code> {
        lock(&self.codes).remove(code)
    }

    /// `(scope, user, client id)` of a refresh token.
    fn refresh_grant(&self, token: &str) -> Option<(String, String, String)> {
        let refresh = lock(&self.refresh);
        let r = refresh.get(token)?;
        Some((r.scope.clone(), r.user.clone(), r.client_id.clone()))
    }

    /// Notes that `user` signed in to `client_id`.
    fn admit(&self, client_id: &str, user: &str) {
        let mut clients = lock(&self.clients);
        let users = clients.entry(client_id.to_string()).or_default();
        if !users.iter().any(|u| u == user) {
            users.push(user.to_string());
        }
    }

    /// Whether `user` is among the first `limit` users who signed in to `client_id`.
    pub fn admitted(&self, client_id: &str, user: &str, limit: usize) -> bool {
        lock(&self.clients)
            .get(client_id)
            .and_then(|users| users.iter().position(|u| u == user))
            .is_some_and(|position| position < limit)
    }
}

/// The bearer token of a request, if it has one.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The bearer token of a request, checked.
pub(crate) fn bearer(shared: &Shared, headers: &HeaderMap) -> Result<Holder, Rejected> {
    let token = bearer_token(headers).ok_or(Rejected::Missing)?;
    shared.tokens.check(token)
}
