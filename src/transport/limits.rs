//! Bounds on what HTTP clients may ask of the server: request body size (413) and the time to
//! send it (408), then admission (see [`super::admission`]): MCP sessions and session-less
//! requests together (503), requests in flight per session (429) and for the whole server (503).
//! Idle sessions expire in rmcp's session manager (`SessionConfig::keep_alive`).

use super::admission::Admission;
use super::guarded_body::hold_until_sent;
use crate::foundation::metrics;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;

const SESSION_HEADER: &str = "mcp-session-id";
/// How far past --max-body-bytes a body is still read (and dropped) to answer 413 cleanly.
const DRAIN_ALLOWANCE: usize = 64 * 1024;

pub struct Limits {
    pub max_body_bytes: usize,
    /// Time a client has to send a whole body.
    pub body_timeout: Duration,
    pub admission: Arc<Admission>,
}

/// What a POSTed JSON-RPC message is, as far as the limits care.
enum Kind {
    Initialize,
    /// A request, or anything that might be one: what cannot be read counts as a request.
    Request,
    /// A notification or a response: never refused (a cancellation must get through).
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
            id: None,
        })
        | Ok(Envelope { method: None, .. }) => Kind::Other,
        _ => Kind::Request,
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

fn too_slow(limit: Duration) -> Response {
    metrics::http_refusal("body_timeout");
    (
        StatusCode::REQUEST_TIMEOUT,
        [(header::CONNECTION, "close")],
        format!(
            "the request body did not arrive within {} s (the server's --body-timeout-secs)",
            limit.as_secs()
        ),
    )
        .into_response()
}

impl Limits {
    /// The whole body, read within --body-timeout-secs and --max-body-bytes.
    async fn read_body(&self, declared: Option<u64>, body: Body) -> Result<Bytes, Response> {
        // A body a little over the limit is read to its end before the 413, so the client is not
        // cut off mid-send (it would see a reset instead of the answer); a far larger one is not.
        let readable = self.max_body_bytes.saturating_add(DRAIN_ALLOWANCE);
        if declared.is_some_and(|length| length > readable as u64) {
            return Err(too_large(self.max_body_bytes));
        }
        // Chunked bodies carry no length: the read itself stops. One deadline for the whole body:
        // tower-http's RequestBodyTimeout restarts on every frame, so a byte every few seconds
        // would keep a connection for hours.
        let read = tokio::time::timeout(self.body_timeout, axum::body::to_bytes(body, readable));
        match read.await {
            Err(_elapsed) => Err(too_slow(self.body_timeout)),
            Ok(Ok(bytes)) if bytes.len() > self.max_body_bytes => {
                Err(too_large(self.max_body_bytes))
            }
            Ok(Ok(bytes)) => Ok(bytes),
            Ok(Err(error)) if is_length_limit(&error) => Err(too_large(self.max_body_bytes)),
            Ok(Err(error)) => Err((
                StatusCode::BAD_REQUEST,
                format!("cannot read the request body: {error}"),
            )
                .into_response()),
        }
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
    let (parts, body) = request.into_parts();
    let bytes = match limits.read_body(declared, body).await {
        Ok(bytes) => bytes,
        Err(refusal) => return refusal,
    };
    let session = parts
        .headers
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let message = kind(&bytes);
    let request = Request::from_parts(parts, Body::from(bytes));
    if matches!(message, Kind::Other) {
        return next.run(request).await;
    }
    admit(&limits.admission, session, message, request, next).await
}

/// A request runs with a server-wide permit and either a session's slot, a new session's
/// place, or (session-less, or naming no open session) a place of its own.
async fn admit(
    admission: &Arc<Admission>,
    session: Option<String>,
    message: Kind,
    request: Request,
    next: Next,
) -> Response {
    let permit = match admission.server_permit() {
        Ok(permit) => permit,
        Err(refusal) => return refusal.into_response(),
    };
    match (session, message) {
        (None, Kind::Initialize) => match admission.open_session().await {
            // The session is registered before rmcp answers, so the next opener counts it.
            Ok(_opening) => hold_until_sent(next.run(request).await, permit),
            Err(refusal) => refusal.into_response(),
        },
        // rmcp may still serve a request statelessly when it names a session (by its protocol
        // version); it is charged to that session all the same, which is bounded too.
        (Some(session), _) if admission.has_session(&session).await => {
            match admission.session_slot(&session) {
                Ok(slot) => hold_until_sent(next.run(request).await, (permit, slot)),
                Err(refusal) => refusal.into_response(),
            }
        }
        _ => match admission.stateless_place().await {
            Ok(place) => hold_until_sent(next.run(request).await, (permit, place)),
            Err(refusal) => refusal.into_response(),
        },
    }
}
