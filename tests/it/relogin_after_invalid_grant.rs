//! After Spotify refused the stored grant (`invalid_grant`), a new login stored while the server
//! runs is picked up without a restart; until then calls fail fast without asking Spotify again.

use crate::common;

use common::fake_spotify::Canned;
use common::grants;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_new_login_ends_the_refusal_without_a_restart() {
    let (fake, _dir, client, path) = grants::connected("old", Some("revoked"), -10).await;
    fake.respond_at(
        "/api/token",
        Canned::json(
            400,
            json!({ "error": "invalid_grant", "error_description": "Refresh token revoked" }),
        ),
    );
    fake.respond_at(
        "/v1/albums/",
        Canned::json(200, grants::album("a000000000000000000000")),
    );
    let refused = common::call(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await
    .unwrap();
    assert_eq!(refused.is_error, Some(true));
    assert!(common::text(&refused).contains("auth login"));

    // `auth login` in another terminal: a later login with a working token.
    let mut relogin = grants::grant(
        "relogin-access",
        Some("relogin-refresh"),
        3600,
        &grants::all_scopes(),
    );
    relogin.authorized_at = grants::load(&path).authorized_at + 60;
    spotify_mcp::credentials::store::FileTokenStore::new(path.clone())
        .save_sync(&relogin)
        .unwrap();

    // The store is read again at most every few seconds: poll, bounded in count and time.
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut attempts = 0;
    let served = loop {
        attempts += 1;
        let result = common::call(
            &client,
            "get_album",
            json!({ "id": "a000000000000000000000" }),
        )
        .await
        .unwrap();
        if result.is_error != Some(true) {
            break true;
        }
        if Instant::now() >= deadline || attempts >= 60 {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert!(served, "the new login was never used");
    let albums = fake.requests_at("/v1/albums/");
    assert_eq!(
        albums.last().unwrap().header("authorization").as_deref(),
        Some("Bearer relogin-access")
    );
    assert_eq!(
        fake.requests_at("/api/token").len(),
        1,
        "the dead grant was not refreshed again meanwhile"
    );
}
