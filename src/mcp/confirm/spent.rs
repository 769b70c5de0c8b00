//! Confirmations already used: each sealed `requestState` confirms one call. The nonce a state
//! carries is spent when the confirmed call runs — in Redis (`SET NX`, expiring with the state)
//! when the server has one, so every replica agrees; else in a bounded memory of this process.
//! While a configured Redis is down, nothing is confirmed: running a call whose confirmation
//! might already be spent would undo the point.

use super::state::Confirmation;
use crate::foundation::redis_link::RedisLink;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

const PREFIX: &str = "spotify-mcp:v1:confirm-spent";
/// Most nonces kept in memory (10 minutes' worth); past it, confirmations are refused rather
/// than forgetting a spent one early.
const MEMORY_NONCES: usize = 50_000;

/// Why a confirmation cannot be spent; the confirmed call does not run.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SpendError {
    #[error(
        "this confirmation was already used; call the tool again to be asked anew. Nothing was sent \
         to Spotify this time"
    )]
    AlreadyUsed,
    #[error(
        "the confirmation could not be checked against the ones already used (the server's Redis is \
         unavailable); nothing was sent to Spotify. Try again in a moment: the confirmation stays \
         valid until it expires"
    )]
    Unavailable,
    #[error(
        "this server holds too many recent confirmations to record another; nothing was sent to \
         Spotify. Try again in a few minutes"
    )]
    Full,
}

pub struct Spent {
    redis: Option<Arc<RedisLink>>,
    /// Nonce → Unix seconds when its state expires (after which it needs no remembering).
    memory: Mutex<HashMap<String, u64>>,
    capacity: usize,
}

impl std::fmt::Debug for Spent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spent")
            .field("redis", &self.redis.is_some())
            .finish_non_exhaustive()
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Spent {
    /// Spent nonces in `redis` when given (shared by replicas), else in this process's memory.
    pub fn new(redis: Option<Arc<RedisLink>>) -> Self {
        Self::with_capacity(redis, MEMORY_NONCES)
    }

    fn with_capacity(redis: Option<Arc<RedisLink>>, capacity: usize) -> Self {
        Self {
            redis,
            memory: Mutex::default(),
            capacity,
        }
    }

    /// Marks `confirmation` used; fails if it was already, or if that cannot be known.
    pub async fn spend(&self, confirmation: &Confirmation) -> Result<(), SpendError> {
        let remaining = confirmation.expires_at.saturating_sub(now_secs()).max(1);
        match &self.redis {
            Some(redis) => {
                let command = redis::cmd("SET")
                    .arg(format!("{PREFIX}:{}", confirmation.nonce))
                    .arg(1)
                    .arg("NX")
                    .arg("EX")
                    .arg(remaining)
                    .to_owned();
                // `OK` when this call set it; nil when the nonce was there already.
                match redis.run::<Option<String>>(&command).await {
                    Ok(Some(_)) => Ok(()),
                    Ok(None) => Err(SpendError::AlreadyUsed),
                    Err(_) => Err(SpendError::Unavailable),
                }
            }
            None => self.spend_in_memory(confirmation),
        }
    }

    fn spend_in_memory(&self, confirmation: &Confirmation) -> Result<(), SpendError> {
        let now = now_secs();
        let mut memory = self.memory.lock().unwrap_or_else(|e| e.into_inner());
        if memory.contains_key(&confirmation.nonce) {
            return Err(SpendError::AlreadyUsed);
        }
        if memory.len() >= self.capacity {
            // Expired states no longer open, so their nonces can go.
            memory.retain(|_, expires_at| *expires_at >= now);
        }
        if memory.len() >= self.capacity {
            return Err(SpendError::Full);
        }
        memory.insert(confirmation.nonce.clone(), confirmation.expires_at);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn confirmation(nonce: &str, expires_at: u64) -> Confirmation {
        Confirmation {
            nonce: nonce.into(),
            expires_at,
        }
    }

    #[tokio::test]
    async fn a_nonce_is_spent_once_in_memory() {
        let spent = Spent::new(None);
        let one = confirmation("a", now_secs() + 600);
        assert_eq!(spent.spend(&one).await, Ok(()));
        assert_eq!(spent.spend(&one).await, Err(SpendError::AlreadyUsed));
        assert_eq!(
            spent.spend(&confirmation("b", now_secs() + 600)).await,
            Ok(())
        );
    }

    #[tokio::test]
    async fn a_full_memory_forgets_only_expired_nonces_and_else_refuses() {
        let spent = Spent::with_capacity(None, 2);
        let expired = confirmation("old", now_secs() - 1);
        let live = confirmation("live", now_secs() + 600);
        spent.spend(&expired).await.unwrap();
        spent.spend(&live).await.unwrap();
        assert_eq!(
            spent.spend(&confirmation("new", now_secs() + 600)).await,
            Ok(())
        );
        assert_eq!(
            spent.spend(&confirmation("more", now_secs() + 600)).await,
            Err(SpendError::Full)
        );
        assert_eq!(spent.spend(&live).await, Err(SpendError::AlreadyUsed));
    }
}
