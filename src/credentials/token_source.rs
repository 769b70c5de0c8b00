//! Where each call's bearer token comes from: a raw token from the environment, a Client
//! Credentials token, or the user's stored grant — refreshed ahead of expiry, single-flight
//! (one lock: concurrent calls at expiry wait for the one refresh), and persisted atomically.
//! Servers sharing a store (Redis) also take the store's lock, so one of them refreshes and the
//! others adopt its grant; with Redis down each refreshes on its own.

use crate::credentials::grant::{self, Grant};
use crate::credentials::oauth::{OAuth, OAuthError};
use crate::credentials::refresh_lock::{LockAttempt, LockOwner};
use crate::credentials::store::TokenStore;
use crate::credentials::{AuthError, AuthMode, Credentials};
use crate::foundation::secret::Secret;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, RwLock};

/// Renew a Client Credentials token this long before it expires.
const APP_TOKEN_MARGIN: Duration = Duration::from_secs(60);

pub struct AppToken {
    token: Secret,
    expires: Instant,
}

pub struct UserGrant {
    /// The Spotify app the login belongs to (refresh tokens are bound to it).
    client_id: String,
    store: Box<dyn TokenStore>,
    oauth: OAuth,
    margin_secs: u64,
    current: Mutex<Grant>,
    /// Set when a refresh was refused for good (`invalid_grant`); cleared by a new login in the store.
    dead: RwLock<Option<String>>,
    /// When the store was last read for a new login while the grant is dead.
    last_reread: std::sync::Mutex<Option<Instant>>,
    /// Whether the store was read once since start.
    synced: AtomicBool,
}

/// The configured way of obtaining an access token.
#[allow(clippy::large_enum_variant)] // one per process
pub enum TokenSource {
    None,
    Broken(String),
    Static(Secret),
    ClientCredentials {
        oauth: OAuth,
        client_id: String,
        cached: Mutex<Option<AppToken>>,
    },
    User(UserGrant),
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenSource::None => "TokenSource::None",
            TokenSource::Broken(_) => "TokenSource::Broken",
            TokenSource::Static(_) => "TokenSource::Static([redacted])",
            TokenSource::ClientCredentials { .. } => "TokenSource::ClientCredentials([redacted])",
            TokenSource::User(_) => "TokenSource::User([redacted])",
        })
    }
}

impl TokenSource {
    pub fn user(store: Box<dyn TokenStore>, oauth: OAuth, grant: Grant, margin: Duration) -> Self {
        TokenSource::User(UserGrant {
            client_id: grant.client_id.clone(),
            store,
            oauth,
            margin_secs: margin.as_secs(),
            current: Mutex::new(grant),
            dead: RwLock::new(None),
            last_reread: std::sync::Mutex::new(None),
            synced: AtomicBool::new(false),
        })
    }

    /// The client id of the Spotify app these credentials belong to, when known (not for a raw
    /// access token).
    pub fn app(&self) -> Option<&str> {
        match self {
            TokenSource::User(user) => Some(&user.client_id),
            TokenSource::ClientCredentials { client_id, .. } => Some(client_id),
            _ => None,
        }
    }

    pub fn client_credentials(oauth: OAuth, client_id: String) -> Self {
        TokenSource::ClientCredentials {
            oauth,
            client_id,
            cached: Mutex::new(None),
        }
    }
}

#[async_trait::async_trait]
impl Credentials for TokenSource {
    async fn identity(&self) -> String {
        match self {
            TokenSource::None | TokenSource::Broken(_) => "anonymous".into(),
            TokenSource::Static(token) => {
                use sha2::{Digest, Sha256};
                let digest = Sha256::digest(token.expose().as_bytes());
                format!(
                    "token:{}",
                    digest
                        .iter()
                        .take(16)
                        .map(|b| format!("{b:02x}"))
                        .collect::<String>()
                )
            }
            TokenSource::ClientCredentials { client_id, .. } => format!("app:{client_id}"),
            TokenSource::User(user) => {
                let grant = user.current.lock().await;
                match &grant.user_id {
                    Some(id) => format!("user:{id}"),
                    None => format!("grant:{}:{}", grant.client_id, grant.authorized_at),
                }
            }
        }
    }

    async fn mode(&self) -> AuthMode {
        match self {
            TokenSource::None => AuthMode::None,
            TokenSource::Broken(message) => AuthMode::Broken(message.clone()),
            TokenSource::Static(_) => AuthMode::RawToken,
            TokenSource::ClientCredentials { .. } => AuthMode::App,
            TokenSource::User(user) => AuthMode::User(user.current.lock().await.scopes.clone()),
        }
    }

    async fn bearer(&self) -> Result<Secret, AuthError> {
        match self {
            TokenSource::None => Err(AuthError::NoCredentials),
            TokenSource::Broken(message) => Err(AuthError::Grant(message.clone())),
            TokenSource::Static(token) => Ok(token.clone()),
            TokenSource::ClientCredentials { oauth, cached, .. } => {
                let mut cached = cached.lock().await;
                if let Some(c) = cached.as_ref().filter(|c| c.expires > Instant::now()) {
                    return Ok(c.token.clone());
                }
                let fresh = oauth
                    .client_credentials()
                    .await
                    .map_err(|e| AuthError::ClientCredentials(e.to_string()))?;
                let token = fresh.access_token.clone();
                *cached = Some(AppToken {
                    token: token.clone(),
                    expires: Instant::now() + fresh.expires_in.saturating_sub(APP_TOKEN_MARGIN),
                });
                Ok(token)
            }
            TokenSource::User(user) => user.bearer(None).await,
        }
    }

    // Concurrent callers that saw the same rejection share one refresh.
    async fn renew_after_rejection(&self, rejected: &Secret) -> Option<Result<Secret, AuthError>> {
        match self {
            TokenSource::User(user) => Some(user.bearer(Some(rejected)).await),
            TokenSource::ClientCredentials { cached, .. } => {
                let mut cached = cached.lock().await;
                if cached.as_ref().is_some_and(|c| &c.token == rejected) {
                    *cached = None;
                }
                drop(cached);
                Some(self.bearer().await)
            }
            _ => None,
        }
    }

    async fn dead_grant(&self) -> Option<String> {
        match self {
            TokenSource::User(user) => user.refusal().await,
            _ => None,
        }
    }

    async fn reload(&self) -> bool {
        match self {
            TokenSource::User(user) => user.reload().await,
            _ => false,
        }
    }
}

/// How often a server waiting for another's refresh looks for its result.
const LOCK_POLL: Duration = Duration::from_millis(50);
/// While the grant is dead, how often calls look in the store for a new login (a file read or
/// one Redis command; the calls in between fail at once).
const REREAD_DEAD_EVERY: Duration = Duration::from_secs(2);

/// Whose turn it is to refresh, among the servers sharing a token store.
enum Turn {
    /// This process refreshes, holding the shared lock when there is one.
    Refresh(Option<LockOwner>),
    /// Another process refreshed meanwhile; its grant is now ours.
    Adopted,
}

impl UserGrant {
    /// Whether `grant`'s token can be sent: not the one Spotify just rejected, not about to expire.
    fn usable(&self, grant: &Grant, rejected: Option<&Secret>) -> bool {
        !rejected.is_some_and(|r| *r == grant.access_token)
            && !grant.expires_within(self.margin_secs)
    }

    /// Takes the stored grant when it is newer than ours: another process (a second server, or
    /// `auth login`) refreshed or signed in again; refreshing ours would overwrite it, and Spotify
    /// may have rotated our refresh token. Never an older one (a stale file while Redis is down).
    /// Stores ours when the store's is older (an emptied Redis re-seeded from an old login file),
    /// so that no other server refreshes with a refresh token Spotify has rotated away.
    /// True when the stored grant was taken.
    async fn adopt_newer(&self, current: &mut Grant) -> bool {
        match self.store.load().await {
            Ok(Some(stored)) if stored.supersedes(current) => {
                tracing::debug!("adopting the grant another process stored");
                *current = stored;
                return true;
            }
            Ok(Some(stored)) if current.supersedes(&stored) => {
                if let Err(error) = self.store.save(current).await {
                    tracing::debug!(error = %error, "could not store the newer grant this process holds");
                }
            }
            _ => {}
        }
        false
    }

    /// Takes a newer stored grant, if there is one (a file read or one Redis GET, under the
    /// grant's lock so that no refresh runs meanwhile); a new login also ends a dead grant.
    async fn reload(&self) -> bool {
        let mut current = self.current.lock().await;
        if !self.adopt_newer(&mut current).await {
            return false;
        }
        *self.dead.write().await = None;
        true
    }

    /// Among servers sharing the store one refreshes: take the lock, or wait (bounded by the
    /// lock's lifetime) for the holder's grant. Without a shared store, or with Redis down, or when
    /// the holder takes too long, this process refreshes on its own.
    async fn refresh_turn(&self, current: &mut Grant, rejected: Option<&Secret>) -> Turn {
        let mut deadline = None;
        loop {
            match self.store.try_lock_refresh().await {
                LockAttempt::Acquired(owner) => {
                    // The previous holder may have finished between our read and our lock.
                    self.adopt_newer(current).await;
                    if self.usable(current, rejected) {
                        self.store.unlock_refresh(owner).await;
                        return Turn::Adopted;
                    }
                    return Turn::Refresh(Some(owner));
                }
                LockAttempt::NotShared | LockAttempt::Unavailable => return Turn::Refresh(None),
                LockAttempt::HeldElsewhere(lifetime) => {
                    let deadline = *deadline.get_or_insert_with(|| Instant::now() + lifetime);
                    if Instant::now() >= deadline {
                        tracing::warn!(
                            "another server's token refresh did not finish in time; refreshing here"
                        );
                        return Turn::Refresh(None);
                    }
                    tokio::time::sleep(LOCK_POLL).await;
                    self.adopt_newer(current).await;
                    if self.usable(current, rejected) {
                        return Turn::Adopted;
                    }
                }
            }
        }
    }

    /// Why calls are refused once Spotify refused the grant, until a new login is stored (`auth
    /// login` on this machine, or another server's in Redis): the store is read again for one at
    /// most every [`REREAD_DEAD_EVERY`].
    async fn refusal(&self) -> Option<String> {
        let reason = self.dead.read().await.clone()?;
        {
            let mut last = self.last_reread.lock().expect("reread time");
            if last.is_some_and(|at| at.elapsed() < REREAD_DEAD_EVERY) {
                return Some(reason);
            }
            *last = Some(Instant::now());
        }
        let mut current = self.current.lock().await;
        match self.store.load().await {
            Ok(Some(stored)) if stored.supersedes(&current) => {
                tracing::info!(store = %self.store.location(), "a new login was stored; using it");
                *current = stored;
                *self.dead.write().await = None;
                None
            }
            _ => Some(reason),
        }
    }

    /// The current token; refreshed when it expires within the margin or equals `rejected`.
    async fn bearer(&self, rejected: Option<&Secret>) -> Result<Secret, AuthError> {
        if let Some(reason) = self.refusal().await {
            return Err(AuthError::Grant(reason));
        }
        // Holding the lock across the refresh is the single flight: the others wait here, then
        // find the fresh token.
        let mut current = self.current.lock().await;
        // Once per process: servers sharing the store may hold a newer grant than our login file.
        if !self.synced.swap(true, Ordering::Relaxed) {
            self.adopt_newer(&mut current).await;
        }
        if self.usable(&current, rejected) {
            return Ok(current.access_token.clone());
        }
        if let Some(reason) = self.dead.read().await.clone() {
            return Err(AuthError::Grant(reason));
        }
        self.adopt_newer(&mut current).await;
        if self.usable(&current, rejected) {
            return Ok(current.access_token.clone());
        }
        let owner = match self.refresh_turn(&mut current, rejected).await {
            Turn::Adopted => return Ok(current.access_token.clone()),
            Turn::Refresh(owner) => owner,
        };
        let refreshed = self.refresh(&mut current).await;
        if let Some(owner) = owner {
            self.store.unlock_refresh(owner).await;
        }
        refreshed
    }

    /// Refreshes `current` with Spotify and stores the result (before the shared lock is released,
    /// so that waiting servers find it).
    async fn refresh(&self, current: &mut Grant) -> Result<Secret, AuthError> {
        let Some(refresh_token) = current.refresh_token.clone() else {
            return Err(AuthError::Grant(
                "the stored grant has no refresh token and its access token expired; run `spotify-mcp auth login`".into(),
            ));
        };
        tracing::debug!("refreshing the Spotify access token");
        let fresh = match self.oauth.refresh(&refresh_token).await {
            Ok(fresh) => {
                crate::foundation::metrics::token_refresh("ok");
                fresh
            }
            Err(error @ OAuthError::InvalidGrant(_)) => {
                crate::foundation::metrics::token_refresh("invalid_grant");
                // Another server may have rotated the refresh token and stored the result where
                // we could not see it a moment ago (Redis was down): that grant still works.
                self.adopt_newer(current).await;
                if current.refresh_token != Some(refresh_token) && self.usable(current, None) {
                    return Ok(current.access_token.clone());
                }
                let message = error.to_string();
                *self.dead.write().await = Some(message.clone());
                tracing::warn!(store = %self.store.location(), "Spotify refused the stored grant; a new login is needed");
                return Err(AuthError::Grant(message));
            }
            Err(error) => {
                return Err(AuthError::Grant(format!(
                    "could not refresh the access token: {error}"
                )));
            }
        };
        let mut next = current.clone();
        next.revision = current.revision + 1;
        next.access_token = fresh.access_token;
        // Spotify may omit the refresh token: then the old one stays valid.
        if let Some(refresh_token) = fresh.refresh_token {
            next.refresh_token = Some(refresh_token);
        }
        next.expires_at = grant::now() + fresh.expires_in.as_secs();
        if let Some(scopes) = fresh.scopes {
            next.scopes = scopes;
        }
        if let Err(error) = self.store.save(&next).await {
            // The new token still serves this process; the next start refreshes again.
            tracing::warn!(error = %error, "could not persist the refreshed token");
        }
        let token = next.access_token.clone();
        *current = next;
        Ok(token)
    }
}
