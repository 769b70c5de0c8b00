//! The in-process cache: moka, bounded by the bytes of the bodies it holds, each entry with
//! its own time to live.

use bytes::Bytes;
use moka::Expiry;
use moka::future::Cache;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Clone)]
struct Entry {
    body: Bytes,
    ttl: Duration,
}

struct PerEntryTtl;

impl Expiry<String, Entry> for PerEntryTtl {
    fn expire_after_create(
        &self,
        _key: &String,
        entry: &Entry,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(entry.ttl)
    }
}

pub struct MemoryStore {
    entries: Cache<String, Entry>,
    generations: Cache<String, u64>,
    /// Source of generation numbers: unique and increasing, so a forgotten generation (read as
    /// 0) never matches an entry made after a bump.
    next_generation: AtomicU64,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("entries", &self.entries.entry_count())
            .finish()
    }
}

impl MemoryStore {
    pub fn new(max_bytes: u64, generation_ttl: Duration) -> Self {
        let entries = Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|key: &String, entry: &Entry| {
                (key.len() + entry.body.len())
                    .try_into()
                    .unwrap_or(u32::MAX)
            })
            .expire_after(PerEntryTtl)
            .build();
        let generations = Cache::builder().time_to_live(generation_ttl).build();
        Self {
            entries,
            generations,
            next_generation: AtomicU64::new(1),
        }
    }

    pub async fn get(&self, key: &str) -> Option<Bytes> {
        self.entries.get(key).await.map(|entry| entry.body)
    }

    pub async fn put(&self, key: String, body: Bytes, ttl: Duration) {
        self.entries.insert(key, Entry { body, ttl }).await;
    }

    pub async fn generations(&self, scopes: &[String]) -> Vec<u64> {
        let mut out = Vec::with_capacity(scopes.len());
        for scope in scopes {
            out.push(self.generations.get(scope).await.unwrap_or(0));
        }
        out
    }

    pub async fn bump(&self, scopes: &[String]) {
        for scope in scopes {
            let generation = self.next_generation.fetch_add(1, Ordering::Relaxed);
            self.generations.insert(scope.clone(), generation).await;
        }
    }
}
