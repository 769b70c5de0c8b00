//! A lock on Redis so that only one of several servers sharing a grant refreshes it at a time:
//! `SET key owner NX PX ttl` with a random owner, released by a compare-and-delete script, so a
//! holder whose lock expired never deletes the next holder's.

use crate::foundation::redis_link::RedisLink;
use std::sync::Arc;
use std::time::Duration;

/// Deletes the lock only while it still names this owner.
const RELEASE: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

/// What an attempt to take the refresh lock found.
#[derive(Debug)]
pub enum LockAttempt {
    /// The store is this process's alone: refresh without a lock.
    NotShared,
    /// This process holds the lock until it releases it or `ttl` passes.
    Acquired(LockOwner),
    /// Another process is refreshing; its lock lapses within this long at the latest.
    HeldElsewhere(Duration),
    /// The lock could not be asked for (Redis down): refresh as if alone.
    Unavailable,
}

/// This holder of the lock (a random value). Dropped unreleased — the refreshing call was
/// cancelled — it still releases the lock, so the others need not wait for the TTL.
#[derive(Debug)]
pub struct LockOwner {
    value: String,
    lock: Option<(Arc<RedisLink>, String)>,
}

impl Drop for LockOwner {
    fn drop(&mut self) {
        if let Some((link, key)) = self.lock.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let value = std::mem::take(&mut self.value);
            runtime.spawn(async move { release(&link, &key, value).await });
        }
    }
}

async fn release(link: &RedisLink, key: &str, value: String) {
    let command = redis::cmd("EVAL")
        .arg(RELEASE)
        .arg(1)
        .arg(key)
        .arg(value)
        .to_owned();
    // A failed release only makes the others wait for the TTL.
    if let Err(error) = link.run::<i64>(&command).await {
        tracing::debug!(error = %error, "could not release the token refresh lock");
    }
}

#[derive(Debug)]
pub struct RedisRefreshLock {
    link: Arc<RedisLink>,
    key: String,
    ttl: Duration,
}

impl RedisRefreshLock {
    /// `ttl` must outlast a refresh (the token request's timeout) so a holder never loses it
    /// mid-refresh; it only matters when a holder dies without releasing.
    pub fn new(link: Arc<RedisLink>, key: String, ttl: Duration) -> Self {
        Self { link, key, ttl }
    }

    pub async fn try_acquire(&self) -> LockAttempt {
        let owner = format!("{:032x}", fastrand::u128(..));
        let command = redis::cmd("SET")
            .arg(&self.key)
            .arg(&owner)
            .arg("NX")
            .arg("PX")
            .arg(self.ttl.as_millis().max(1) as u64)
            .to_owned();
        match self.link.run::<Option<String>>(&command).await {
            Ok(Some(_)) => LockAttempt::Acquired(LockOwner {
                value: owner,
                lock: Some((self.link.clone(), self.key.clone())),
            }),
            Ok(None) => LockAttempt::HeldElsewhere(self.ttl),
            Err(_) => LockAttempt::Unavailable,
        }
    }

    pub async fn release(&self, mut owner: LockOwner) {
        owner.lock = None;
        release(&self.link, &self.key, std::mem::take(&mut owner.value)).await;
    }
}
