//! Several processes share one token file (a desktop assistant's server, a terminal's, a new
//! `auth login`): before refreshing, a server adopts a newer grant another one stored instead of
//! overwriting it with a refresh of its own.

use crate::common;

use common::fake_spotify::Canned;
use common::grants;
use serde_json::json;

#[tokio::test]
async fn a_second_server_uses_the_token_the_first_one_refreshed() {
    let (fake, _dir, args, path) =
        grants::logged_in(grants::grant("old", Some("r1"), -10, &grants::all_scopes())).await;
    let first = common::connect(&args, false).await;
    let second = common::connect(&args, false).await;
    // Spotify rotates the refresh token: r1 is spent once used.
    fake.respond_once_at(
        "/api/token",
        Canned::json(200, grants::token_answer("fresh", Some("r2"))),
    );
    fake.respond_at(
        "/api/token",
        Canned::json(
            400,
            json!({ "error": "invalid_grant", "error_description": "Refresh token revoked" }),
        ),
    );
    fake.respond_at(
        "/v1/",
        Canned::json(200, grants::album("a000000000000000000000")),
    );

    for client in [&first, &second] {
        let result = common::call(
            client,
            "get_album",
            json!({ "id": "a000000000000000000000" }),
        )
        .await
        .unwrap();
        assert_ne!(result.is_error, Some(true), "{}", common::text(&result));
    }
    assert_eq!(
        fake.requests_at("/api/token").len(),
        1,
        "the second server reused the stored token"
    );
    assert!(
        fake.requests_at("/v1/")
            .iter()
            .all(|r| r.header("authorization").as_deref() == Some("Bearer fresh"))
    );
    assert_eq!(grants::load(&path).refresh_token.unwrap().expose(), "r2");
}

#[tokio::test]
async fn a_new_login_is_not_overwritten_by_a_running_server() {
    let (fake, _dir, client, path) = grants::connected("old", Some("r-old"), -10).await;
    // The user signs in again while the server runs.
    let new_login = grants::grant("new-login", Some("r-new"), 3600, &grants::all_scopes());
    spotify_mcp::credentials::store::FileTokenStore::new(path.clone())
        .save_sync(&new_login)
        .unwrap();
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
    assert!(
        fake.requests_at("/api/token").is_empty(),
        "no refresh of the old grant"
    );
    assert_eq!(
        fake.requests_at("/v1/")[0]
            .header("authorization")
            .as_deref(),
        Some("Bearer new-login")
    );
    assert_eq!(grants::load(&path), new_login, "the new login is intact");
}
