//! Bearer-token check for /mcp and /metrics: 401 with `WWW-Authenticate` when the token is
//! missing or wrong, compared in constant time so timing reveals nothing of it.

use crate::foundation::metrics;
use crate::foundation::secret::Secret;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use subtle::ConstantTimeEq;

const REALM: &str = "Bearer realm=\"spotify-mcp\"";

pub struct BearerGuard {
    token: Secret,
}

impl BearerGuard {
    pub fn new(token: Secret) -> Self {
        Self { token }
    }

    /// Digests first: equal lengths, so not even the token's length leaks.
    fn accepts(&self, presented: &str) -> bool {
        let expected = Sha256::digest(self.token.expose().as_bytes());
        let presented = Sha256::digest(presented.as_bytes());
        expected.ct_eq(&presented).into()
    }
}

/// The token of an `Authorization: Bearer …` header.
pub(super) fn bearer(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

pub async fn require_bearer(
    State(guard): State<Arc<BearerGuard>>,
    request: Request,
    next: Next,
) -> Response {
    let (challenge, message) = match bearer(&request) {
        Some(token) if guard.accepts(token) => return next.run(request).await,
        Some(_) => (
            format!("{REALM}, error=\"invalid_token\""),
            "the bearer token is wrong: send `Authorization: Bearer <token>` with the server's SPOTIFY_MCP_AUTH_TOKEN",
        ),
        None => (
            REALM.to_string(),
            "this server needs a bearer token: send `Authorization: Bearer <token>` with the server's SPOTIFY_MCP_AUTH_TOKEN",
        ),
    };
    metrics::http_refusal("unauthorized");
    let mut response = (StatusCode::UNAUTHORIZED, message).into_response();
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}
