//! `/__fake/…`: the knobs, the request log and tokens over HTTP, for the binary's users.

use crate::data::catalog::Kind;
use crate::knobs::Knobs;
use crate::server::Shared;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::sync::Arc;

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/knobs", get(knobs).post(set_knobs))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/tokens", post(token))
        .route("/ids", get(ids))
}

async fn knobs(State(shared): State<Arc<Shared>>) -> Json<Knobs> {
    Json(shared.knobs())
}

/// Merges the fields given into the current knobs; answers the result.
async fn set_knobs(State(shared): State<Arc<Shared>>, Json(change): Json<Value>) -> Response {
    let Value::Object(change) = change else {
        return (StatusCode::BAD_REQUEST, "expected a JSON object of knobs").into_response();
    };
    let mut merged = serde_json::to_value(shared.knobs()).unwrap_or_else(|_| json!({}));
    for (key, value) in change {
        if merged.get(&key).is_none() {
            return (StatusCode::BAD_REQUEST, format!("unknown knob `{key}`")).into_response();
        }
        merged[key] = value;
    }
    match serde_json::from_value::<Knobs>(merged) {
        Ok(knobs) => {
            shared.set_knobs(knobs);
            Json(shared.knobs()).into_response()
        }
        Err(error) => (StatusCode::BAD_REQUEST, format!("invalid knobs: {error}")).into_response(),
    }
}

async fn requests(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.log.snapshot()).into_response()
}

async fn clear_requests(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.log.clear();
    StatusCode::NO_CONTENT
}

async fn token(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.issue_user_token()).into_response()
}

async fn ids(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let catalog = &shared.catalog;
    let some = |kind: Kind| -> Vec<&str> {
        (0..catalog.len(kind).min(10))
            .map(|i| catalog.id(kind, i))
            .collect()
    };
    let playlists = shared.with_state(|state| {
        state
            .playlists
            .iter()
            .map(|p| p.id.clone())
            .collect::<Vec<_>>()
    });
    Json(json!({
        "artists": some(Kind::Artist),
        "albums": some(Kind::Album),
        "tracks": some(Kind::Track),
        "shows": some(Kind::Show),
        "episodes": some(Kind::Episode),
        "audiobooks": some(Kind::Audiobook),
        "chapters": some(Kind::Chapter),
        "playlists": playlists,
        "user": crate::state::USER_ID,
    }))
}
