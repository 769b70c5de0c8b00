//! The shared cache on Redis: entries under hashed keys with a TTL, and generation counters
//! that never repeat a value.

use crate::foundation::redis_link::{RedisError, RedisLink};
use bytes::Bytes;
use std::sync::Arc;
use std::time::Duration;

const PREFIX: &str = "spotify-mcp:v1";

#[derive(Debug)]
pub struct RedisStore {
    link: Arc<RedisLink>,
    generation_ttl: Duration,
}

impl RedisStore {
    pub fn new(link: Arc<RedisLink>, generation_ttl: Duration) -> Self {
        Self {
            link,
            generation_ttl,
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, RedisError> {
        let value: Option<Vec<u8>> = self
            .link
            .run(
                &redis::cmd("GET")
                    .arg(format!("{PREFIX}:c:{key}"))
                    .to_owned(),
            )
            .await?;
        Ok(value.map(Bytes::from))
    }

    pub async fn put(&self, key: &str, body: &[u8], ttl: Duration) -> Result<(), RedisError> {
        let command = redis::cmd("SET")
            .arg(format!("{PREFIX}:c:{key}"))
            .arg(body)
            .arg("PX")
            .arg(ttl.as_millis() as u64)
            .to_owned();
        self.link.run::<()>(&command).await
    }

    pub async fn generations(&self, scopes: &[String]) -> Result<Vec<u64>, RedisError> {
        let keys: Vec<String> = scopes.iter().map(|s| format!("{PREFIX}:g:{s}")).collect();
        let values: Vec<Option<u64>> = self
            .link
            .run(&redis::cmd("MGET").arg(keys).to_owned())
            .await?;
        Ok(values.into_iter().map(|v| v.unwrap_or(0)).collect())
    }

    /// Moves each scope to a generation it never had. A counter that expired (no write for a
    /// while) starts again from a random base, not from 1: an entry written under an earlier
    /// run of the counter must not match again.
    pub async fn bump(&self, scopes: &[String]) -> Result<(), RedisError> {
        let mut pipeline = redis::pipe();
        // All or nothing, so that the counter cannot expire between its creation and INCR.
        pipeline.atomic();
        for scope in scopes {
            let key = format!("{PREFIX}:g:{scope}");
            pipeline
                .cmd("SET")
                .arg(&key)
                .arg(fastrand::u64(1 << 32..1 << 62))
                .arg("NX")
                .ignore();
            pipeline.cmd("INCR").arg(&key).ignore();
            pipeline
                .cmd("PEXPIRE")
                .arg(&key)
                .arg(self.generation_ttl.as_millis() as u64)
                .ignore();
        }
        self.link.run::<()>(&pipeline).await
    }
}
