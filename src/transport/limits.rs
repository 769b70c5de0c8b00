//! Bounds on what HTTP clients may ask of the server: request body size (413), MCP sessions
//! open at once (503), and requests in flight per session (429). Idle sessions expire in rmcp's
//! session manager (`SessionConfig::keep_alive`).

use super::guarded_body::hold_until_sent;
use crate::foundation::metrics;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const SESSION_HEADER: &str = "mcp-session-id";
/// How far past --max-body-bytes a body is still read (and dropped) to answer 413 cleanly.
const DRAIN_ALLOWANCE: usize = 64 * 1024;

pub struct Limits {
    pub max_body_bytes: usize,
    pub max_sessions: usize,
    pub max_inflight_per_session: usize,
    pub sessions: Arc<LocalSessionManager>,
    /// Held while a session opens, so concurrent `initialize` calls cannot overshoot the bound.
    opening: tokio::sync::Mutex<()>,
    /// Requests in flight by session id; an entry lives only while its count is above zero.
    in_flight: Mutex<HashMap<String, usize>>,
}

/// What a POSTed JSON-RPC message is, as far as the limits care.
enum Kind {
    Initialize,
    Request,
    /// A notification, a response, or something rmcp will refuse itself.
    Other,
}

#[derive(serde::Deserialize)]
struct Envelope {
    method: Option<String>,
    id: Option<serde::de::IgnoredAny>,
}

fn kind(body: &[u8]) -> Kind {
    match serde_json::from_slice::<Envelope>(body) {
        Ok(Envelope {
            method: Some(method),
            id: Some(_),
        }) if method == "initialize" => Kind::Initialize,
        Ok(Envelope {
            method: Some(_),
            id: Some(_),
        }) => Kind::Request,
        _ => Kind::Other,
    }
}

fn is_length_limit(error: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = cause {
        if error.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cause = error.source();
    }
    false
}

fn too_large(limit: usize) -> Response {
    metrics::http_refusal("body_too_large");
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the request body exceeds {limit} bytes (the server's --max-body-bytes)"),
    )
        .into_response()
}

/// Frees one in-flight slot of a session when the answer has been sent.
struct Slot {
    limits: Arc<Limits>,
    session: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut in_flight = self
            .limits
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

impl Limits {
    pub fn new(
        max_body_bytes: usize,
        max_sessions: usize,
        max_inflight_per_session: usize,
        sessions: Arc<LocalSessionManager>,
    ) -> Self {
        Self {
            max_body_bytes,
            max_sessions,
            max_inflight_per_session,
            sessions,
            opening: tokio::sync::Mutex::new(()),
            in_flight: Mutex::new(HashMap::new()),
        }
    }

    async fn open_session(&self, request: Request, next: Next) -> Response {
        let _one_at_a_time = self.opening.lock().await;
        let open = self.sessions.sessions.read().await.len();
        if open >= self.max_sessions {
            tracing::warn!(open, "new MCP session refused: --max-sessions reached");
            metrics::http_refusal("too_many_sessions");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "30")],
                format!(
                    "too many MCP sessions open ({open}, the server's --max-sessions); close one (DELETE /mcp) \
                     or retry after an idle one expires"
                ),
            )
                .into_response();
        }
        // The session is registered before rmcp answers, so the next opener counts it.
        next.run(request).await
    }

    fn take_slot(self: &Arc<Self>, session: &str) -> Option<Slot> {
        let mut in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        let count = in_flight.entry(session.to_string()).or_default();
        if *count >= self.max_inflight_per_session {
            return None;
        }
        *count += 1;
        Some(Slot {
            limits: self.clone(),
            session: session.to_string(),
        })
    }
}

pub async fn enforce(State(limits): State<Arc<Limits>>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // A body a little over the limit is read to its end before the 413, so the client is not
    // cut off mid-send (it would see a reset instead of the answer); a far larger one is not.
    let readable = limits.max_body_bytes.saturating_add(DRAIN_ALLOWANCE);
    if declared.is_some_and(|length| length > readable as u64) {
        return too_large(limits.max_body_bytes);
    }
    let (parts, body) = request.into_parts();
    // Chunked bodies carry no length: the read itself stops.
    let bytes = match axum::body::to_bytes(body, readable).await {
        Ok(bytes) if bytes.len() > limits.max_body_bytes => {
            return too_large(limits.max_body_bytes);
        }
        Ok(bytes) => bytes,
        Err(error) if is_length_limit(&error) => return too_large(limits.max_body_bytes),
        Err(error) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("cannot read the request body: {error}"),
            )
                .into_response();
        }
    };
    let session = parts
        .headers
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let message = kind(&bytes);
    let request = Request::from_parts(parts, Body::from(bytes));
    match (session, message) {
        (None, Kind::Initialize) => limits.open_session(request, next).await,
        (Some(session), Kind::Request) => match limits.take_slot(&session) {
            Some(slot) => hold_until_sent(next.run(request).await, slot),
            None => {
                metrics::http_refusal("too_many_in_flight");
                (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, "1")],
                format!(
                    "this session already has {} requests in flight (the server's --max-inflight-per-session); \
                     wait for one to finish",
                    limits.max_inflight_per_session
                ),
            )
                .into_response()
            }
        },
        _ => next.run(request).await,
    }
}
