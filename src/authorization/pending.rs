//! What the sign-in carries through the browser between requests, sealed (AES-256-GCM under the
//! server's key, a context per kind so one cannot stand in for another) and with an expiry, so
//! any replica can finish what another started:
//! - [`SignIn`]: from `/authorize` (or `/account`'s sign-in) to Spotify's `/callback`, in a
//!   cookie named after Spotify's `state`, so two tabs signing in at once do not collide;
//! - [`AwaitingConsent`]: from `/callback` to the consent form's POST, as a hidden field bound
//!   to the browser's nonce cookie (the hash of the nonce is inside);
//! - [`Session`]: who is signed in to `/account`, in a cookie, also bound to the browser.

use crate::foundation::sealed::GrantKeys;
use crate::foundation::secret::Secret;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a person has to get through Spotify's page, or to answer the consent page.
pub const STEP_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// How long `/account` stays signed in.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(60 * 60);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PendingError {
    #[error(
        "this browser has no sign-in in progress here (cookies blocked, or the link was opened \
         in another browser); start again from the application"
    )]
    Missing,
    #[error("the sign-in data was altered or comes from another server; start again")]
    Tampered,
    #[error("the sign-in took longer than 10 minutes and expired; start again")]
    Expired,
    #[error("the sign-in belongs to another browser; start again in this one")]
    OtherBrowser,
}

/// An MCP client's authorization request, checked by `/authorize`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub code_challenge: String,
    /// Space-separated, a subset of the server's scopes.
    pub scopes: String,
    pub resource: String,
}

/// Why the person signs in with Spotify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Purpose {
    /// An MCP client asked (`/authorize`).
    Client(ClientRequest),
    /// The person wants to see `/account`.
    Account,
}

/// A round trip to Spotify in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignIn {
    pub purpose: Purpose,
    /// Spotify's `state`: the callback must bring the same one back.
    pub spotify_state: String,
    pub spotify_verifier: Secret,
    pub expires_at: u64,
}

/// A signed-in person who still has to answer the consent page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwaitingConsent {
    pub request: ClientRequest,
    pub user_id: String,
    /// [`browser_hash`] of the nonce cookie of the browser that signed in.
    pub browser: String,
    pub expires_at: u64,
}

/// A person signed in to `/account`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub user_id: String,
    pub browser: String,
    pub expires_at: u64,
}

/// A sealed value of one kind: its context, and when it stops being accepted.
pub trait Sealed: Serialize + DeserializeOwned {
    const CONTEXT: &'static str;
    fn expires_at(&self) -> u64;
}

impl Sealed for SignIn {
    const CONTEXT: &'static str = "spotify-mcp/authorization/sign-in";
    fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

impl Sealed for AwaitingConsent {
    const CONTEXT: &'static str = "spotify-mcp/authorization/consent";
    fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

impl Sealed for Session {
    const CONTEXT: &'static str = "spotify-mcp/authorization/session";
    fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

/// `value`, sealed: text safe for a cookie or a form field (base64 after `v1:`).
pub fn seal<T: Sealed>(keys: &GrantKeys, value: &T) -> String {
    let plain = serde_json::to_vec(value).expect("plain structs of strings serialize");
    keys.seal(&plain, T::CONTEXT)
}

/// The value [`seal`] made, if it is intact, of this kind and not expired at `now`.
pub fn open<T: Sealed>(
    keys: &GrantKeys,
    sealed: Option<&str>,
    now: u64,
) -> Result<T, PendingError> {
    let sealed = sealed.ok_or(PendingError::Missing)?;
    let plain = keys
        .open(sealed, T::CONTEXT)
        .map_err(|_| PendingError::Tampered)?;
    let value: T = serde_json::from_slice(&plain).map_err(|_| PendingError::Tampered)?;
    if value.expires_at() <= now {
        return Err(PendingError::Expired);
    }
    Ok(value)
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A fresh random value (32 bytes, base64url): a browser nonce.
pub fn random_nonce() -> String {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).expect("the system's random source works");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What a sealed value keeps of a browser nonce: its SHA-256, so the nonce itself stays only
/// in the browser's HttpOnly cookie.
pub fn browser_hash(nonce: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(nonce.as_bytes()))
}

/// Whether `nonce` (the browser's cookie) is the one `expected_hash` was made from.
pub fn same_browser(nonce: Option<&str>, expected_hash: &str) -> bool {
    use subtle::ConstantTimeEq;
    nonce.is_some_and(|nonce| {
        browser_hash(nonce)
            .as_bytes()
            .ct_eq(expected_hash.as_bytes())
            .into()
    })
}

/// The CSRF token of the forms shown to the browser with this nonce: derived from the nonce,
/// so another site can neither read nor make it.
pub fn csrf_token(nonce: &str) -> String {
    browser_hash(&format!("csrf:{nonce}"))
}

/// Whether a form's CSRF token is the one for the browser's nonce cookie.
pub fn csrf_matches(nonce: Option<&str>, token: Option<&str>) -> bool {
    use subtle::ConstantTimeEq;
    match (nonce, token) {
        (Some(nonce), Some(token)) => csrf_token(nonce).as_bytes().ct_eq(token.as_bytes()).into(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    fn keys() -> GrantKeys {
        GrantKeys::new(&Secret::new(KEY), &[]).unwrap()
    }

    fn sign_in(expires_at: u64) -> SignIn {
        SignIn {
            purpose: Purpose::Client(ClientRequest {
                client_id: "client".into(),
                redirect_uri: "http://127.0.0.1:1/cb".into(),
                state: Some("s".into()),
                code_challenge: "c".repeat(43),
                scopes: "user-read-private".into(),
                resource: "http://127.0.0.1:2/mcp".into(),
            }),
            spotify_state: "spotify-state".into(),
            spotify_verifier: Secret::new("the-spotify-verifier"),
            expires_at,
        }
    }

    #[test]
    fn a_sealed_sign_in_opens_intact_and_hides_the_verifier() {
        let sealed = seal(&keys(), &sign_in(1_000));
        assert!(!sealed.contains("verifier"), "{sealed}");
        assert_eq!(
            open::<SignIn>(&keys(), Some(&sealed), 999),
            Ok(sign_in(1_000))
        );
    }

    #[test]
    fn an_expired_sign_in_is_refused() {
        let sealed = seal(&keys(), &sign_in(1_000));
        assert_eq!(
            open::<SignIn>(&keys(), Some(&sealed), 1_000),
            Err(PendingError::Expired)
        );
    }

    #[test]
    fn a_tampered_missing_or_other_kind_of_value_is_refused() {
        let sealed = seal(&keys(), &sign_in(1_000));
        let mut bytes = sealed.clone().into_bytes();
        let last = bytes.len() - 3;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert_eq!(
            open::<SignIn>(&keys(), Some(&tampered), 0),
            Err(PendingError::Tampered)
        );
        assert_eq!(open::<SignIn>(&keys(), None, 0), Err(PendingError::Missing));
        // A sign-in cannot pass for a session: the contexts differ.
        assert_eq!(
            open::<Session>(&keys(), Some(&sealed), 0),
            Err(PendingError::Tampered)
        );
        let other_key = GrantKeys::new(&Secret::new(KEY.replace('0', "f")), &[]).unwrap();
        assert_eq!(
            open::<SignIn>(&other_key, Some(&sealed), 0),
            Err(PendingError::Tampered)
        );
    }

    #[test]
    fn only_the_browser_with_the_nonce_matches_its_hash() {
        let nonce = random_nonce();
        assert_eq!(nonce.len(), 43);
        let hash = browser_hash(&nonce);
        assert!(same_browser(Some(&nonce), &hash));
        assert!(!same_browser(Some(&random_nonce()), &hash));
        assert!(!same_browser(None, &hash));
        let token = csrf_token(&nonce);
        assert_ne!(token, hash);
        assert!(csrf_matches(Some(&nonce), Some(&token)));
        assert!(!csrf_matches(Some(&nonce), Some(&hash)));
        assert!(!csrf_matches(Some(&random_nonce()), Some(&token)));
        assert!(!csrf_matches(None, Some(&token)));
        assert!(!csrf_matches(Some(&nonce), None));
    }
}
