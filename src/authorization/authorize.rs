//! (to be written: see the module list in `authorization`)

use super::state::AuthorizationServer;
use axum::Router;
use std::sync::Arc;

pub fn routes() -> Router<Arc<AuthorizationServer>> {
    Router::new()
}
