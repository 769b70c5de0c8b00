//! Which route of a family Spotify moved in 2026 this app may use, learned by trying (see
//! `src/mcp/fallback.rs`). Kept for the life of the process, and in Redis when configured so
//! that other servers of the same app skip the trial (Spotify decides per app, by its client
//! id; a raw token's app is unknown, so its entries are per token). A Redis failure only costs
//! a trial.

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
    /// The Spotify app's client id, when known.
    app: Option<String>,
}

impl RouteMemory {
    pub fn new(redis: Option<Arc<RedisLink>>) -> Self {
        Self {
            known: Mutex::default(),
            redis,
            app: None,
        }
    }

    /// The memory of the Spotify app `client_id` (unknown for a raw access token).
    pub fn for_app(mut self, client_id: Option<&str>) -> Self {
        self.app = client_id.map(String::from);
        self
    }

    /// The Redis key for `family`: per app, else per login (`identity`).
    fn redis_key(&self, family: &str, identity: &str) -> String {
        match &self.app {
            Some(app) => format!("{REDIS_PREFIX}:app:{app}:{family}"),
            None => format!("{REDIS_PREFIX}:{identity}:{family}"),
        }
    }

    /// What worked last for `family`: this process's memory, else Redis (`identity` names the
    /// login, for a raw token whose app is unknown).
    pub async fn get(&self, family: &'static str, identity: &str) -> Option<Side> {
        if let Some(route) = self.known.lock().expect("route memory").get(family) {
            return Some(*route);
        }
        let redis = self.redis.as_ref()?;
        let key = self.redis_key(family, identity);
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
            let key = self.redis_key(family, identity);
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
