//! Without credentials the server still lists tools and each call says how to authenticate;
//! with a client id and secret, catalog calls use one Client Credentials token.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use serde_json::json;

#[tokio::test]
async fn without_credentials_tools_are_listed_and_calls_explain_how_to_authenticate() {
    let fake = FakeSpotify::start().await;
    let client = common::connect(&common::spotify_args(&fake, None), false).await;
    assert_eq!(
        client.list_all_tools().await.unwrap().len(),
        common::catalog::current_count()
    );
    let text = common::call_err(
        &client,
        "get_album",
        json!({ "id": "4aawyAB9vmqN3uQ7FjRGTy" }),
    )
    .await;
    assert!(
        text.contains("SPOTIFY_ACCESS_TOKEN") && text.contains("SPOTIFY_CLIENT_ID"),
        "{text}"
    );
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn client_credentials_token_is_fetched_once_and_sent() {
    let fake = FakeSpotify::start().await;
    let mut args = common::spotify_args(&fake, None);
    args.client_id = Some("my-client".into());
    args.client_secret = Some(spotify_mcp::foundation::secret::Secret::new("my-secret"));
    let client = common::connect(&args, false).await;

    fake.respond_once(Canned::json(
        200,
        json!({ "access_token": "cc-token", "token_type": "Bearer", "expires_in": 3600 }),
    ));
    let album = json!({
        "id": "a000000000000000000000", "name": "An Album", "type": "album", "uri": "spotify:album:a",
        "href": "https://api.spotify.com/v1/albums/a000000000000000000000",
        "external_urls": { "spotify": "https://open.spotify.com/album/a000000000000000000000" }
    });
    fake.respond(Canned::json(200, album));
    for _ in 0..2 {
        let result = common::call(
            &client,
            "get_album",
            json!({ "id": "a000000000000000000000" }),
        )
        .await
        .unwrap();
        assert_ne!(result.is_error, Some(true), "{}", common::text(&result));
    }
    let requests = fake.requests();
    let token_requests: Vec<_> = requests.iter().filter(|r| r.path == "/api/token").collect();
    assert_eq!(token_requests.len(), 1, "one token serves both calls");
    let token_request = token_requests[0];
    assert_eq!(token_request.method, "POST");
    assert_eq!(
        String::from_utf8_lossy(&token_request.body),
        "grant_type=client_credentials"
    );
    // base64("my-client:my-secret")
    assert_eq!(
        token_request.header("authorization").as_deref(),
        Some("Basic bXktY2xpZW50Om15LXNlY3JldA==")
    );
    let api: Vec<_> = requests
        .iter()
        .filter(|r| r.path == "/v1/albums/a000000000000000000000")
        .collect();
    assert_eq!(api.len(), 2);
    assert!(
        api.iter()
            .all(|r| r.header("authorization").as_deref() == Some("Bearer cc-token"))
    );
}

#[tokio::test]
async fn rejected_client_credentials_are_reported() {
    let fake = FakeSpotify::start().await;
    let mut args = common::spotify_args(&fake, None);
    args.client_id = Some("my-client".into());
    args.client_secret = Some(spotify_mcp::foundation::secret::Secret::new("wrong"));
    let client = common::connect(&args, false).await;
    fake.respond(Canned::json(
        400,
        json!({ "error": "invalid_client", "error_description": "Invalid client secret" }),
    ));
    let text = common::call_err(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await;
    assert!(
        text.contains("Invalid client secret") && text.contains("SPOTIFY_CLIENT_SECRET"),
        "{text}"
    );
    assert!(
        !text.contains("wrong"),
        "the secret never appears in messages"
    );
}

#[tokio::test]
async fn secrets_never_show_in_debug_output() {
    let fake = FakeSpotify::start().await;
    let mut args = common::spotify_args(&fake, Some("access-token-value"));
    args.client_id = Some("my-client".into());
    args.client_secret = Some(spotify_mcp::foundation::secret::Secret::new(
        "client-secret-value",
    ));
    let api = spotify_mcp::build_api(&args).unwrap();
    for text in [format!("{args:?}"), format!("{api:?}")] {
        assert!(
            !text.contains("access-token-value") && !text.contains("client-secret-value"),
            "{text}"
        );
        assert!(text.contains("redacted"), "{text}");
    }
}
