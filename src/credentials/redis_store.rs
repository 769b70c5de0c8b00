//! The grant on Redis, shared by every server of one login: whichever refreshes, the others use
//! the result. The login file seeds it (a server started with a newer login than Redis holds puts
//! that one in) and follows every newer grant, so a server still has one while Redis is down.
//! Writes are one compare-and-set script: a grant never replaces a newer one.

use super::grant::Grant;
use super::refresh_lock::{LockAttempt, LockOwner, RedisRefreshLock};
use super::store::{FileTokenStore, StoreError, TokenStore};
use crate::foundation::redis_link::RedisLink;
use std::sync::Arc;
use std::time::Duration;

const PREFIX: &str = "spotify-mcp:v1";

/// Stores ARGV[1] unless the stored grant is newer by (authorized_at, expires_at) — the order of
/// `Grant::is_newer_than`; an unreadable value is replaced. 1: stored, 0: a newer one was kept.
const STORE_UNLESS_NEWER: &str = r#"
local current = redis.call('GET', KEYS[1])
if current then
  local ok, grant = pcall(cjson.decode, current)
  if ok and type(grant) == 'table' then
    local authorized, expires = tonumber(grant.authorized_at) or 0, tonumber(grant.expires_at) or 0
    local new_authorized, new_expires = tonumber(ARGV[2]), tonumber(ARGV[3])
    if authorized > new_authorized or (authorized == new_authorized and expires >= new_expires) then
      return 0
    end
  end
end
redis.call('SET', KEYS[1], ARGV[1])
return 1
"#;

/// How long past the lock's TTL a refresh may take: the token request's timeout plus this.
const LOCK_SLACK: Duration = Duration::from_secs(2);

#[derive(Debug)]
pub struct RedisTokenStore {
    link: Arc<RedisLink>,
    key: String,
    file: FileTokenStore,
    lock: RedisRefreshLock,
}

impl RedisTokenStore {
    /// The grant of `login`'s app and user, seeded from and mirrored to `file`. `refresh_timeout`
    /// is the token request's timeout: the refresh lock outlasts it.
    pub fn new(
        link: Arc<RedisLink>,
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
            key: format!("{PREFIX}:grant:{name}"),
            file,
            lock,
        }
    }

    /// Puts `grant` in Redis unless a newer one is there; `Ok(false)` when one is.
    async fn store_unless_newer(&self, grant: &Grant) -> Result<bool, StoreError> {
        let text = serde_json::to_string(grant).expect("grants serialize");
        let command = redis::cmd("EVAL")
            .arg(STORE_UNLESS_NEWER)
            .arg(1)
            .arg(&self.key)
            .arg(text)
            .arg(grant.authorized_at)
            .arg(grant.expires_at)
            .to_owned();
        self.link
            .run::<i64>(&command)
            .await
            .map(|stored| stored == 1)
            .map_err(|error| StoreError::Shared(error.to_string()))
    }

    async fn load_shared(&self) -> Result<Option<Grant>, StoreError> {
        let text: Option<String> = self
            .link
            .run(&redis::cmd("GET").arg(&self.key).to_owned())
            .await
            .map_err(|error| StoreError::Shared(error.to_string()))?;
        Ok(text.and_then(|text| match serde_json::from_str(&text) {
            Ok(grant) => Some(grant),
            Err(error) => {
                tracing::warn!(key = %self.key, problem = %error, "the grant in Redis is unreadable; the stored login replaces it");
                None
            }
        }))
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
            (Some(shared), Ok(Some(local))) if !local.is_newer_than(&shared) => {
                // The file keeps up (rotated refresh tokens included) for a restart without Redis.
                if shared.is_newer_than(&local)
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
            .run::<i64>(&redis::cmd("DEL").arg(&self.key).to_owned())
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
