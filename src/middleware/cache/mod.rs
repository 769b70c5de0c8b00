//! The response cache: successful GETs by operation cache class, keyed by a hash of the user's
//! identity and the normalized request, never the token. Writes invalidate through generation
//! counters ("namespaces") rather than key scans, so both backends invalidate in O(1):
//! - every entry of the user's own data carries the user's generation, bumped by any write of
//!   theirs (a library save, a playlist edit, a player command);
//! - every entry carries the generation of its resource (`/playlists/{id}`, `/albums/{id}`…),
//!   bumped by a write to that resource, for every user.
//!
//! Redis, when configured, holds entries and generations for all replicas; while it is down the
//! memory store stands in. A cache failure never fails a call.

pub mod memory;
pub mod redis;

use crate::spec::{CacheClass, Operation};
use bytes::Bytes;
use memory::MemoryStore;
use redis::RedisStore;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;

use crate::foundation::redis_link::RedisLink;

/// Seconds each cache class is kept; zero means not cached.
#[derive(Debug, Clone, Copy)]
pub struct Ttls {
    pub catalog: Duration,
    pub user: Duration,
    pub playback: Duration,
}

impl Ttls {
    pub fn of(&self, class: CacheClass) -> Option<Duration> {
        let ttl = match class {
            CacheClass::Catalog => self.catalog,
            CacheClass::User => self.user,
            CacheClass::Playback => self.playback,
            CacheClass::None => Duration::ZERO,
        };
        (!ttl.is_zero()).then_some(ttl)
    }

    fn longest(&self) -> Duration {
        self.catalog.max(self.user).max(self.playback)
    }
}

#[derive(Debug)]
pub struct Cache {
    max_bytes: u64,
    memory: MemoryStore,
    redis: Option<RedisStore>,
    ttls: Ttls,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The path of the request relative to the API base: the last segments, as many as the
/// operation's template has.
fn relative_segments<'a>(url: &'a reqwest::Url, op: &Operation) -> Vec<&'a str> {
    let template_len = op.path.trim_matches('/').split('/').count();
    let segments: Vec<&str> = url.path().trim_matches('/').split('/').collect();
    segments[segments.len().saturating_sub(template_len)..].to_vec()
}

/// The resource a request reads or writes: its first two path segments (`playlists/{id}`).
fn resource(url: &reqwest::Url, op: &Operation) -> String {
    relative_segments(url, op)
        .into_iter()
        .take(2)
        .collect::<Vec<_>>()
        .join("/")
}

/// The generation every entry of `identity`'s own data carries: moving it (any write of theirs,
/// or `spotify-mcp users delete`) makes all of those entries stale at once, on every replica.
pub fn user_generation(identity: &str) -> String {
    format!("user:{identity}")
}

fn user_scoped(class: CacheClass) -> bool {
    matches!(
        class,
        CacheClass::User | CacheClass::Playback | CacheClass::None
    )
}

impl Cache {
    pub fn new(max_bytes: u64, ttls: Ttls, redis: Option<Arc<RedisLink>>) -> Self {
        // Generations must outlive every entry they guard.
        let memory = MemoryStore::new(max_bytes, ttls.longest() + Duration::from_secs(60));
        let redis =
            redis.map(|link| RedisStore::new(link, ttls.longest() + Duration::from_secs(60)));
        Self {
            max_bytes,
            memory,
            redis,
            ttls,
        }
    }

    /// The bound on the memory cache's bodies (`--cache-max-bytes`).
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// How long the longest-lived entry may be kept.
    pub fn longest_ttl(&self) -> Duration {
        self.ttls.longest()
    }

    pub fn ttl(&self, op: &Operation) -> Option<Duration> {
        self.ttls.of(op.cache)
    }

    fn generation_scopes(&self, identity: &str, url: &reqwest::Url, op: &Operation) -> Vec<String> {
        let mut scopes = vec![format!("res:{}", resource(url, op))];
        if user_scoped(op.cache) {
            scopes.push(user_generation(identity));
        }
        scopes
    }

    /// The entry key of a GET: identity, generations and the normalized request, hashed.
    pub async fn key(&self, identity: &str, url: &reqwest::Url, op: &Operation) -> String {
        let scopes = self.generation_scopes(identity, url, op);
        let generations = self.generations(&scopes).await;
        let mut query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        query.sort();
        let mut hasher = Sha256::new();
        hasher.update(identity.as_bytes());
        hasher.update(b"\n");
        hasher.update(op.id.as_bytes());
        hasher.update(b"\n");
        hasher.update(relative_segments(url, op).join("/").as_bytes());
        for (name, value) in &query {
            hasher.update(format!("\n{name}={value}").as_bytes());
        }
        for generation in generations {
            hasher.update(format!("\ng{generation}").as_bytes());
        }
        hex(&hasher.finalize())
    }

    async fn generations(&self, scopes: &[String]) -> Vec<u64> {
        if let Some(redis) = &self.redis
            && let Ok(generations) = redis.generations(scopes).await
        {
            return generations;
        }
        self.memory.generations(scopes).await
    }

    pub async fn get(&self, key: &str) -> Option<Bytes> {
        if let Some(redis) = &self.redis {
            match redis.get(key).await {
                Ok(found) => {
                    crate::foundation::metrics::cache_lookup(
                        "redis",
                        if found.is_some() { "hit" } else { "miss" },
                    );
                    return found;
                }
                Err(_) => crate::foundation::metrics::cache_lookup("redis", "error"),
            }
        }
        let found = self.memory.get(key).await;
        crate::foundation::metrics::cache_lookup(
            "memory",
            if found.is_some() { "hit" } else { "miss" },
        );
        found
    }

    pub async fn put(&self, key: String, body: Bytes, ttl: Duration) {
        if let Some(redis) = &self.redis {
            if redis.put(&key, &body, ttl).await.is_ok() {
                return;
            }
            crate::foundation::metrics::cache_lookup("redis", "error");
        }
        self.memory.put(key, body, ttl).await;
    }

    /// After a successful write: the writer's own data and the written resource go stale.
    pub async fn invalidate(&self, identity: &str, url: &reqwest::Url, op: &Operation) {
        let scopes = self.generation_scopes(identity, url, op);
        // Memory too, so a fallback during a Redis outage never serves what this write changed.
        self.memory.bump(&scopes).await;
        if let Some(redis) = &self.redis {
            let _ = redis.bump(&scopes).await;
        }
    }
}
