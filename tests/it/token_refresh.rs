//! Refresh of a stored login: ahead of expiry and single-flight, the old refresh token kept
//! when Spotify sends none, one refresh and one retry after a 401, and `invalid_grant`
//! reported with the way out (and nothing cleared).

use crate::common;

use common::fake_spotify::Canned;
use common::grants;
use serde_json::json;

#[tokio::test]
async fn fifty_concurrent_calls_at_expiry_cause_one_refresh() {
    let (fake, _dir, client, path) = grants::connected("old-access", Some("refresh-1"), -10).await;
    // The refresh answer has no refresh_token: the old one must stay.
    fake.respond_at(
        "/api/token",
        Canned::json(200, grants::token_answer("new-access", None)),
    );
    fake.respond_at(
        "/v1/albums/",
        Canned::json(200, grants::album("a000000000000000000000")),
    );

    let calls = (0..50).map(|_| {
        common::call(
            &client,
            "get_album",
            json!({ "id": "a000000000000000000000" }),
        )
    });
    let results = futures::future::join_all(calls).await;
    for result in results {
        let result = result.unwrap();
        assert_ne!(result.is_error, Some(true), "{}", common::text(&result));
    }
    assert_eq!(
        fake.requests_at("/api/token").len(),
        1,
        "exactly one refresh"
    );
    let token_request = &fake.requests_at("/api/token")[0];
    let body = String::from_utf8_lossy(&token_request.body).to_string();
    assert!(
        body.contains("grant_type=refresh_token") && body.contains("refresh_token=refresh-1"),
        "{body}"
    );
    let api = fake.requests_at("/v1/albums/");
    assert_eq!(api.len(), 50);
    assert!(
        api.iter()
            .all(|r| r.header("authorization").as_deref() == Some("Bearer new-access"))
    );

    let stored = grants::load(&path);
    assert_eq!(stored.access_token.expose(), "new-access");
    assert_eq!(
        stored.refresh_token.as_ref().map(|t| t.expose()),
        Some("refresh-1"),
        "old refresh token kept"
    );
    #[cfg(unix)]
    assert_eq!(grants::mode(&path), 0o600);
}

#[tokio::test]
async fn a_new_refresh_token_replaces_the_old_one() {
    let (fake, _dir, client, path) = grants::connected("old", Some("refresh-1"), 60).await;
    fake.respond_at(
        "/api/token",
        Canned::json(200, grants::token_answer("new", Some("refresh-2"))),
    );
    fake.respond_at(
        "/v1/",
        Canned::json(200, grants::album("a000000000000000000000")),
    );
    // 60 s left is inside the default 300 s margin: refreshed before the call.
    let result = common::call(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await
    .unwrap();
    assert_ne!(result.is_error, Some(true));
    assert_eq!(
        grants::load(&path).refresh_token.unwrap().expose(),
        "refresh-2"
    );
}

#[tokio::test]
async fn a_401_refreshes_once_and_retries_once() {
    let (fake, _dir, client, _path) =
        grants::connected("revoked-access", Some("refresh-1"), 3000).await;
    fake.respond_at(
        "/api/token",
        Canned::json(200, grants::token_answer("fresh-access", None)),
    );
    fake.respond_once_at("/v1/", Canned::error(401, "Invalid access token"));
    fake.respond_at(
        "/v1/",
        Canned::json(200, grants::album("a000000000000000000000")),
    );

    let result = common::call(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await
    .unwrap();
    assert_ne!(result.is_error, Some(true), "{}", common::text(&result));
    let api = fake.requests_at("/v1/");
    assert_eq!(api.len(), 2, "one retry");
    assert_eq!(
        api[0].header("authorization").as_deref(),
        Some("Bearer revoked-access")
    );
    assert_eq!(
        api[1].header("authorization").as_deref(),
        Some("Bearer fresh-access")
    );
    assert_eq!(fake.requests_at("/api/token").len(), 1);
}

#[tokio::test]
async fn a_persistent_401_ends_in_a_clear_error_after_one_retry() {
    let (fake, _dir, client, _path) = grants::connected("a1", Some("refresh-1"), 3000).await;
    fake.respond_at(
        "/api/token",
        Canned::json(200, grants::token_answer("a2", None)),
    );
    fake.respond_at("/v1/", Canned::error(401, "Invalid access token"));

    let text = common::call_err(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await;
    assert!(
        text.contains("401") && text.contains("Invalid access token"),
        "{text}"
    );
    assert_eq!(fake.requests_at("/v1/").len(), 2, "no retry loop");
    assert_eq!(fake.requests_at("/api/token").len(), 1);
}

#[tokio::test]
async fn invalid_grant_says_to_log_in_again_and_keeps_the_file() {
    let (fake, _dir, args, path) = grants::logged_in(grants::grant(
        "old",
        Some("revoked"),
        -10,
        &grants::all_scopes(),
    ))
    .await;
    let before = std::fs::read(&path).unwrap();
    let client = common::connect(&args, false).await;
    fake.respond_at(
        "/api/token",
        Canned::json(
            400,
            json!({ "error": "invalid_grant", "error_description": "Refresh token revoked" }),
        ),
    );

    for _ in 0..2 {
        let text = common::call_err(
            &client,
            "get_album",
            json!({ "id": "a000000000000000000000" }),
        )
        .await;
        assert!(
            text.contains("expired or was revoked") && text.contains("spotify-mcp auth login"),
            "{text}"
        );
        assert!(text.contains("Refresh token revoked"), "{text}");
    }
    assert_eq!(
        fake.requests_at("/api/token").len(),
        1,
        "a dead grant is not retried on every call"
    );
    assert!(fake.requests_at("/v1/").is_empty());
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the stored grant is not cleared"
    );
}
