//! The rate-limit governor and retries, counted at the fake: a long `Retry-After` is reported
//! and later calls fail fast without reaching Spotify; a short one is waited for once;
//! QUOTA_EXCEEDED is named; a 5xx is retried for a GET, never for a POST.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::grants;
use serde_json::json;

fn too_many(retry_after: &str, reason: Option<&str>) -> Canned {
    let mut error = json!({ "status": 429, "message": "API rate limit exceeded" });
    if let Some(reason) = reason {
        error["reason"] = json!(reason);
    }
    Canned::json(429, json!({ "error": error })).with_header("retry-after", retry_after)
}

async fn server(fake: &FakeSpotify, redis: Option<&str>) -> common::Client {
    let mut args = common::spotify_args(fake, Some("token"));
    args.middleware.max_rate_limit_wait_secs = 1;
    args.middleware.redis_url = redis.map(spotify_mcp::foundation::secret::Secret::new);
    common::connect(&args, false).await
}

#[tokio::test]
async fn a_long_cooldown_fails_later_calls_fast() {
    let fake = FakeSpotify::start().await;
    let client = server(&fake, None).await;
    fake.respond(too_many("2", None));

    let first = common::call(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await
    .unwrap();
    assert_eq!(first.is_error, Some(true));
    assert_eq!(
        fake.requests().len(),
        1,
        "two seconds is over the one-second cap: not waited for"
    );

    let later = common::call(&client, "search", json!({ "q": "abba", "type": ["track"] }))
        .await
        .unwrap();
    assert_eq!(later.is_error, Some(true));
    assert_eq!(fake.requests().len(), 1, "held back during the cooldown");
    let structured = later
        .structured_content
        .clone()
        .expect("structured retry_after_seconds");
    let seconds = structured["retry_after_seconds"].as_u64().unwrap();
    assert!((1..=2).contains(&seconds), "{structured}");
    assert!(
        common::text(&later).contains("was not sent"),
        "{}",
        common::text(&later)
    );
}

#[tokio::test]
async fn a_short_retry_after_is_waited_for_once() {
    let fake = FakeSpotify::start().await;
    let client = server(&fake, None).await;
    fake.respond_once(too_many("1", None));
    fake.respond(Canned::json(200, grants::album("a000000000000000000000")));
    let result = common::call(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await
    .unwrap();
    assert_ne!(result.is_error, Some(true), "{}", common::text(&result));
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn quota_exceeded_is_reported_as_such() {
    let fake = FakeSpotify::start().await;
    let client = server(&fake, None).await;
    fake.respond(too_many("3600", Some("QUOTA_EXCEEDED")));
    for _ in 0..2 {
        let result = common::call(
            &client,
            "get_album",
            json!({ "id": "a000000000000000000000" }),
        )
        .await
        .unwrap();
        let text = common::text(&result);
        assert!(
            text.contains("QUOTA_EXCEEDED") && text.contains("quota"),
            "{text}"
        );
        assert_eq!(
            result.structured_content.unwrap()["reason"],
            "QUOTA_EXCEEDED"
        );
    }
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn a_server_error_is_retried_for_a_get_but_never_for_a_post() {
    let fake = FakeSpotify::start().await;
    let client = server(&fake, None).await;
    let boom = Canned::error(500, "Server error");
    fake.respond_once(boom.clone());
    fake.respond_once(boom.clone());
    fake.respond(Canned::json(200, grants::album("a000000000000000000000")));
    let result = common::call(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await
    .unwrap();
    assert_ne!(result.is_error, Some(true), "{}", common::text(&result));
    assert_eq!(fake.take_requests().len(), 3, "two retries");

    fake.respond(boom);
    let result = common::call(&client, "add_to_queue", json!({ "uri": "spotify:track:t" }))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(true));
    assert_eq!(fake.requests().len(), 1, "a POST is never repeated");
}

#[tokio::test]
async fn the_cooldown_is_shared_through_redis() {
    let Some((url, _guard)) = common::redis_server::shared() else {
        return;
    };
    // Other tests share this Redis: a private key space is not needed, the cooldown is global by
    // design, so this test only checks that a second server sees the first one's cooldown.
    let fake = FakeSpotify::start().await;
    let first = server(&fake, Some(&url)).await;
    let second = server(&fake, Some(&url)).await;
    fake.respond(too_many("3", None));
    let _ = common::call(
        &first,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await
    .unwrap();
    let before = fake.requests().len();
    let result = common::call(
        &second,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await
    .unwrap();
    assert_eq!(result.is_error, Some(true));
    assert_eq!(
        fake.requests().len(),
        before,
        "the second server held the call back"
    );
    // Leave no cooldown behind for other tests on the same Redis.
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("DEL")
        .arg("spotify-mcp:v1:cooldown:app:unknown")
        .query_async(&mut connection)
        .await
        .unwrap();
}
