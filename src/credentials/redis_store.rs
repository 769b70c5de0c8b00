//! The grant on Redis, shared by every server of one login: whichever refreshes, the others use
//! the result. The login file seeds it (a server started with a newer login than Redis holds puts
//! that one in) and follows every newer grant, so a server still has one while Redis is down.
//! The grant is sealed (AES-256-GCM, `sealed.rs`): Redis, its backups and anyone reading its
//! traffic see the login's time, revision and expiry, never a token. Writes are one compare-and-set
//! script on that revision: a grant never replaces a newer one, whatever the servers' clocks say.

use super::grant::Grant;
use super::refresh_lock::{LockAttempt, LockOwner, RedisRefreshLock};
use super::store::{FileTokenStore, StoreError, TokenStore};
use crate::foundation::redis_link::RedisLink;
use crate::foundation::sealed::GrantKeys;
use std::sync::Arc;
use std::time::Duration;

const PREFIX: &str = "spotify-mcp:v1";
/// The sealed grant's hash (`sealed`, `login`, `revision`); v1 held the grant in clear text.
const GRANT_PREFIX: &str = "spotify-mcp:v2:grant";
const PLAINTEXT_PREFIX: &str = "spotify-mcp:v1:grant";

/// Stores the sealed grant ARGV[1] (login ARGV[2], revision ARGV[3], expiry ARGV[4]) in hash
/// KEYS[1] unless the stored one is as new — the order of `Grant::supersedes`: a later login,
/// else a higher revision, else (a tie) a later expiry. Removes the clear-text grant an older
/// version kept at KEYS[2]. 1: stored, 0: a newer one was kept.
const STORE_UNLESS_NEWER: &str = r#"
redis.call('DEL', KEYS[2])
local stored = redis.call('HMGET', KEYS[1], 'login', 'revision', 'expires')
local old = {tonumber(stored[1]), tonumber(stored[2]), tonumber(stored[3])}
local new = {tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])}
if old[1] and old[2] and old[3] then
  for i = 1, 3 do
    if new[i] > old[i] then break end
    if new[i] < old[i] or i == 3 then return 0 end
  end
end
redis.call('HSET', KEYS[1], 'sealed', ARGV[1], 'login', ARGV[2], 'revision', ARGV[3], 'expires', ARGV[4])
return 1
"#;

/// How long past the lock's TTL a refresh may take: the token request's timeout plus this.
const LOCK_SLACK: Duration = Duration::from_secs(2);

#[derive(Debug)]
pub struct RedisTokenStore {
    link: Arc<RedisLink>,
    key: String,
    plaintext_key: String,
    keys: Arc<GrantKeys>,
    file: FileTokenStore,
    lock: RedisRefreshLock,
}

impl RedisTokenStore {
    /// The grant of `login`'s app and user, seeded from and mirrored to `file`, sealed with
    /// `keys`. `refresh_timeout` is the token request's timeout: the refresh lock outlasts it.
    pub fn new(
        link: Arc<RedisLink>,
        keys: Arc<GrantKeys>,
        file: FileTokenStore,
        login: &Grant,
        refresh_timeout: Duration,
    ) -> Self {
        // One Redis may serve several logins (apps, users): each has its own grant and lock.
        let user = login.user_id.as_deref().unwrap_or("unknown-user");
        let name = format!("{}:{user}", login.client_id);
        let lock = RedisRefreshLock::new(
            link.clone(),
            format!("{PREFIX}:refresh-lock:{name}"),
            refresh_timeout + LOCK_SLACK,
        );
        Self {
            link,
            key: format!("{GRANT_PREFIX}:{name}"),
            plaintext_key: format!("{PLAINTEXT_PREFIX}:{name}"),
            keys,
            file,
            lock,
        }
    }

    /// The Redis key of the sealed grant.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Puts `grant` in Redis unless a newer one is there; `Ok(false)` when one is.
    async fn store_unless_newer(&self, grant: &Grant) -> Result<bool, StoreError> {
        let text = serde_json::to_string(grant).expect("grants serialize");
        let sealed = self.keys.seal(text.as_bytes(), &self.key);
        let command = redis::cmd("EVAL")
            .arg(STORE_UNLESS_NEWER)
            .arg(2)
            .arg(&self.key)
            .arg(&self.plaintext_key)
            .arg(sealed)
            .arg(grant.authorized_at)
            .arg(grant.revision)
            .arg(grant.expires_at)
            .to_owned();
        self.link
            .run::<i64>(&command)
            .await
            .map(|stored| stored == 1)
            .map_err(|error| StoreError::Shared(error.to_string()))
    }

    /// The grant in Redis; an error when Redis is down or the grant cannot be opened (another
    /// key): then this server goes on with its login file and never overwrites it blindly.
    async fn load_shared(&self) -> Result<Option<Grant>, StoreError> {
        let sealed: Option<String> = self
            .link
            .run(&redis::cmd("HGET").arg(&self.key).arg("sealed").to_owned())
            .await
            .map_err(|error| StoreError::Shared(error.to_string()))?;
        let Some(sealed) = sealed else {
            return Ok(None);
        };
        let plain = self.keys.open(&sealed, &self.key).map_err(|error| {
            tracing::warn!(key = %self.key, "{error}");
            StoreError::Shared(error.to_string())
        })?;
        Ok(match serde_json::from_slice(&plain) {
            Ok(grant) => Some(grant),
            Err(error) => {
                tracing::warn!(key = %self.key, problem = %error, "the grant in Redis is unreadable; the stored login replaces it");
                None
            }
        })
    }
}

#[async_trait::async_trait]
impl TokenStore for RedisTokenStore {
    /// The newer of Redis's grant and the login file's; a newer file (a new `auth login`, or
    /// Redis empty) is put into Redis. While Redis is down: the file's.
    async fn load(&self) -> Result<Option<Grant>, StoreError> {
        let local = self.file.load().await;
        let shared = match self.load_shared().await {
            Ok(shared) => shared,
            Err(_) => return local,
        };
        match (shared, local) {
            (Some(shared), Ok(Some(local))) if !local.supersedes(&shared) => {
                // The file keeps up (rotated refresh tokens included) for a restart without Redis.
                if shared.supersedes(&local)
                    && let Err(error) = self.file.save(&shared).await
                {
                    tracing::debug!(error = %error, "could not copy the shared grant to the login file");
                }
                Ok(Some(shared))
            }
            (Some(shared), Ok(None)) => Ok(Some(shared)),
            (Some(shared), Err(error)) => {
                tracing::debug!(error = %error, "the login file is unusable; using the grant in Redis");
                Ok(Some(shared))
            }
            (_, Ok(Some(local))) => {
                match self.store_unless_newer(&local).await {
                    Ok(true) => {
                        tracing::info!(key = %self.key, "put the stored login into Redis for the other servers")
                    }
                    // Another server put a newer one in meanwhile: that one is the truth.
                    Ok(false) => return self.load_shared().await.map(|s| s.or(Some(local))),
                    Err(error) => {
                        tracing::debug!(error = %error, "could not put the stored login into Redis")
                    }
                }
                Ok(Some(local))
            }
            (None, local) => local,
        }
    }

    /// Into Redis (unless a newer grant is there) and into the login file.
    async fn save(&self, grant: &Grant) -> Result<(), StoreError> {
        let shared = self.store_unless_newer(grant).await;
        if let Ok(false) = shared {
            tracing::debug!("Redis holds a newer grant than this refresh; kept it");
        }
        let local = self.file.save(grant).await;
        match (shared, local) {
            (Ok(_), Err(error)) => {
                tracing::warn!(error = %error, "the refreshed grant is in Redis but not in the login file");
                Ok(())
            }
            (_, local) => local,
        }
    }

    async fn delete(&self) -> Result<bool, StoreError> {
        let shared = self
            .link
            .run::<i64>(
                &redis::cmd("DEL")
                    .arg(&self.key)
                    .arg(&self.plaintext_key)
                    .to_owned(),
            )
            .await
            .map_err(|error| StoreError::Shared(error.to_string()))?;
        let local = self.file.delete().await?;
        Ok(shared > 0 || local)
    }

    fn location(&self) -> String {
        format!(
            "Redis key {} (seeded from {})",
            self.key,
            self.file.location()
        )
    }

    async fn try_lock_refresh(&self) -> LockAttempt {
        self.lock.try_acquire().await
    }

    async fn unlock_refresh(&self, owner: LockOwner) {
        self.lock.release(owner).await
    }
}
