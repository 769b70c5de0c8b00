//! Grants at rest: sealed with AES-256-GCM under the operator's key (aws-lc-rs, the crypto
//! library rustls already uses), a fresh random nonce per write, and the name of where the value
//! lives (a Redis key, a user's database row) as associated data so a sealed grant cannot be
//! moved to another login. Old keys only open: after a rotation, the next write (a refresh,
//! within the hour) seals with the new key. Used by the Redis token store and the multi-user store.

use crate::foundation::secret::Secret;
use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Marks the format of a sealed value: `v1:` then base64 of nonce, ciphertext and tag.
const FORMAT: &str = "v1:";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "{0} must be 32 random bytes written as 64 hex digits or as base64 (e.g. the output of \
         `openssl rand -base64 32`)"
    )]
    Malformed(&'static str),
}

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error(
        "the grant in Redis cannot be opened with SPOTIFY_MCP_ENCRYPTION_KEY or any key of \
         SPOTIFY_MCP_ENCRYPTION_KEYS_OLD: give every server the same key (and the previous one among \
         the old keys while rotating)"
    )]
    WrongKey,
    #[error(
        "the grant in Redis is not in a format this server reads; run `spotify-mcp auth login` to replace it"
    )]
    Format,
}

/// The current key (seals and opens) and old ones (open only).
pub struct GrantKeys {
    current: RandomizedNonceKey,
    old: Vec<RandomizedNonceKey>,
}

impl std::fmt::Debug for GrantKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GrantKeys([redacted], {} old)", self.old.len())
    }
}

impl GrantKeys {
    pub fn new(current: &Secret, old: &[Secret]) -> Result<Self, KeyError> {
        Ok(Self {
            current: key(current, "SPOTIFY_MCP_ENCRYPTION_KEY")?,
            old: old
                .iter()
                .map(|k| key(k, "each key of SPOTIFY_MCP_ENCRYPTION_KEYS_OLD"))
                .collect::<Result<_, _>>()?,
        })
    }

    /// `plaintext` sealed with the current key, for the Redis key `context`.
    pub fn seal(&self, plaintext: &[u8], context: &str) -> String {
        let mut data = plaintext.to_vec();
        let nonce = self
            .current
            .seal_in_place_append_tag(Aad::from(context.as_bytes()), &mut data)
            .expect("AES-256-GCM seals any grant-sized input");
        let mut framed = nonce.as_ref().to_vec();
        framed.extend_from_slice(&data);
        format!("{FORMAT}{}", STANDARD.encode(framed))
    }

    /// The plaintext of a value [`GrantKeys::seal`] made for `context`, with any known key.
    pub fn open(&self, sealed: &str, context: &str) -> Result<Vec<u8>, SealError> {
        let framed = sealed
            .strip_prefix(FORMAT)
            .and_then(|b64| STANDARD.decode(b64).ok())
            .filter(|framed| framed.len() > NONCE_LEN)
            .ok_or(SealError::Format)?;
        let (nonce, ciphertext) = framed.split_at(NONCE_LEN);
        for key in std::iter::once(&self.current).chain(&self.old) {
            let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::Format)?;
            let mut data = ciphertext.to_vec();
            if let Ok(plain) = key.open_in_place(nonce, Aad::from(context.as_bytes()), &mut data) {
                return Ok(plain.to_vec());
            }
        }
        Err(SealError::WrongKey)
    }
}

/// 32 bytes from 64 hex digits or base64 (standard or URL-safe, padded or not).
fn key(text: &Secret, name: &'static str) -> Result<RandomizedNonceKey, KeyError> {
    let text = text.expose().trim();
    let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        (0..64)
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .ok()
    } else {
        let unpadded = text.trim_end_matches('=');
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(unpadded)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(unpadded))
            .ok()
    };
    bytes
        .filter(|bytes| bytes.len() == 32)
        .and_then(|bytes| RandomizedNonceKey::new(&AES_256_GCM, &bytes).ok())
        .ok_or(KeyError::Malformed(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    fn keys(current: &str, old: &[&str]) -> GrantKeys {
        let old: Vec<Secret> = old.iter().map(|k| Secret::new(*k)).collect();
        GrantKeys::new(&Secret::new(current), &old).unwrap()
    }

    #[test]
    fn a_sealed_grant_opens_only_with_a_known_key_and_its_own_context() {
        let base64 = STANDARD.encode([7u8; 32]);
        let sealed = keys(HEX, &[]).seal(b"refresh-token-xyz", "grant:a");
        assert!(!sealed.contains("refresh"), "{sealed}");
        assert_ne!(
            sealed,
            keys(HEX, &[]).seal(b"refresh-token-xyz", "grant:a"),
            "a fresh nonce each time"
        );
        assert_eq!(
            keys(HEX, &[]).open(&sealed, "grant:a").unwrap(),
            b"refresh-token-xyz"
        );
        // Rotated: the old key still opens what it sealed.
        assert_eq!(
            keys(&base64, &[HEX]).open(&sealed, "grant:a").unwrap(),
            b"refresh-token-xyz"
        );
        assert!(matches!(
            keys(&base64, &[]).open(&sealed, "grant:a"),
            Err(SealError::WrongKey)
        ));
        assert!(matches!(
            keys(HEX, &[]).open(&sealed, "grant:b"),
            Err(SealError::WrongKey)
        ));
        assert!(matches!(
            keys(HEX, &[]).open("{\"access_token\":1}", "grant:a"),
            Err(SealError::Format)
        ));
    }

    #[test]
    fn keys_must_be_32_bytes() {
        for bad in ["", "short", &HEX[..62], &STANDARD.encode([1u8; 16])] {
            assert!(GrantKeys::new(&Secret::new(bad), &[]).is_err(), "{bad}");
        }
        let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([0xfbu8; 32]);
        assert!(GrantKeys::new(&Secret::new(url_safe), &[]).is_ok());
        let error = GrantKeys::new(&Secret::new(HEX), &[Secret::new("x")]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("SPOTIFY_MCP_ENCRYPTION_KEYS_OLD"),
            "{error}"
        );
    }
}
