//! Which route of a family Spotify moved in 2026 this app may use, learned by trying (see
//! `src/mcp/fallback.rs`). Kept for the life of the process, and in Redis when configured so
//! that other servers of the same login skip the trial. A Redis failure only costs a trial.

use crate::foundation::redis_link::RedisLink;
use crate::spec::Side;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const REDIS_PREFIX: &str = "spotify-mcp:v1:route";
/// Spotify moves apps between kinds rarely; a stale entry costs one refused request.
const REDIS_TTL_SECS: u64 = 7 * 24 * 3600;

#[derive(Debug, Default)]
pub struct RouteMemory {
    known: Mutex<HashMap<&'static str, Side>>,
    redis: Option<Arc<RedisLink>>,
}

impl RouteMemory {
    pub fn new(redis: Option<Arc<RedisLink>>) -> Self {
        Self {
            known: Mutex::default(),
            redis,
        }
    }

    /// What worked last for `family`: this process's memory, else Redis (`identity` names the
    /// login, as for the cache: apps of different kinds may share one Redis).
    pub async fn get(&self, family: &'static str, identity: &str) -> Option<Side> {
        if let Some(route) = self.known.lock().expect("route memory").get(family) {
            return Some(*route);
        }
        let redis = self.redis.as_ref()?;
        let key = format!("{REDIS_PREFIX}:{identity}:{family}");
        let stored: Option<String> = redis
            .run(&redis::cmd("GET").arg(key).to_owned())
            .await
            .ok()?;
        let route = Side::parse(stored.as_deref()?)?;
        self.known
            .lock()
            .expect("route memory")
            .insert(family, route);
        Some(route)
    }

    /// Records the route that just worked; Redis is written only when that is news here.
    pub async fn set(&self, family: &'static str, identity: &str, route: Side) {
        let previous = self
            .known
            .lock()
            .expect("route memory")
            .insert(family, route);
        if previous == Some(route) {
            return;
        }
        if let Some(redis) = &self.redis {
            let key = format!("{REDIS_PREFIX}:{identity}:{family}");
            let command = redis::cmd("SET")
                .arg(key)
                .arg(route.as_str())
                .arg("EX")
                .arg(REDIS_TTL_SECS)
                .to_owned();
            let _ = redis.run::<()>(&command).await;
        }
    }
}
