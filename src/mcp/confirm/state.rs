//! The `requestState` of a 2026-07-28 confirmation: sealed with an HMAC (rmcp's
//! [`RequestStateCodec`]) and bound to the user, the tool and its arguments, so a retry cannot
//! confirm another call than the one the person was asked about, and it expires. It carries a
//! random nonce, which the confirmed call spends ([`super::spent`]): each state confirms once.
//!
//! The key derives from `SPOTIFY_MCP_ENCRYPTION_KEY` when set (the same on every replica);
//! without it each process draws a random key, so a retry must reach the process that asked.

use crate::foundation::secret::Secret;
use rmcp::model::{RequestStateCodec, RequestStateError, SealOptions};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// How long a person has to answer before the retry is refused.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(600);
/// What every payload starts with, so a state sealed for something else never opens here.
const PAYLOAD_PREFIX: &str = "confirm-destructive-v2:";

pub struct StateSeal {
    codec: RequestStateCodec,
}

impl std::fmt::Debug for StateSeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StateSeal(..)")
    }
}

/// An opened state: the confirmation it stands for, spent when the confirmed call runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// Random, unique per issued state (readable by anyone: the state is signed, not encrypted).
    pub nonce: String,
    /// Unix seconds after which the state no longer opens.
    pub expires_at: u64,
}

/// Why a retry's `requestState` is refused.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(
        "the confirmation of this call has expired (answers are taken for {} minutes); call the tool again to be asked anew",
        ANSWER_WITHIN.as_secs() / 60
    )]
    Expired,
    #[error(
        "the confirmation sent back (requestState) is not one this server issued for this tool, these \
         arguments and this user; nothing was sent to Spotify. Call the tool again without requestState \
         to be asked anew"
    )]
    Forged,
}

impl StateSeal {
    /// A seal keyed from `key` (the server's encryption key) or, without one, a random key.
    pub fn new(key: Option<&Secret>) -> Self {
        let mut material = [0u8; 32];
        match key {
            Some(key) => {
                let digest = Sha256::new()
                    .chain_update(b"spotify-mcp request state\0")
                    .chain_update(key.expose().as_bytes())
                    .finalize();
                material.copy_from_slice(&digest);
            }
            None => {
                use aws_lc_rs::rand::{SecureRandom, SystemRandom};
                // Only at start-up, and only if the system has no random source: a guessable
                // key would let anyone forge confirmations, so stopping is the safe answer.
                SystemRandom::new()
                    .fill(&mut material)
                    .expect("the system's random source is needed for the confirmation key");
            }
        }
        let codec = RequestStateCodec::try_new(material.to_vec())
            .expect("a 32-byte key is long enough for the request-state codec");
        Self { codec }
    }

    /// The state to send with the question: a fresh nonce and its expiry, sealed.
    pub fn seal(&self, binding: &[u8]) -> String {
        let expires_at = now_secs() + ANSWER_WITHIN.as_secs();
        let payload = format!("{PAYLOAD_PREFIX}{}:{expires_at}", new_nonce());
        self.codec.seal_with(
            payload.as_bytes(),
            &SealOptions::new()
                .associated_data(binding)
                .ttl(ANSWER_WITHIN),
        )
    }

    /// Checks a retry's state against the binding of the call it came with.
    pub fn open(&self, state: &str, binding: &[u8]) -> Result<Confirmation, StateError> {
        match self.codec.open_with(state, binding) {
            Ok(payload) => confirmation(&payload).ok_or(StateError::Forged),
            Err(RequestStateError::Expired) => Err(StateError::Expired),
            Err(_) => Err(StateError::Forged),
        }
    }
}

/// The confirmation in an opened payload (`confirm-destructive-v2:{nonce}:{expires_at}`).
fn confirmation(payload: &[u8]) -> Option<Confirmation> {
    let text = std::str::from_utf8(payload).ok()?;
    let (nonce, expires_at) = text.strip_prefix(PAYLOAD_PREFIX)?.split_once(':')?;
    Some(Confirmation {
        nonce: nonce.to_string(),
        expires_at: expires_at.parse().ok()?,
    })
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// 128 random bits in hex: unique per issued state (secrecy is not needed, the seal is).
fn new_nonce() -> String {
    use aws_lc_rs::rand::{SecureRandom, SystemRandom};
    let mut bytes = [0u8; 16];
    if SystemRandom::new().fill(&mut bytes).is_err() {
        // Never expected; uniqueness is all a nonce needs, which this still gives.
        bytes = fastrand::u128(..).to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a state is bound to: the user, the tool and the arguments (keys in sorted order).
pub fn binding(identity: &str, tool: &str, arguments: &Map<String, Value>) -> Vec<u8> {
    let canonical = sorted(&Value::Object(arguments.clone())).to_string();
    Sha256::new()
        .chain_update(identity.as_bytes())
        .chain_update([0])
        .chain_update(tool.as_bytes())
        .chain_update([0])
        .chain_update(canonical.as_bytes())
        .finalize()
        .to_vec()
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&map[k])))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn args(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn a_state_opens_only_for_the_call_it_was_sealed_for() {
        let seal = StateSeal::new(Some(&Secret::new("k".repeat(44))));
        let call = binding(
            "alice",
            "remove_playlist_items",
            &args(json!({ "playlist_id": "p", "n": 1 })),
        );
        let state = seal.seal(&call);
        let reordered = binding(
            "alice",
            "remove_playlist_items",
            &args(json!({ "n": 1, "playlist_id": "p" })),
        );
        assert!(seal.open(&state, &reordered).is_ok());
        let other_args = binding(
            "alice",
            "remove_playlist_items",
            &args(json!({ "playlist_id": "q", "n": 1 })),
        );
        assert!(matches!(
            seal.open(&state, &other_args),
            Err(StateError::Forged)
        ));
        let other_user = binding(
            "bob",
            "remove_playlist_items",
            &args(json!({ "playlist_id": "p", "n": 1 })),
        );
        assert!(matches!(
            seal.open(&state, &other_user),
            Err(StateError::Forged)
        ));
    }

    #[test]
    fn every_state_carries_its_own_nonce_and_expiry() {
        let seal = StateSeal::new(None);
        let call = binding("alice", "t", &Map::new());
        let one = seal.open(&seal.seal(&call), &call).unwrap();
        let two = seal.open(&seal.seal(&call), &call).unwrap();
        assert_ne!(one.nonce, two.nonce);
        assert_eq!(one.nonce.len(), 32);
        let within = one.expires_at.saturating_sub(now_secs());
        assert!((ANSWER_WITHIN.as_secs() - 5..=ANSWER_WITHIN.as_secs()).contains(&within));
    }

    #[test]
    fn replicas_with_the_same_key_agree_and_others_do_not() {
        let key = Secret::new("k".repeat(44));
        let call = binding("alice", "t", &Map::new());
        let state = StateSeal::new(Some(&key)).seal(&call);
        assert!(StateSeal::new(Some(&key)).open(&state, &call).is_ok());
        assert!(StateSeal::new(None).open(&state, &call).is_err());
    }
}
