//! Two server processes on one Redis, each with its own copy of an expired login: concurrent
//! calls on both cause one refresh; the other replica waits for the lock and uses the result.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::redis_server;
use common::{grants, replicas};
use serde_json::json;
use spotify_mcp::credentials::grant::Grant;
use std::time::Duration;

#[tokio::test]
async fn concurrent_calls_on_two_replicas_at_expiry_cause_one_refresh() {
    let Some((url, _guard)) = redis_server::shared() else {
        return;
    };
    let url = redis_server::database(&url, 13);
    let fake = FakeSpotify::start().await;
    // Spotify rotates the refresh token: r1 is spent once used, so a second refresh would fail.
    // The slow answer lets the other replica's calls arrive while the refresh is in flight.
    fake.respond_once_at(
        "/api/token",
        Canned::json(200, grants::token_answer("fresh", Some("r2")))
            .with_delay(Duration::from_millis(500)),
    );
    fake.respond_at(
        "/api/token",
        Canned::json(
            400,
            json!({ "error": "invalid_grant", "error_description": "Refresh token revoked" }),
        ),
    );
    fake.respond_at("/v1/albums/", Canned::json(200, grants::album("a")));
    let login = replicas::login("expired", "r1", -10);
    let first = replicas::start(&fake, &login, &url).await;
    let second = replicas::start(&fake, &login, &url).await;

    let calls = (0..4).flat_map(|i| {
        [
            first.ok(
                "get_album",
                json!({ "id": common::samples::spotify_id(&format!("first{i}")) }),
            ),
            second.ok(
                "get_album",
                json!({ "id": common::samples::spotify_id(&format!("second{i}")) }),
            ),
        ]
    });
    futures::future::join_all(calls).await;

    assert_eq!(
        fake.requests_at("/api/token").len(),
        1,
        "exactly one refresh for both replicas"
    );
    let api = fake.requests_at("/v1/albums/");
    assert_eq!(api.len(), 8);
    assert!(
        api.iter()
            .all(|r| r.header("authorization").as_deref() == Some("Bearer fresh")),
        "every call used the refreshed token"
    );
    let shared: Grant = replicas::shared_grant(&url, &login)
        .await
        .expect("the grant is in Redis");
    assert_eq!(shared.access_token.expose(), "fresh");
    assert_eq!(
        shared.refresh_token.as_ref().map(|t| t.expose()),
        Some("r2"),
        "the rotated refresh token is shared"
    );
}
