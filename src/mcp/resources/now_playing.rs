//! One poller of the player state per user, shared by all that user's subscribers: it polls
//! only while someone listens, no more often than the configured interval, and tells its
//! listeners only when the state changed (the playback position alone is no change).

use serde_json::Value;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// A user's player state, reduced to what a listener would call a change.
pub type Fingerprint = Option<String>;

/// The pollers of every user someone is listening for.
#[derive(Debug)]
pub struct NowPlaying {
    interval: Duration,
    /// Per user identity: the channel its poller bumps on every change.
    pollers: Arc<Mutex<HashMap<String, watch::Sender<u64>>>>,
}

impl NowPlaying {
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            pollers: Arc::default(),
        }
    }

    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Whether a poller runs for `user` (someone listens).
    pub fn is_polling(&self, user: &str) -> bool {
        let pollers = self.pollers.lock().unwrap_or_else(|e| e.into_inner());
        pollers.get(user).is_some_and(|tx| !tx.is_closed())
    }

    /// A receiver that changes whenever `user`'s player state does. The first listener of a user
    /// starts their poller with `fetch`; it stops once the last receiver is dropped.
    pub fn listen<F, Fut>(&self, user: &str, fetch: F) -> watch::Receiver<u64>
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = Result<Fingerprint, ()>> + Send + 'static,
    {
        let mut pollers = self.pollers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = pollers.get(user)
            && !tx.is_closed()
        {
            return tx.subscribe();
        }
        let (tx, rx) = watch::channel(0);
        pollers.insert(user.to_string(), tx.clone());
        let poller = Poller {
            interval: self.interval,
            tx,
            pollers: self.pollers.clone(),
            user: user.to_string(),
        };
        tokio::spawn(poller.run(fetch));
        rx
    }
}

struct Poller {
    interval: Duration,
    tx: watch::Sender<u64>,
    pollers: Arc<Mutex<HashMap<String, watch::Sender<u64>>>>,
    user: String,
}

impl Poller {
    async fn run<F, Fut>(self, fetch: F)
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Fingerprint, ()>>,
    {
        // The state when the first listener came: what later polls are compared with.
        let mut last = fetch().await.ok();
        loop {
            tokio::select! {
                () = self.tx.closed() => {
                    if self.retire() {
                        return;
                    }
                }
                () = tokio::time::sleep(self.interval) => {
                    // A failed poll changes nothing: the next one may succeed.
                    let Ok(now) = fetch().await else { continue };
                    if last.as_ref().is_some_and(|last| *last != now) {
                        self.tx.send_modify(|version| *version += 1);
                    }
                    last = Some(now);
                }
            }
        }
    }

    /// Leaves the map unless a listener came back meanwhile; true: stop polling.
    fn retire(&self) -> bool {
        let mut pollers = self.pollers.lock().unwrap_or_else(|e| e.into_inner());
        if !self.tx.is_closed() {
            return false;
        }
        if pollers
            .get(&self.user)
            .is_some_and(|tx| tx.same_channel(&self.tx))
        {
            pollers.remove(&self.user);
        }
        true
    }
}

/// What of a player state counts as a change: the item, the device, play/pause, shuffle,
/// repeat and context; not the position, which moves on every poll.
pub fn fingerprint(state: Option<&Value>) -> Fingerprint {
    let state = state?;
    let pick = |path: &[&str]| {
        path.iter()
            .try_fold(state, |value, key| value.get(key))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let parts = [
        pick(&["item", "uri"]),
        pick(&["item", "id"]),
        pick(&["is_playing"]),
        pick(&["device", "id"]),
        pick(&["device", "name"]),
        pick(&["shuffle_state"]),
        pick(&["repeat_state"]),
        pick(&["context", "uri"]),
        pick(&["currently_playing_type"]),
    ];
    Some(Value::Array(parts.to_vec()).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn the_position_alone_is_no_change() {
        let a =
            json!({ "item": { "uri": "spotify:track:a" }, "progress_ms": 1, "is_playing": true });
        let b =
            json!({ "item": { "uri": "spotify:track:a" }, "progress_ms": 9, "is_playing": true });
        let c =
            json!({ "item": { "uri": "spotify:track:b" }, "progress_ms": 9, "is_playing": true });
        assert_eq!(fingerprint(Some(&a)), fingerprint(Some(&b)));
        assert_ne!(fingerprint(Some(&a)), fingerprint(Some(&c)));
        assert_ne!(fingerprint(Some(&a)), fingerprint(None));
    }

    #[tokio::test]
    async fn one_poller_per_user_that_stops_with_its_last_listener() {
        let interval = Duration::from_millis(50);
        let hub = NowPlaying::new(interval);
        let polls = Arc::new(AtomicUsize::new(0));
        let fetch = |polls: Arc<AtomicUsize>| {
            move || {
                let n = polls.fetch_add(1, Ordering::SeqCst);
                // The track changes once, at the third poll.
                async move { Ok(Some(if n >= 2 { "b" } else { "a" }.to_string())) }
            }
        };
        let mut first = hub.listen("ada", fetch(polls.clone()));
        let second = hub.listen("ada", fetch(polls.clone()));
        assert!(hub.is_polling("ada"));
        tokio::time::timeout(Duration::from_secs(10), first.changed())
            .await
            .expect("the change is heard")
            .unwrap();
        assert_eq!(polls.load(Ordering::SeqCst), 3, "one poller, not two");
        drop(first);
        drop(second);
        // The poller sees its last listener go (a signal) within a few intervals at most.
        for _ in 0..200 {
            if !hub.is_polling("ada") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(!hub.is_polling("ada"));
        let stopped = polls.load(Ordering::SeqCst);
        tokio::time::sleep(interval * 5).await;
        assert_eq!(
            polls.load(Ordering::SeqCst),
            stopped,
            "no polls without listeners"
        );
    }
}
