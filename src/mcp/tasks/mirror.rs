//! Tasks as every replica sees them, when the server has Redis: the creating replica mirrors
//! each task's `tasks/get` answer to `spotify-mcp:v1:task:{id}` (with a digest of its owner,
//! never a token), and `tasks/cancel` on another replica leaves a flag at `…:{id}:cancel` that
//! the creating replica's paging reads between pages.

use crate::foundation::redis_link::RedisLink;
use rmcp::model::GetTaskResult;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

const PREFIX: &str = "spotify-mcp:v1:task";

/// A task as the creating replica last wrote it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Mirrored {
    /// [`owner_digest`] of who created it.
    pub owner: String,
    /// What `tasks/get` answers for it.
    pub state: GetTaskResult,
    /// Unix milliseconds when this entry expires (the cancel flag expires with it).
    pub expires_at_ms: u64,
}

/// Redis did not answer: a remote task can be neither found nor ruled out.
#[derive(Debug, thiserror::Error)]
#[error(
    "the task store is unreachable, so this replica cannot see a task another one created; retry in a moment"
)]
pub struct Unreachable;

/// The Redis the replicas share tasks through.
pub struct Mirror {
    redis: Arc<RedisLink>,
}

/// A digest of the owner's user id (`None`: the server's one user): names no one.
pub fn owner_digest(user_id: Option<&str>) -> String {
    let subject = match user_id {
        Some(id) => format!("user:{id}"),
        None => "server".to_string(),
    };
    let digest = Sha256::digest(subject.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Ids the task manager makes (UUIDs): anything else names no task, and never another key.
pub fn plausible_id(task_id: &str) -> bool {
    !task_id.is_empty()
        && task_id.len() <= 64
        && task_id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn key(task_id: &str) -> String {
    format!("{PREFIX}:{task_id}")
}

fn cancel_key(task_id: &str) -> String {
    format!("{PREFIX}:{task_id}:cancel")
}

impl Mirror {
    pub fn new(redis: Arc<RedisLink>) -> Self {
        Self { redis }
    }

    /// Writes `state` of `owner`'s task, kept for `ttl`; false when Redis did not take it.
    pub async fn write(&self, owner: &str, state: &GetTaskResult, ttl: Duration) -> bool {
        let ttl_ms = (ttl.as_millis() as u64).max(1);
        let entry = Mirrored {
            owner: owner.to_string(),
            state: state.clone(),
            expires_at_ms: now_ms() + ttl_ms,
        };
        let Ok(body) = serde_json::to_vec(&entry) else {
            return false;
        };
        let command = redis::cmd("SET")
            .arg(key(&state.task.task.task_id))
            .arg(body)
            .arg("PX")
            .arg(ttl_ms)
            .to_owned();
        let written = self.redis.run::<()>(&command).await;
        if let Err(error) = &written {
            tracing::debug!(%error, "a task's state was not mirrored to Redis");
        }
        written.is_ok()
    }

    /// The task under `task_id`, if Redis holds it.
    pub async fn read(&self, task_id: &str) -> Result<Option<Mirrored>, Unreachable> {
        if !plausible_id(task_id) {
            return Ok(None);
        }
        let command = redis::cmd("GET").arg(key(task_id)).to_owned();
        let body: Option<Vec<u8>> = self.redis.run(&command).await.map_err(|_| Unreachable)?;
        Ok(body.and_then(|body| match serde_json::from_slice(&body) {
            Ok(entry) => Some(entry),
            Err(error) => {
                tracing::warn!(%error, "a mirrored task is unreadable; treated as unknown");
                None
            }
        }))
    }

    /// Asks the creating replica to stop `entry`'s task before its next page.
    pub async fn request_cancel(&self, entry: &Mirrored) -> Result<(), Unreachable> {
        let ttl_ms = entry.expires_at_ms.saturating_sub(now_ms()).max(1);
        let command = redis::cmd("SET")
            .arg(cancel_key(&entry.state.task.task.task_id))
            .arg(1)
            .arg("PX")
            .arg(ttl_ms)
            .to_owned();
        self.redis
            .run::<()>(&command)
            .await
            .map_err(|_| Unreachable)
    }

    /// Whether another replica asked to cancel `task_id` (no: when Redis does not answer).
    pub async fn cancel_requested(&self, task_id: &str) -> bool {
        let command = redis::cmd("EXISTS").arg(cancel_key(task_id)).to_owned();
        self.redis.run::<u64>(&command).await.is_ok_and(|n| n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_are_digests_that_tell_users_apart() {
        let ada = owner_digest(Some("ada"));
        assert_eq!(ada, owner_digest(Some("ada")));
        assert_ne!(ada, owner_digest(Some("bob")));
        assert_ne!(ada, owner_digest(None));
        assert!(!ada.contains("ada"));
    }

    #[test]
    fn only_uuid_like_ids_become_keys() {
        assert!(plausible_id("6f1c2d3e-0000-4000-8000-000000000000"));
        assert!(!plausible_id(""));
        assert!(!plausible_id("x:cancel"));
        assert!(!plausible_id("*"));
        assert!(!plausible_id(&"a".repeat(65)));
    }
}
