//! Who may start a request now: a place among the server's sessions (an MCP session, or a
//! session-less request while it runs), a slot among one session's requests in flight, and a
//! permit among the whole server's requests in flight. Each is a guard that frees itself when
//! dropped, i.e. once the answer has been sent: MCP answers stream after the handler returns,
//! which tower's ConcurrencyLimit would not wait for, and a full server refuses rather than queues.

use crate::foundation::metrics;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{MutexGuard, OwnedSemaphorePermit, Semaphore};

pub struct Admission {
    pub max_sessions: usize,
    pub max_inflight_per_session: usize,
    pub max_inflight: usize,
    sessions: Arc<LocalSessionManager>,
    /// Held while a place is given, so concurrent openers cannot overshoot --max-sessions.
    opening: tokio::sync::Mutex<()>,
    /// Session-less requests running now; each holds a place like a session.
    stateless: AtomicUsize,
    /// Requests in flight by session id; an entry lives only while its count is above zero.
    in_flight: Mutex<HashMap<String, usize>>,
    server_wide: Arc<Semaphore>,
}

/// A session-less request's place among the sessions.
pub struct Place(Arc<Admission>);

impl Drop for Place {
    fn drop(&mut self) {
        self.0.stateless.fetch_sub(1, Ordering::AcqRel);
    }
}

/// One of a session's in-flight slots.
pub struct Slot {
    admission: Arc<Admission>,
    session: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut in_flight = self
            .admission
            .in_flight
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(count) = in_flight.get_mut(&self.session) {
            *count -= 1;
            if *count == 0 {
                in_flight.remove(&self.session);
            }
        }
    }
}

/// Holds `--max-sessions` steady while a session opens: drop it once rmcp registered the session.
pub struct Opening<'a> {
    _held: MutexGuard<'a, ()>,
}

impl Admission {
    pub fn new(
        max_sessions: usize,
        max_inflight_per_session: usize,
        max_inflight: usize,
        sessions: Arc<LocalSessionManager>,
    ) -> Self {
        Self {
            max_sessions,
            max_inflight_per_session,
            max_inflight,
            sessions,
            opening: tokio::sync::Mutex::new(()),
            stateless: AtomicUsize::new(0),
            in_flight: Mutex::new(HashMap::new()),
            server_wide: Arc::new(Semaphore::new(max_inflight)),
        }
    }

    /// Sessions open plus session-less requests running.
    async fn places_taken(&self) -> usize {
        self.sessions.sessions.read().await.len() + self.stateless.load(Ordering::Acquire)
    }

    pub async fn has_session(&self, id: &str) -> bool {
        self.sessions.sessions.read().await.contains_key(id)
    }

    /// A permit among the server's requests in flight.
    pub fn server_permit(&self) -> Result<OwnedSemaphorePermit, Refusal> {
        self.server_wide.clone().try_acquire_owned().map_err(|_| {
            tracing::warn!(
                max = self.max_inflight,
                "request refused: --max-inflight reached"
            );
            Refusal::ServerBusy(self.max_inflight)
        })
    }

    /// Room for one more session: the guard keeps others out until this one is registered.
    pub async fn open_session(&self) -> Result<Opening<'_>, Refusal> {
        let guard = self.opening.lock().await;
        let taken = self.places_taken().await;
        if taken >= self.max_sessions {
            tracing::warn!(taken, "new MCP session refused: --max-sessions reached");
            return Err(Refusal::SessionsFull(taken));
        }
        Ok(Opening { _held: guard })
    }

    /// A place for one session-less request, held until its answer has been sent.
    pub async fn stateless_place(self: &Arc<Self>) -> Result<Place, Refusal> {
        let _one_at_a_time = self.opening.lock().await;
        let taken = self.places_taken().await;
        if taken >= self.max_sessions {
            tracing::warn!(
                taken,
                "session-less request refused: --max-sessions reached"
            );
            return Err(Refusal::SessionsFull(taken));
        }
        self.stateless.fetch_add(1, Ordering::AcqRel);
        Ok(Place(self.clone()))
    }

    /// One of `session`'s in-flight slots.
    pub fn session_slot(self: &Arc<Self>, session: &str) -> Result<Slot, Refusal> {
        let mut in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        let count = in_flight.entry(session.to_string()).or_default();
        if *count >= self.max_inflight_per_session {
            return Err(Refusal::SessionBusy(self.max_inflight_per_session));
        }
        *count += 1;
        Ok(Slot {
            admission: self.clone(),
            session: session.to_string(),
        })
    }
}

/// Why a request was not let in.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error(
        "the server already has {0} MCP requests in flight (its --max-inflight); retry shortly"
    )]
    ServerBusy(usize),
    #[error(
        "too many MCP sessions and session-less requests at once ({0}, the server's --max-sessions); \
         close a session (DELETE /mcp) or retry after one ends"
    )]
    SessionsFull(usize),
    #[error(
        "this session already has {0} requests in flight (the server's --max-inflight-per-session); \
         wait for one to finish"
    )]
    SessionBusy(usize),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, retry_after, reason) = match self {
            Self::ServerBusy(_) => (StatusCode::SERVICE_UNAVAILABLE, "1", "server_busy"),
            Self::SessionsFull(_) => (StatusCode::SERVICE_UNAVAILABLE, "30", "too_many_sessions"),
            Self::SessionBusy(_) => (StatusCode::TOO_MANY_REQUESTS, "1", "too_many_in_flight"),
        };
        metrics::http_refusal(reason);
        (
            status,
            [(header::RETRY_AFTER, retry_after)],
            self.to_string(),
        )
            .into_response()
    }
}
