//! `/__fake/…`: the knobs, the request log, users, tokens and the authorize page's decisions
//! over HTTP, for the binary's users.

use crate::auth::{Decision, TEST_CLIENT_ID};
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
        .route("/users", get(users).post(add_user))
        .route("/authorize/next", post(next_decision))
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

/// A token for the default user, or for `{"user": id}` (of `{"client_id": …}`, if given).
async fn token(State(shared): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    let request: Value = match body.is_empty() {
        true => json!({}),
        false => match serde_json::from_slice(&body) {
            Ok(value) => value,
            Err(error) => return bad_request(format!("expected a JSON object: {error}")),
        },
    };
    let Some(user) = request["user"].as_str().or(Some(crate::state::USER_ID)) else {
        return bad_request("user must be a user id".into());
    };
    if !shared.with_state(|state| state.is_user(user)) {
        return bad_request(format!("no user `{user}`: add one at POST /__fake/users"));
    }
    let client_id = request["client_id"].as_str().unwrap_or(TEST_CLIENT_ID);
    Json(shared.issue_token_for(user, client_id)).into_response()
}

fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, message).into_response()
}

async fn users(State(shared): State<Arc<Shared>>) -> Response {
    let users: Vec<_> =
        shared.with_state(|state| state.users.iter().map(|u| u.profile.clone()).collect());
    Json(users).into_response()
}

/// `{"name": "Ada"}`: a new user; answers it (`id`, `display_name`, `account_id`).
async fn add_user(State(shared): State<Arc<Shared>>, Json(request): Json<Value>) -> Response {
    match request["name"].as_str().filter(|n| !n.trim().is_empty()) {
        Some(name) => (StatusCode::CREATED, Json(shared.add_user(name))).into_response(),
        None => bad_request("expected {\"name\": \"a display name\"}".into()),
    }
}

/// `{"user": id}` or `{"decline": true}`: what the next `GET /authorize` does.
async fn next_decision(State(shared): State<Arc<Shared>>, Json(request): Json<Value>) -> Response {
    let decision = match (request["user"].as_str(), request["decline"].as_bool()) {
        (Some(user), None | Some(false)) => {
            if !shared.with_state(|state| state.is_user(user)) {
                return bad_request(format!("no user `{user}`"));
            }
            Decision::Approve(user.to_string())
        }
        (None, Some(true)) => Decision::Decline,
        _ => return bad_request("expected {\"user\": id} or {\"decline\": true}".into()),
    };
    shared.queue_decision(decision);
    StatusCode::NO_CONTENT.into_response()
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
