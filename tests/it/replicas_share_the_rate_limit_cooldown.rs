//! Two server processes on one Redis: after one sees a 429 with a long `Retry-After`, the other
//! fails fast with `retry_after_seconds` and sends Spotify nothing.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::redis_server;
use common::replicas;
use serde_json::json;

/// The cooldown of the replicas' app (the login's client id).
const COOLDOWN_KEY: &str = "spotify-mcp:v1:cooldown:app:test-client";

#[tokio::test]
async fn a_429_seen_by_one_replica_makes_the_other_fail_fast() {
    let Some((url, _guard)) = redis_server::shared() else {
        return;
    };
    // The cooldown key is per app: a database of its own keeps other tests out of this cooldown.
    let url = redis_server::database(&url, 12);
    let fake = FakeSpotify::start().await;
    fake.respond_at(
        "/v1/albums/",
        Canned::error(429, "API rate limit exceeded").with_header("retry-after", "120"),
    );
    let login = replicas::login("access", "refresh", 3600);
    let first = replicas::start(&fake, &login, &url).await;
    let second = replicas::start(&fake, &login, &url).await;

    let limited = first
        .call("get_album", json!({ "id": "a000000000000000000000" }))
        .await;
    assert_eq!(limited.is_error, Some(true), "Spotify's 429 is reported");
    assert_eq!(fake.requests_at("/v1/").len(), 1);

    let held_back = second
        .call("get_album", json!({ "id": "b000000000000000000000" }))
        .await;
    assert_eq!(
        held_back.is_error,
        Some(true),
        "the second replica fails fast"
    );
    let seconds = held_back.structured_content.as_ref().unwrap()["retry_after_seconds"]
        .as_u64()
        .unwrap_or_else(|| panic!("retry_after_seconds in {:?}", held_back.structured_content));
    assert!(
        (60..=120).contains(&seconds),
        "the first replica's cooldown: {seconds}"
    );
    assert_eq!(
        fake.requests_at("/v1/").len(),
        1,
        "the second replica sent Spotify nothing"
    );

    let client = redis::Client::open(url.as_str()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("DEL")
        .arg(COOLDOWN_KEY)
        .query_async(&mut connection)
        .await
        .unwrap();
}
