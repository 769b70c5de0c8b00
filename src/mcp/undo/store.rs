//! Where undo plans wait for their handle: Redis when the server has one (so any replica can
//! redeem a handle), else a bounded memory. Keys hold a digest of the user's identity: a handle
//! works only for the user whose write it undoes. A handle is redeemed once.

use super::Plan;
use crate::foundation::redis_link::RedisLink;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// How long an undo handle can be redeemed.
pub const UNDO_TTL: Duration = Duration::from_secs(3600);
/// Most plans kept in memory; the oldest go first.
const MEMORY_PLANS: u64 = 10_000;
const PREFIX: &str = "spotify-mcp:v1:undo";

/// A kept plan: what to restore, and until when.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Kept {
    plan: Plan,
    /// Unix seconds after which the handle is refused.
    until: u64,
}

pub struct UndoStore {
    memory: moka::future::Cache<String, Arc<Kept>>,
    redis: Option<Arc<RedisLink>>,
    ttl: Duration,
}

impl std::fmt::Debug for UndoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UndoStore")
            .field("redis", &self.redis.is_some())
            .finish_non_exhaustive()
    }
}

/// A handle just issued, and when it stops working.
#[derive(Debug, Clone)]
pub struct Issued {
    pub handle: String,
    /// RFC 3339, UTC.
    pub expires_at: String,
}

/// Why a handle cannot be redeemed.
#[derive(Debug, thiserror::Error)]
pub enum UndoError {
    #[error(
        "no undo is pending under handle `{0}` for you: handles work once, for the user whose \
         edit they undo, for an hour; check the handle, or make the change back by hand"
    )]
    Unknown(String),
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl UndoStore {
    /// Plans in `redis` when given (shared by replicas), in memory otherwise or while it is down.
    pub fn new(redis: Option<Arc<RedisLink>>) -> Self {
        Self::with_ttl(redis, UNDO_TTL)
    }

    /// Like [`Self::new`] with handles that expire after `ttl` (tests use a short one).
    pub fn with_ttl(redis: Option<Arc<RedisLink>>, ttl: Duration) -> Self {
        Self {
            memory: moka::future::Cache::builder()
                .max_capacity(MEMORY_PLANS)
                .time_to_live(ttl)
                .build(),
            redis,
            ttl,
        }
    }

    /// The Redis plans are kept in, if any (what else must agree across replicas uses it too).
    pub fn redis(&self) -> Option<Arc<RedisLink>> {
        self.redis.clone()
    }

    fn key(identity: &str, handle: &str) -> String {
        let user = Sha256::digest(identity.as_bytes());
        let user: String = user[..16].iter().map(|b| format!("{b:02x}")).collect();
        format!("{PREFIX}:{user}:{handle}")
    }

    /// Keeps `plan` for `identity`; the handle that redeems it.
    pub async fn put(&self, identity: &str, plan: Plan) -> Issued {
        let handle = new_handle();
        let until = now_secs() + self.ttl.as_secs();
        let kept = Kept { plan, until };
        let key = Self::key(identity, &handle);
        let stored_in_redis = match (&self.redis, serde_json::to_vec(&kept)) {
            (Some(redis), Ok(body)) => {
                let command = redis::cmd("SET")
                    .arg(&key)
                    .arg(body)
                    .arg("EX")
                    .arg(self.ttl.as_secs().max(1))
                    .to_owned();
                redis.run::<()>(&command).await.is_ok()
            }
            _ => false,
        };
        if !stored_in_redis {
            self.memory.insert(key, Arc::new(kept)).await;
        }
        let expires_at = chrono::DateTime::from_timestamp(until as i64, 0)
            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default();
        Issued { handle, expires_at }
    }

    /// The plan under `handle` for `identity`, taken (it cannot be redeemed twice).
    pub async fn take(&self, identity: &str, handle: &str) -> Result<Plan, UndoError> {
        let unknown =
            || UndoError::Unknown(crate::foundation::excerpt::excerpt(handle).into_owned());
        if handle.is_empty()
            || handle.len() > 64
            || !handle.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(unknown());
        }
        let key = Self::key(identity, handle);
        let mut kept = self.memory.remove(&key).await.map(|k| (*k).clone());
        if kept.is_none()
            && let Some(redis) = &self.redis
        {
            let command = redis::cmd("GETDEL").arg(&key).to_owned();
            let body: Option<Vec<u8>> = redis.run(&command).await.ok().flatten();
            kept = body.and_then(|b| serde_json::from_slice(&b).ok());
        }
        match kept {
            Some(kept) if kept.until > now_secs() => Ok(kept.plan),
            _ => Err(unknown()),
        }
    }
}

/// Twelve random base32-ish characters: short to quote, 60 bits hard to guess.
fn new_handle() -> String {
    use aws_lc_rs::rand::{SecureRandom, SystemRandom};
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 12];
    if SystemRandom::new().fill(&mut bytes).is_err() {
        // Never expected; the identity digest in the key still confines a guess to one user.
        bytes = fastrand::u128(..).to_le_bytes()[..12]
            .try_into()
            .unwrap_or_default();
    }
    bytes
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect()
}
