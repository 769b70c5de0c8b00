//! The rate-limit governor. A 429 starts a cooldown until its `Retry-After`, shared by every
//! tool (and every replica of the same Spotify app, through Redis when configured: Spotify
//! counts the quota per app, so another app on the same Redis keeps its own). During a cooldown a call waits
//! once when the rest of it is short (under the cap), and otherwise fails at once with the
//! seconds left — Spotify's quota is shared by every client id of a developer account, so
//! hammering it during a cooldown only makes things worse.

use crate::foundation::redis_link::RedisLink;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::Mutex;

const REDIS_PREFIX: &str = "spotify-mcp:v1:cooldown";
/// When a 429 names no `Retry-After`.
const DEFAULT_COOLDOWN: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Cooldown {
    until_ms: u64,
    reason: Option<String>,
}

/// What a call must do before it may go to Spotify.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    Go,
    Wait(Duration),
    Reject {
        retry_after_secs: u64,
        reason: Option<String>,
    },
}

#[derive(Debug)]
pub struct Governor {
    max_wait: Duration,
    local: Mutex<Option<Cooldown>>,
    redis: Option<Arc<RedisLink>>,
    /// The cooldown's Redis key: per app (client id).
    redis_key: String,
}

fn cooldown_key(client_id: Option<&str>) -> String {
    format!("{REDIS_PREFIX}:app:{}", client_id.unwrap_or("unknown"))
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Governor {
    pub fn new(max_wait: Duration, redis: Option<Arc<RedisLink>>) -> Self {
        Self {
            max_wait,
            local: Mutex::new(None),
            redis,
            redis_key: cooldown_key(None),
        }
    }

    /// The governor of the Spotify app `client_id` (unknown for a raw access token): replicas
    /// share a cooldown only with servers of the same app.
    pub fn for_app(mut self, client_id: Option<&str>) -> Self {
        self.redis_key = cooldown_key(client_id);
        self
    }

    /// The longest a call may wait for a cooldown to end.
    pub fn max_wait(&self) -> Duration {
        self.max_wait
    }

    async fn current(&self) -> Option<Cooldown> {
        if let Some(redis) = &self.redis
            && let Ok(value) = redis
                .run::<Option<String>>(&redis::cmd("GET").arg(&self.redis_key).to_owned())
                .await
        {
            let shared = value.and_then(|v| {
                let (until, reason) = v.split_once('|')?;
                Some(Cooldown {
                    until_ms: until.parse().ok()?,
                    reason: (!reason.is_empty()).then(|| reason.to_string()),
                })
            });
            let local = self.local.lock().await.clone();
            return [shared, local]
                .into_iter()
                .flatten()
                .max_by_key(|c| c.until_ms);
        }
        self.local.lock().await.clone()
    }

    pub async fn check(&self) -> Decision {
        let Some(cooldown) = self.current().await else {
            return Decision::Go;
        };
        let now = now_ms();
        if cooldown.until_ms <= now {
            return Decision::Go;
        }
        let left = Duration::from_millis(cooldown.until_ms - now);
        if left <= self.max_wait {
            crate::foundation::metrics::governor("wait");
            Decision::Wait(left)
        } else {
            crate::foundation::metrics::governor("reject");
            Decision::Reject {
                retry_after_secs: left.as_secs_f64().ceil() as u64,
                reason: cooldown.reason,
            }
        }
    }

    /// Spotify answered 429: start (or extend) the cooldown.
    pub async fn record(&self, retry_after: Option<Duration>, reason: Option<String>) -> Duration {
        let wait = retry_after.unwrap_or(DEFAULT_COOLDOWN);
        let cooldown = Cooldown {
            until_ms: now_ms() + wait.as_millis() as u64,
            reason,
        };
        crate::foundation::metrics::governor("cooldown");
        {
            let mut local = self.local.lock().await;
            if local
                .as_ref()
                .is_none_or(|c| c.until_ms < cooldown.until_ms)
            {
                *local = Some(cooldown.clone());
            }
        }
        if let Some(redis) = &self.redis {
            let value = format!(
                "{}|{}",
                cooldown.until_ms,
                cooldown.reason.clone().unwrap_or_default()
            );
            let command = redis::cmd("SET")
                .arg(&self.redis_key)
                .arg(value)
                .arg("PX")
                .arg(wait.as_millis().max(1) as u64)
                .to_owned();
            let _ = redis.run::<()>(&command).await;
        }
        wait
    }
}
