//! OAuth's JSON error answer (RFC 6749 §5.2, RFC 7591 §3.2.2): `{error, error_description}`,
//! never cached. Descriptions are written here or come from typed errors; none carries a token,
//! a code or a verifier.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// One OAuth error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub status: StatusCode,
    /// The registered error code, e.g. `invalid_grant`.
    pub error: &'static str,
    /// What went wrong and what to do, for the client's developer.
    pub description: String,
}

impl OAuthError {
    /// A 400 answer with this code.
    pub fn bad_request(error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            description: description.into(),
        }
    }

    /// `invalid_request`: a parameter is missing, repeated or malformed.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::bad_request("invalid_request", description)
    }

    /// A 500 for the store failing; the detail goes to the log, not to the client.
    pub fn server_error() -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: "server_error",
            description: "the server's store failed; retry later".to_string(),
        }
    }
}

impl OAuthError {
    /// A 503 for the store being away (down, unreachable, too slow): the request may succeed
    /// if retried, and nothing was spent.
    pub fn store_unavailable() -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            error: "server_error",
            description: "the server's database is unavailable; retry in a moment".to_string(),
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.error, "error_description": self.description });
        let mut response = (self.status, Json(body)).into_response();
        no_store(&mut response);
        response
    }
}

/// Marks an answer as never to be cached (RFC 6749 §5.1: tokens, and errors about them).
pub fn no_store(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}
