//! A user's grant: tokens, scopes and when it all happened. Serialized as the token file.

use crate::foundation::secret::Secret;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::time::{SystemTime, UNIX_EPOCH};

/// Spotify refresh tokens stop working six months after the user authorized the app.
pub const REFRESH_LIFETIME_SECS: u64 = 182 * 24 * 3600;
/// `auth status` warns when less than this is left of the refresh lifetime.
pub const REFRESH_WARNING_SECS: u64 = 21 * 24 * 3600;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Grant {
    /// Format version of the token file.
    pub version: u32,
    pub client_id: String,
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    /// Unix seconds when the access token expires.
    pub expires_at: u64,
    pub scopes: BTreeSet<String>,
    /// Unix seconds when the user authorized (the six-month clock starts here).
    pub authorized_at: u64,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub user_name: Option<String>,
    /// How many refreshes this login has been through: orders grants of one login without
    /// anyone's clock (servers sharing it may disagree on the time).
    #[serde(default)]
    pub revision: u64,
}

pub const GRANT_VERSION: u32 = 1;

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Grant {
    /// Whether the access token expires within `margin_secs`.
    pub fn expires_within(&self, margin_secs: u64) -> bool {
        self.expires_at <= now().saturating_add(margin_secs)
    }

    /// Scopes of `required` this grant lacks.
    pub fn missing<'a>(&self, required: &[&'a str]) -> Vec<&'a str> {
        required
            .iter()
            .copied()
            .filter(|s| !self.scopes.contains(*s))
            .collect()
    }

    /// Whether this grant replaces `other`: a later login, or a later refresh of the same login
    /// (by revision, not by the refreshing server's clock). Logins are told apart by the time the
    /// user authorized, which refreshes keep. The expiry only breaks a tie: two logins within
    /// the same second, or two servers that refreshed the same revision at once.
    pub fn supersedes(&self, other: &Grant) -> bool {
        (self.authorized_at, self.revision, self.expires_at)
            > (other.authorized_at, other.revision, other.expires_at)
    }

    /// Seconds left before the refresh token stops working (0 when past).
    pub fn refresh_lifetime_left(&self) -> u64 {
        (self.authorized_at + REFRESH_LIFETIME_SECS).saturating_sub(now())
    }
}

/// The scopes whose absence makes a tool unusable: all of its scopes when the grant has none of
/// them, else nothing. Spotify's lists often name alternatives (`playlist-modify-public` or
/// `-private`) or extras (`user-read-playback-position` only adds resume points), so one
/// granted scope is taken as enough.
pub fn missing_scopes<'a>(required: &[&'a str], granted: &BTreeSet<String>) -> Vec<&'a str> {
    if required.is_empty() || required.iter().any(|s| granted.contains(*s)) {
        Vec::new()
    } else {
        required.to_vec()
    }
}

/// "a" or "one of a, b", for messages about [`missing_scopes`].
pub fn describe_scopes(scopes: &[&str]) -> String {
    match scopes {
        [one] => format!("the scope {one}"),
        many => format!("one of the scopes {}", many.join(", ")),
    }
}
