//! Every route of the authorization server, composed.

use super::state::AuthorizationServer;
use super::{account, authorize, consent, metadata, registration, token};
use axum::Router;
use std::sync::Arc;

/// Every route of the authorization server, to be served beside `/mcp`.
pub fn router(server: Arc<AuthorizationServer>) -> Router {
    Router::new()
        .merge(metadata::routes())
        .merge(registration::routes())
        .merge(authorize::routes())
        .merge(consent::routes())
        .merge(token::routes())
        .merge(account::routes())
        .with_state(server)
}
