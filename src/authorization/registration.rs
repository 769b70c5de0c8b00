//! Dynamic Client Registration (RFC 7591): `POST /register` with the client's metadata as JSON
//! gets a new public client id. The metadata rules are [`super::client_metadata`]'s.
//!
//! Bounds: the body is at most [`MAX_BODY_BYTES`]; at most
//! [`super::clients::MAX_CLIENTS_PER_KIND`] registered clients are kept — when full,
//! registrations nobody used within the grace period (no consent, code or token) are removed
//! first, and if it is still full the answer is `503 temporarily_unavailable`.

use super::client_metadata::{self, AcceptedMetadata};
use super::clients::{MAX_CLIENTS_PER_KIND, has_room};
use super::oauth_error::OAuthError;
use super::state::{AuthorizationServer, paths};
use crate::foundation::metrics::oauth_step;
use crate::store::{ClientKind, ClientRegistration};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::Value;
use std::sync::Arc;

/// Largest registration request read.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

pub fn routes() -> Router<Arc<AuthorizationServer>> {
    Router::new()
        .route(paths::REGISTER, post(register))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(super::metadata::cors())
}

async fn register(State(server): State<Arc<AuthorizationServer>>, body: Bytes) -> Response {
    match register_client(&server, &body).await {
        Ok(created) => {
            oauth_step("register", "registered");
            (StatusCode::CREATED, Json(created)).into_response()
        }
        Err(refusal) => {
            oauth_step("register", refusal.error);
            refusal.into_response()
        }
    }
}

async fn register_client(server: &AuthorizationServer, body: &[u8]) -> Result<Value, OAuthError> {
    let requested: Value = serde_json::from_slice(body).map_err(|e| {
        OAuthError::bad_request(
            "invalid_client_metadata",
            format!("the body must be client metadata as a JSON object: {e}"),
        )
    })?;
    let AcceptedMetadata {
        metadata,
        redirect_uris,
    } = client_metadata::accept(&requested, &server.settings.scopes)
        .map_err(|e| OAuthError::bad_request(e.code(), e.to_string()))?;
    make_room(server).await?;
    let metadata = Value::Object(metadata);
    let client = server
        .store
        .register_client(&ClientRegistration::Dynamic, &metadata, &redirect_uris)
        .await
        .map_err(|e| store_failed(&e))?;
    let mut answer = metadata;
    answer["client_id"] = client.client_id.into();
    answer["client_id_issued_at"] = client.created_at.into();
    Ok(answer)
}

/// Keeps the number of registrations bounded (see the module documentation).
async fn make_room(server: &AuthorizationServer) -> Result<(), OAuthError> {
    let room = has_room(&server.store, ClientKind::Dynamic)
        .await
        .map_err(|e| store_failed(&e))?;
    if room {
        return Ok(());
    }
    Err(OAuthError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        error: "temporarily_unavailable",
        description: format!(
            "this server keeps at most {MAX_CLIENTS_PER_KIND} registered clients and all are in \
             use; retry later"
        ),
    })
}

fn store_failed(error: &crate::store::StoreError) -> OAuthError {
    tracing::error!(%error, "client registration: the store failed");
    OAuthError::server_error()
}
