//! Faults the knobs inject: some instead of the answer (nothing changes), the others after the
//! request was carried out (the change happened, the caller cannot tell).

use crate::knobs::Knobs;
use crate::server::{ConnectionKill, respond};
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use futures::StreamExt;
use serde_json::{Value, json};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    NeverAnswer,
    RateLimit,
    ServerError,
    ConnectionReset,
    TruncatedBody,
    SlowBody,
    MalformedJson,
    HugeBody,
}

impl Fault {
    pub fn name(self) -> &'static str {
        match self {
            Fault::NeverAnswer => "never_answer",
            Fault::RateLimit => "rate_limit",
            Fault::ServerError => "server_error",
            Fault::ConnectionReset => "connection_reset",
            Fault::TruncatedBody => "truncated_body",
            Fault::SlowBody => "slow_body",
            Fault::MalformedJson => "malformed_json",
            Fault::HugeBody => "huge_body",
        }
    }
}

/// The fault for request number `count`, the first that fires in this order.
pub(crate) fn decide(knobs: &Knobs, count: u64) -> Option<Fault> {
    [
        (knobs.rate_limit, Fault::RateLimit),
        (knobs.server_error, Fault::ServerError),
        (knobs.connection_reset, Fault::ConnectionReset),
        (knobs.truncated_body, Fault::TruncatedBody),
        (knobs.slow_body, Fault::SlowBody),
        (knobs.malformed_json, Fault::MalformedJson),
        (knobs.huge_body, Fault::HugeBody),
    ]
    .into_iter()
    .find(|(trigger, _)| trigger.fires(count))
    .map(|(_, fault)| fault)
}

/// The answer given instead of carrying the request out, for the faults that do that; the
/// accounts service's errors have the OAuth shape, the Web API's Spotify's own.
pub(crate) async fn before(fault: Fault, knobs: &Knobs, accounts: bool) -> Option<Response> {
    match fault {
        Fault::NeverAnswer => std::future::pending().await,
        Fault::RateLimit => {
            let mut error = json!({ "status": 429, "message": "API rate limit exceeded" });
            if let Some(reason) = &knobs.rate_limit_reason {
                error["reason"] = json!(reason);
            }
            let body = if accounts {
                json!({ "error": "temporarily_unavailable", "error_description": "Too many requests" })
            } else {
                json!({ "error": error })
            };
            let mut response = respond(429, Some(body));
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(knobs.retry_after_secs),
            );
            Some(response)
        }
        Fault::ServerError => {
            let status = knobs.server_error_status.clamp(500, 599);
            let message = StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Server error");
            let body = if accounts {
                json!({ "error": "server_error", "error_description": message })
            } else {
                json!({ "error": { "status": status, "message": message } })
            };
            Some(respond(status, Some(body)))
        }
        _ => None,
    }
}

/// The answer for a request that was carried out, spoiled by `fault` if it is one of the kind.
pub(crate) async fn after(
    fault: Option<Fault>,
    knobs: &Knobs,
    status: u16,
    json: Option<Value>,
    kill: Option<ConnectionKill>,
) -> Response {
    let body = || {
        json.as_ref()
            .map(|j| serde_json::to_vec(j).unwrap_or_default())
            .unwrap_or_default()
    };
    // A 204 cannot carry the spoiled body these faults send.
    let with_body = if status == 204 { 200 } else { status };
    match fault {
        Some(Fault::ConnectionReset) => {
            if let Some(kill) = kill {
                kill.kill();
            }
            std::future::pending().await
        }
        Some(Fault::TruncatedBody) => {
            let mut bytes = body();
            if bytes.is_empty() {
                bytes = b"{\"snapshot_id\":\"never-sent\"}".to_vec();
            }
            let declared = bytes.len();
            bytes.truncate(declared / 2);
            // The pause lets the half be flushed before the early end closes the connection.
            let half = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from(bytes))]);
            let pause = futures::stream::once(tokio::time::sleep(Duration::from_millis(50)))
                .filter_map(|_| async { None });
            raw(
                with_body,
                Body::from_stream(half.chain(pause)),
                Some(declared),
            )
        }
        Some(Fault::SlowBody) => {
            let bytes = Bytes::from(body());
            let chunk = knobs.slow_body_chunk_bytes.max(1);
            let delay = Duration::from_millis(knobs.slow_body_chunk_delay_ms);
            let length = bytes.len();
            let stream = futures::stream::unfold(0usize, move |at| {
                let bytes = bytes.clone();
                async move {
                    if at >= bytes.len() {
                        return None;
                    }
                    if at > 0 {
                        tokio::time::sleep(delay).await;
                    }
                    let end = (at + chunk).min(bytes.len());
                    Some((Ok::<_, std::io::Error>(bytes.slice(at..end)), end))
                }
            });
            raw(status, Body::from_stream(stream), Some(length))
        }
        Some(Fault::MalformedJson) => {
            let mut bytes = body();
            bytes.truncate(bytes.len() / 3);
            bytes.extend_from_slice(b"\x00,]}{\"unterminated");
            raw(with_body, Body::from(bytes), None)
        }
        Some(Fault::HugeBody) => {
            let json = match json {
                Some(Value::Object(map)) => Value::Object(map),
                None => json!({}),
                Some(other) => return respond(status, Some(other)),
            };
            let size = serde_json::to_vec(&json).map(|b| b.len()).unwrap_or(0);
            let mut json = json;
            let padding = knobs.huge_body_bytes.saturating_sub(size + 16);
            json["_padding"] = Value::String("x".repeat(padding));
            // Chunked, without a Content-Length: the client only learns the size by reading.
            let bytes = Bytes::from(serde_json::to_vec(&json).unwrap_or_default());
            let chunks: Vec<Result<Bytes, std::io::Error>> = (0..bytes.len())
                .step_by(64 * 1024)
                .map(|at| Ok(bytes.slice(at..(at + 64 * 1024).min(bytes.len()))))
                .collect();
            raw(
                with_body,
                Body::from_stream(futures::stream::iter(chunks)),
                None,
            )
        }
        _ => respond(status, json),
    }
}

fn raw(status: u16, body: Body, content_length: Option<usize>) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(length) = content_length {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    response
}
