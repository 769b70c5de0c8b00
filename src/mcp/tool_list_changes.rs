//! Who hears that the tool list changed: sessions of revisions before 2026-07-28 (their peers,
//! kept as they initialize) and 2026-07-28 `subscriptions/listen` streams that asked for
//! `toolsListChanged` (through a change counter each stream watches).

use rmcp::RoleServer;
use rmcp::service::{Peer, SubscriptionSink};
use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::watch;

/// How long one session may take to accept a notification before it is given up on.
const SEND_WITHIN: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub struct ToolListChanges {
    /// How often the catalog may change, in ms; 0 while nothing changes it (not declared).
    every_ms: AtomicU64,
    /// Live sessions of revisions before 2026-07-28; closed ones are dropped as others join.
    sessions: Mutex<Vec<Peer<RoleServer>>>,
    changes: watch::Sender<u64>,
}

impl Default for ToolListChanges {
    fn default() -> Self {
        Self {
            every_ms: AtomicU64::new(0),
            sessions: Mutex::default(),
            changes: watch::Sender::new(0),
        }
    }
}

impl ToolListChanges {
    /// The catalog may change from now on, at most once per `every`: `tools.listChanged` is
    /// declared to sessions that start after this.
    pub fn declare(&self, every: Duration) {
        let ms = u64::try_from(every.as_millis()).unwrap_or(u64::MAX).max(1);
        self.every_ms.store(ms, Ordering::Relaxed);
    }

    /// How often the catalog may change, once declared; `None`: it is fixed for the server's life.
    pub fn declared(&self) -> Option<Duration> {
        match self.every_ms.load(Ordering::Relaxed) {
            0 => None,
            ms => Some(Duration::from_millis(ms)),
        }
    }

    /// Keeps an initialized session's peer to tell it of changes (only once declared: else
    /// there is nothing to tell).
    pub fn join(&self, peer: Peer<RoleServer>) {
        if self.declared().is_none() {
            return;
        }
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.retain(|session| !session.is_transport_closed());
        sessions.push(peer);
    }

    /// Tells every live session and listen stream that the tool list changed.
    pub fn announce(&self) {
        self.changes
            .send_modify(|count| *count = count.wrapping_add(1));
        let live: Vec<_> = {
            let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
            sessions.retain(|session| !session.is_transport_closed());
            sessions.clone()
        };
        for peer in live {
            // One task per session, bounded in time: a slow one does not hold up the others.
            tokio::spawn(async move {
                let sent = tokio::time::timeout(SEND_WITHIN, peer.notify_tool_list_changed()).await;
                if !matches!(sent, Ok(Ok(()))) {
                    tracing::debug!("a session did not take notifications/tools/list_changed");
                }
            });
        }
    }

    /// For a `subscriptions/listen` stream that asked for `toolsListChanged`: sends one
    /// notification per change until `stop` or a failed send.
    pub async fn forward(&self, sink: &SubscriptionSink, stop: impl Future<Output = ()>) {
        let mut changes = self.changes.subscribe();
        tokio::pin!(stop);
        loop {
            tokio::select! {
                () = &mut stop => return,
                changed = changes.changed() => {
                    if changed.is_err() || sink.notify_tool_list_changed().await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_declared_until_something_can_change_the_catalog() {
        let changes = ToolListChanges::default();
        assert_eq!(changes.declared(), None);
        changes.declare(Duration::from_secs(5));
        assert_eq!(changes.declared(), Some(Duration::from_secs(5)));
    }

    #[tokio::test]
    async fn announcing_with_no_one_listening_is_harmless() {
        let changes = ToolListChanges::default();
        changes.declare(Duration::from_secs(1));
        changes.announce();
        assert_eq!(*changes.changes.borrow(), 1);
    }
}
