//! Multi-user mode's credentials: one [`UserCredentials`] per person, reading and refreshing
//! that person's sealed Spotify grant in the store. Refresh is single-flight per user in one
//! process (a lock held across the refresh) and, with Redis, across replicas (the refresh lock,
//! then a reload: another replica may have refreshed meanwhile); the store's compare-and-set
//! decides between replicas that refreshed at once without Redis.

use crate::credentials::oauth::{OAuth, OAuthError, TokenSet};
use crate::credentials::refresh_lock::{LockAttempt, LockOwner, RedisRefreshLock};
use crate::credentials::{AuthError, AuthMode, Credentials};
use crate::foundation::metrics;
use crate::foundation::redis_link::RedisLink;
use crate::foundation::secret::Secret;
use crate::store::{NewGrant, SpotifyGrant, Store, StoreError};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// How often a call waiting for another replica's refresh looks in the store for its result.
const LOCK_POLL: Duration = Duration::from_millis(50);
/// While a grant is dead, how often calls look in the store for a new sign-in.
const REREAD_DEAD_EVERY: Duration = Duration::from_secs(2);
/// The refresh lock outlasts a token request by this much.
const LOCK_SLACK: Duration = Duration::from_secs(2);

/// What every user's credentials share: the store, Spotify's accounts service, the margin.
#[derive(Debug)]
pub struct GrantSettings {
    pub store: Store,
    /// Spotify's accounts service for this server's Spotify app.
    pub oauth: Arc<OAuth>,
    /// Refresh an access token this long before it expires.
    pub refresh_margin: Duration,
    /// The Redis the refresh lock lives on, when replicas share one.
    pub redis: Option<Arc<RedisLink>>,
    /// The token request's timeout: a holder of the refresh lock keeps it this long at most.
    pub refresh_timeout: Duration,
}

/// What this process knows of one user's grant.
#[derive(Default)]
struct Known {
    grant: Option<SpotifyGrant>,
    /// Spotify refused the grant at this version: calls fail until a newer one is stored.
    dead: Option<(i64, String)>,
    last_reread: Option<Instant>,
}

/// The credentials of one user of the store.
pub struct UserCredentials {
    user_id: String,
    identity: String,
    settings: Arc<GrantSettings>,
    lock: Option<RedisRefreshLock>,
    /// Held across a refresh: that is the single flight within this process.
    known: Mutex<Known>,
}

impl std::fmt::Debug for UserCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserCredentials")
            .field("user", &self.user_id)
            .finish_non_exhaustive()
    }
}

/// Why a user's grant cannot be used, in words for the person (through their assistant).
fn sign_in_again(why: &str) -> AuthError {
    AuthError::Grant(format!(
        "{why}; sign in again: reconnect this server in your MCP client, which opens the \
         Spotify sign-in in the browser"
    ))
}

fn store_failed(error: &StoreError) -> AuthError {
    AuthError::Grant(format!("cannot read your Spotify grant: {error}"))
}

/// The identity a user's calls carry (cache keys, route memory, the answer memo): the same in
/// every replica and in `spotify-mcp users delete`, which retires that user's cache by it.
pub fn user_identity(user_id: &str) -> String {
    format!("store-user:{user_id}")
}

impl UserCredentials {
    pub fn new(user_id: &str, settings: Arc<GrantSettings>) -> Self {
        let lock = settings.redis.as_ref().map(|link| {
            RedisRefreshLock::new(
                link.clone(),
                format!("spotify-mcp:v1:refresh-lock:{}", user_identity(user_id)),
                settings.refresh_timeout + LOCK_SLACK,
            )
        });
        Self {
            user_id: user_id.to_string(),
            identity: user_identity(user_id),
            settings,
            lock,
            known: Mutex::new(Known::default()),
        }
    }

    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    fn usable(&self, grant: &SpotifyGrant, rejected: Option<&Secret>) -> bool {
        let margin = self.settings.refresh_margin.as_secs() as i64;
        !rejected.is_some_and(|r| *r == grant.access_token)
            && grant.expires_at > crate::credentials::grant::now() as i64 + margin
    }

    /// Reads the stored grant into `known` (a newer sign-in clears a dead grant).
    async fn reload(&self, known: &mut Known) -> Result<(), AuthError> {
        let stored = self
            .settings
            .store
            .load_grant(&self.user_id)
            .await
            .map_err(|e| store_failed(&e))?;
        if let (Some((version, _)), Some(grant)) = (&known.dead, &stored)
            && grant.version != *version
        {
            known.dead = None;
        }
        known.grant = stored;
        Ok(())
    }

    /// The grant's refusal, if Spotify refused it and no new sign-in was stored since (the
    /// store is read again at most every [`REREAD_DEAD_EVERY`]).
    async fn refusal(&self, known: &mut Known) -> Option<AuthError> {
        let (_, reason) = known.dead.clone()?;
        if known
            .last_reread
            .is_none_or(|at| at.elapsed() >= REREAD_DEAD_EVERY)
        {
            known.last_reread = Some(Instant::now());
            if self.reload(known).await.is_ok() && known.dead.is_none() {
                return None;
            }
        }
        Some(sign_in_again(&reason))
    }

    /// The token to send; refreshed when it expires within the margin or equals `rejected`.
    async fn token(&self, rejected: Option<&Secret>) -> Result<Secret, AuthError> {
        let mut known = self.known.lock().await;
        if let Some(refusal) = self.refusal(&mut known).await {
            return Err(refusal);
        }
        if known.grant.is_none() {
            self.reload(&mut known).await?;
        }
        match &known.grant {
            None => return Err(sign_in_again("you have no Spotify grant on this server")),
            Some(grant) if self.usable(grant, rejected) => return Ok(grant.access_token.clone()),
            Some(_) => {}
        }
        // Another replica may have refreshed already.
        self.reload(&mut known).await?;
        if let Some(grant) = known.grant.as_ref().filter(|g| self.usable(g, rejected)) {
            return Ok(grant.access_token.clone());
        }
        let owner = match self.refresh_turn(&mut known, rejected).await? {
            Turn::Adopted(token) => return Ok(token),
            Turn::Refresh(owner) => owner,
        };
        let refreshed = self.refresh(&mut known).await;
        if let (Some(lock), Some(owner)) = (&self.lock, owner) {
            lock.release(owner).await;
        }
        refreshed
    }

    /// With Redis: take the user's refresh lock, or wait (bounded by its lifetime) for the
    /// replica holding it to store a fresh grant.
    async fn refresh_turn(
        &self,
        known: &mut Known,
        rejected: Option<&Secret>,
    ) -> Result<Turn, AuthError> {
        let Some(lock) = &self.lock else {
            return Ok(Turn::Refresh(None));
        };
        let mut deadline = None;
        loop {
            match lock.try_acquire().await {
                LockAttempt::Acquired(owner) => {
                    // The previous holder may have finished between our read and our lock.
                    self.reload(known).await?;
                    if let Some(grant) = known.grant.as_ref().filter(|g| self.usable(g, rejected)) {
                        let token = grant.access_token.clone();
                        lock.release(owner).await;
                        return Ok(Turn::Adopted(token));
                    }
                    return Ok(Turn::Refresh(Some(owner)));
                }
                LockAttempt::NotShared | LockAttempt::Unavailable => {
                    return Ok(Turn::Refresh(None));
                }
                LockAttempt::HeldElsewhere(lifetime) => {
                    let deadline = *deadline.get_or_insert_with(|| Instant::now() + lifetime);
                    if Instant::now() >= deadline {
                        return Ok(Turn::Refresh(None));
                    }
                    tokio::time::sleep(LOCK_POLL).await;
                    self.reload(known).await?;
                    if let Some(grant) = known.grant.as_ref().filter(|g| self.usable(g, rejected)) {
                        return Ok(Turn::Adopted(grant.access_token.clone()));
                    }
                }
            }
        }
    }

    /// Refreshes the known grant with Spotify and stores the result if the stored grant is
    /// still the one refreshed (else another replica won: its grant is used).
    async fn refresh(&self, known: &mut Known) -> Result<Secret, AuthError> {
        let Some(current) = known.grant.clone() else {
            return Err(sign_in_again("you have no Spotify grant on this server"));
        };
        let Some(refresh_token) = current.refresh_token.clone() else {
            return Err(sign_in_again(
                "your Spotify grant has no refresh token and its access token expired",
            ));
        };
        let fresh = match self.settings.oauth.refresh(&refresh_token).await {
            Ok(fresh) => {
                metrics::token_refresh("ok");
                fresh
            }
            Err(OAuthError::InvalidGrant(reason)) => {
                metrics::token_refresh("invalid_grant");
                return self.refused(known, current.version, &reason).await;
            }
            Err(error) => {
                return Err(AuthError::Grant(format!(
                    "could not refresh your Spotify access token: {error}"
                )));
            }
        };
        let next = renewed(&current, fresh);
        match self
            .settings
            .store
            .save_grant(&self.user_id, &next, Some(current.version))
            .await
        {
            Ok(version) => {
                let token = next.access_token.clone();
                known.grant = Some(SpotifyGrant {
                    user_id: self.user_id.clone(),
                    access_token: next.access_token,
                    refresh_token: next.refresh_token,
                    scopes: next.scopes,
                    expires_at: next.expires_at,
                    authorized_at: next.authorized_at,
                    version,
                });
                Ok(token)
            }
            Err(StoreError::GrantChanged) => {
                // Another replica (or a new sign-in) stored first: theirs is the one to keep.
                self.reload(known).await?;
                match &known.grant {
                    Some(grant) => Ok(grant.access_token.clone()),
                    None => Err(sign_in_again("your Spotify grant was removed")),
                }
            }
            Err(error) => {
                // The new token still serves this process; the next refresh tries again.
                tracing::warn!(error = %error, "could not store a user's refreshed Spotify grant");
                Ok(next.access_token)
            }
        }
    }

    /// Spotify refused the grant: unless a newer one was stored meanwhile (another replica
    /// rotated the refresh token, or the person signed in again), it is dead.
    async fn refused(
        &self,
        known: &mut Known,
        version: i64,
        reason: &str,
    ) -> Result<Secret, AuthError> {
        if self.reload(known).await.is_ok()
            && let Some(grant) = known
                .grant
                .as_ref()
                .filter(|g| g.version != version && self.usable(g, None))
        {
            return Ok(grant.access_token.clone());
        }
        let message = format!("Spotify no longer accepts your sign-in ({reason})");
        tracing::info!("Spotify refused a user's grant; they must sign in again");
        known.dead = Some((version, message.clone()));
        known.last_reread = Some(Instant::now());
        Err(sign_in_again(&message))
    }
}

/// The grant after a refresh answer.
fn renewed(current: &SpotifyGrant, fresh: TokenSet) -> NewGrant {
    NewGrant {
        access_token: fresh.access_token,
        // Spotify may omit the refresh token: then the old one stays valid.
        refresh_token: fresh
            .refresh_token
            .or_else(|| current.refresh_token.clone()),
        scopes: fresh
            .scopes
            .map(|scopes| scopes.into_iter().collect())
            .unwrap_or_else(|| current.scopes.clone()),
        expires_at: crate::credentials::grant::now() as i64 + fresh.expires_in.as_secs() as i64,
        authorized_at: current.authorized_at,
    }
}

/// Whose turn it is to refresh, among replicas sharing a Redis.
enum Turn {
    Refresh(Option<LockOwner>),
    Adopted(Secret),
}

#[async_trait::async_trait]
impl Credentials for UserCredentials {
    async fn bearer(&self) -> Result<Secret, AuthError> {
        self.token(None).await
    }

    async fn renew_after_rejection(&self, rejected: &Secret) -> Option<Result<Secret, AuthError>> {
        Some(self.token(Some(rejected)).await)
    }

    /// The store's user id: random, made by this server, not a secret.
    async fn identity(&self) -> String {
        self.identity.clone()
    }

    async fn mode(&self) -> AuthMode {
        let mut known = self.known.lock().await;
        if known.grant.is_none()
            && let Err(AuthError::Grant(message)) = self.reload(&mut known).await
        {
            return AuthMode::Broken(message);
        }
        let scopes = known
            .grant
            .as_ref()
            .map(|g| g.scopes.iter().map(String::from).collect())
            .unwrap_or_default();
        AuthMode::User(scopes)
    }

    async fn dead_grant(&self) -> Option<String> {
        let mut known = self.known.lock().await;
        self.refusal(&mut known).await.map(|e| e.to_string())
    }
}

/// Every user's credentials, made on first use and dropped once idle: a server with many users
/// keeps only the active ones in memory (their grants stay in the store).
pub struct UserGrants {
    settings: Arc<GrantSettings>,
    users: moka::future::Cache<String, Arc<UserCredentials>>,
}

impl std::fmt::Debug for UserGrants {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserGrants")
            .field("active", &self.users.entry_count())
            .finish_non_exhaustive()
    }
}

impl UserGrants {
    /// Most users' credentials held at once (the least recently used go first).
    pub const MAX_ACTIVE: u64 = 100_000;
    /// A user's credentials are dropped after this long without a call.
    pub const IDLE: Duration = Duration::from_secs(15 * 60);

    pub fn new(settings: GrantSettings) -> Self {
        Self::with_bounds(settings, Self::MAX_ACTIVE, Self::IDLE)
    }

    pub fn with_bounds(settings: GrantSettings, max_active: u64, idle: Duration) -> Self {
        Self {
            settings: Arc::new(settings),
            users: moka::future::Cache::builder()
                .max_capacity(max_active)
                .time_to_idle(idle)
                .build(),
        }
    }

    /// The credentials of `user_id`: the same instance while the user is active, so that their
    /// concurrent calls share one refresh.
    pub async fn get(&self, user_id: &str) -> Arc<UserCredentials> {
        let settings = self.settings.clone();
        self.users
            .get_with_by_ref(user_id, async move {
                Arc::new(UserCredentials::new(user_id, settings))
            })
            .await
    }

    /// Forgets what this process holds of a user (after `users delete` or a disconnect).
    pub async fn forget(&self, user_id: &str) {
        self.users.invalidate(user_id).await;
    }

    /// How many users' credentials are held now (moka counts lazily: an estimate).
    pub fn active(&self) -> u64 {
        self.users.entry_count()
    }
}
