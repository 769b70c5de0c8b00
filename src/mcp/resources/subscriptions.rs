//! Who listens to what: the now-playing pollers, and the `resources/subscribe` subscriptions of
//! sessions on revisions before 2026-07-28 (each a forwarding task, stopped by its token).

use super::now_playing::NowPlaying;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A session's subscription to one resource: `(session id, resource URI)`.
pub type SessionResource = (String, String);

#[derive(Debug)]
pub struct Subscriptions {
    pub now_playing: NowPlaying,
    legacy: Mutex<HashMap<SessionResource, CancellationToken>>,
}

impl Subscriptions {
    pub fn new(poll_interval: Duration) -> Self {
        Self {
            now_playing: NowPlaying::new(poll_interval),
            legacy: Mutex::default(),
        }
    }

    /// Records a session's subscription; `None` when it already has this one (subscribing
    /// twice is one subscription).
    pub fn add(&self, key: SessionResource) -> Option<CancellationToken> {
        let mut legacy = self.legacy.lock().unwrap_or_else(|e| e.into_inner());
        legacy.retain(|_, stop| !stop.is_cancelled());
        if legacy.contains_key(&key) {
            return None;
        }
        let stop = CancellationToken::new();
        legacy.insert(key, stop.clone());
        Some(stop)
    }

    /// Ends a session's subscription; false when there was none.
    pub fn remove(&self, key: &SessionResource) -> bool {
        let mut legacy = self.legacy.lock().unwrap_or_else(|e| e.into_inner());
        match legacy.remove(key) {
            Some(stop) => {
                stop.cancel();
                true
            }
            None => false,
        }
    }
}
