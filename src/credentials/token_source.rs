//! Where each call's bearer token comes from: a raw token from the environment, a Client
//! Credentials token, or the user's stored grant — refreshed ahead of expiry, single-flight
//! (one lock: concurrent calls at expiry wait for the one refresh), and persisted atomically.
//! Servers sharing a store (Redis) also take the store's lock, so one of them refreshes and the
//! others adopt its grant; with Redis down each refreshes on its own.
//! A server started before `auth login` awaits the login in its token file and takes it when it
//! appears, without a restart ([`AwaitedLogin`]).

use crate::credentials::grant::{self, Grant};
use crate::credentials::oauth::{OAuth, OAuthError};
use crate::credentials::refresh_lock::{LockAttempt, LockOwner};
use crate::credentials::store::{FileTokenStore, TokenStore};
use crate::credentials::{AuthError, AuthMode, Credentials};
use crate::foundation::secret::Secret;
use std::fmt;
use std::sync::OnceLock;
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
    /// No credentials yet, but a token file `auth login` will write.
    AwaitingLogin(AwaitedLogin),
}

/// Builds the credentials of a login that has just appeared in the token file; `Err` says why
/// they cannot be used (e.g. a Redis store without its key).
pub type StartLogin =
    Box<dyn Fn(FileTokenStore, Grant) -> Result<TokenSource, String> + Send + Sync>;

/// A login to come: the token file is looked at for one at most once per `every` from calls
/// (and once per `every` from the login watcher); once there, it serves as a stored login.
pub struct AwaitedLogin {
    file: FileTokenStore,
    every: Duration,
    start: StartLogin,
    /// The credentials of the login once it appeared (boxed: a `TokenSource` in a `TokenSource`).
    arrived: OnceLock<Box<TokenSource>>,
    /// The last look at the file: when, and why the file was unusable if it was.
    last_look: Mutex<Option<(Instant, Option<String>)>>,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenSource::None => "TokenSource::None",
            TokenSource::Broken(_) => "TokenSource::Broken",
            TokenSource::Static(_) => "TokenSource::Static([redacted])",
            TokenSource::ClientCredentials { .. } => "TokenSource::ClientCredentials([redacted])",
            TokenSource::User(_) => "TokenSource::User([redacted])",
            TokenSource::AwaitingLogin(_) => "TokenSource::AwaitingLogin",
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

    /// Credentials that wait for `auth login` to write `file`, looking at most once per `every`;
    /// `start` turns the login into credentials when it appears.
    pub fn awaiting_login(file: FileTokenStore, every: Duration, start: StartLogin) -> Self {
        TokenSource::AwaitingLogin(AwaitedLogin {
            file,
            every,
            start,
            arrived: OnceLock::new(),
            last_look: Mutex::new(None),
        })
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
            TokenSource::AwaitingLogin(awaited) => match awaited.arrived() {
                Some(arrived) => arrived.identity().await,
                None => "anonymous".into(),
            },
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
            TokenSource::AwaitingLogin(awaited) => match awaited.arrived() {
                Some(arrived) => arrived.mode().await,
                None => AuthMode::AwaitingLogin,
            },
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
            TokenSource::AwaitingLogin(awaited) => awaited.look(false).await?.bearer().await,
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
            TokenSource::AwaitingLogin(awaited) => match awaited.arrived() {
                Some(arrived) => arrived.renew_after_rejection(rejected).await,
                None => None,
            },
            _ => None,
        }
    }

    async fn dead_grant(&self) -> Option<String> {
        match self {
            TokenSource::User(user) => user.refusal().await,
            TokenSource::AwaitingLogin(awaited) => match awaited.arrived() {
                Some(arrived) => arrived.dead_grant().await,
                None => None,
            },
            _ => None,
        }
    }

    async fn reload(&self) -> bool {
        match self {
            TokenSource::User(user) => user.reload().await,
            // The watcher's look is the interval's one: it never waits for a call's.
            TokenSource::AwaitingLogin(awaited) => match awaited.arrived() {
                Some(arrived) => arrived.reload().await,
                None => awaited.look(true).await.is_ok(),
            },
            _ => false,
        }
    }
}

impl AwaitedLogin {
    /// The login's credentials, once it appeared.
    fn arrived(&self) -> Option<&TokenSource> {
        self.arrived.get().map(|arrived| &**arrived)
    }

    /// The login's credentials, looking in the file for it first when the last look is `every`
    /// old (or at once when `now`); else why calls cannot go out yet.
    async fn look(&self, now: bool) -> Result<&TokenSource, AuthError> {
        if let Some(arrived) = self.arrived() {
            return Ok(arrived);
        }
        // Held across the read: concurrent calls share one look.
        let mut last = self.last_look.lock().await;
        if let Some(arrived) = self.arrived() {
            return Ok(arrived);
        }
        let due = now
            || last
                .as_ref()
                .is_none_or(|(at, _)| at.elapsed() >= self.every);
        if due {
            let unusable = match self.file.load().await {
                Ok(Some(grant)) => return Ok(self.take(grant)),
                Ok(None) => None,
                Err(error) => Some(error.to_string()),
            };
            *last = Some((Instant::now(), unusable));
        }
        match last.as_ref().and_then(|(_, unusable)| unusable.clone()) {
            Some(unusable) => Err(AuthError::Grant(unusable)),
            None => Err(AuthError::NoLoginYet {
                within_secs: self.every.as_secs_f64().ceil().max(1.0) as u64,
            }),
        }
    }

    /// Makes the login that appeared this server's credentials, for good.
    fn take(&self, grant: Grant) -> &TokenSource {
        let arrived = (self.start)(self.file.clone(), grant).unwrap_or_else(|unusable| {
            tracing::error!(error = %unusable, "the new login cannot be used");
            TokenSource::Broken(unusable)
        });
        tracing::info!(store = %self.file.location(), "a login was stored; using it");
        self.arrived.get_or_init(|| Box::new(arrived))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::grant::GRANT_VERSION;

    fn grant(token: &str) -> Grant {
        Grant {
            version: GRANT_VERSION,
            client_id: "app".into(),
            access_token: Secret::new(token),
            refresh_token: None,
            expires_at: grant::now() + 3600,
            scopes: ["user-read-private".to_string()].into(),
            authorized_at: grant::now(),
            user_id: Some("u1".into()),
            user_name: None,
            revision: 0,
        }
    }

    /// Credentials awaiting a login in `dir`'s token file; the login's access token serves as is.
    fn awaiting(dir: &tempfile::TempDir, every: Duration) -> (TokenSource, FileTokenStore) {
        let file = FileTokenStore::new(dir.path().join("token.json"));
        let start: StartLogin = Box::new(|_, grant| Ok(TokenSource::Static(grant.access_token)));
        (
            TokenSource::awaiting_login(file.clone(), every, start),
            file,
        )
    }

    #[tokio::test]
    async fn calls_look_for_the_login_at_most_once_per_interval_and_the_watcher_takes_it() {
        let dir = tempfile::tempdir().unwrap();
        let (source, file) = awaiting(&dir, Duration::from_secs(3600));
        let waiting = source.bearer().await.unwrap_err();
        assert!(
            matches!(waiting, AuthError::NoLoginYet { within_secs: 3600 }),
            "{waiting}"
        );
        assert!(waiting.to_string().contains("no restart needed"));
        file.save_sync(&grant("first")).unwrap();
        assert!(
            matches!(source.bearer().await, Err(AuthError::NoLoginYet { .. })),
            "a call does not read the file again within the interval"
        );
        assert_eq!(source.mode().await, AuthMode::AwaitingLogin);
        assert!(source.reload().await, "the watcher's look takes the login");
        assert_eq!(source.bearer().await.unwrap().expose(), "first");
        assert!(
            format!("{source:?}").ends_with("AwaitingLogin"),
            "no token in Debug"
        );
    }

    #[tokio::test]
    async fn a_call_takes_the_login_once_the_interval_passed() {
        let dir = tempfile::tempdir().unwrap();
        let (source, file) = awaiting(&dir, Duration::ZERO);
        assert!(source.bearer().await.is_err());
        file.save_sync(&grant("first")).unwrap();
        assert_eq!(source.bearer().await.unwrap().expose(), "first");
        assert_eq!(source.mode().await, AuthMode::RawToken);
    }

    #[tokio::test]
    async fn a_login_still_being_written_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let (source, file) = awaiting(&dir, Duration::ZERO);
        // `auth login` writes a temporary file beside the token file, then renames it.
        let staged = file.stage(&grant("first")).unwrap();
        assert!(matches!(
            source.bearer().await,
            Err(AuthError::NoLoginYet { .. })
        ));
        staged.commit().unwrap();
        assert_eq!(source.bearer().await.unwrap().expose(), "first");
    }

    #[tokio::test]
    async fn a_corrupt_token_file_says_so_until_a_login_replaces_it() {
        let dir = tempfile::tempdir().unwrap();
        let (source, file) = awaiting(&dir, Duration::ZERO);
        std::fs::write(file.path(), "{ half a grant").unwrap();
        let broken = source.bearer().await.unwrap_err();
        assert!(broken.to_string().contains("is corrupt"), "{broken}");
        file.save_sync(&grant("first")).unwrap();
        assert_eq!(source.bearer().await.unwrap().expose(), "first");
    }

    #[tokio::test]
    async fn a_login_that_cannot_be_used_answers_why() {
        let dir = tempfile::tempdir().unwrap();
        let file = FileTokenStore::new(dir.path().join("token.json"));
        let start: StartLogin = Box::new(|_, _| Err("set SPOTIFY_MCP_ENCRYPTION_KEY".into()));
        let source = TokenSource::awaiting_login(file.clone(), Duration::ZERO, start);
        file.save_sync(&grant("first")).unwrap();
        let refused = source.bearer().await.unwrap_err();
        assert_eq!(refused.to_string(), "set SPOTIFY_MCP_ENCRYPTION_KEY");
        assert!(matches!(source.mode().await, AuthMode::Broken(_)));
    }
}
