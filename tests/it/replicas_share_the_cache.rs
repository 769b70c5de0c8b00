//! Two server processes on one Redis: a read cached by one is answered from Redis by the other,
//! so Spotify sees it once.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::redis_server;
use common::{grants, replicas};
use serde_json::json;

#[tokio::test]
async fn the_same_read_through_two_replicas_reaches_spotify_once() {
    let Some((url, _guard)) = redis_server::shared() else {
        return;
    };
    let url = redis_server::database(&url, 11);
    let fake = FakeSpotify::start().await;
    fake.respond_at(
        "/v1/albums/",
        Canned::json(200, grants::album("a100000000000000000000")),
    );
    let login = replicas::login("access", "refresh", 3600);
    let first = replicas::start(&fake, &login, &url).await;
    let second = replicas::start(&fake, &login, &url).await;

    let from_first = first
        .ok("get_album", json!({ "id": "a100000000000000000000" }))
        .await;
    let from_second = second
        .ok("get_album", json!({ "id": "a100000000000000000000" }))
        .await;

    assert_eq!(
        fake.requests_at("/v1/albums/").len(),
        1,
        "the second replica found the first one's entry in Redis"
    );
    assert_eq!(
        from_first.structured_content,
        from_second.structured_content
    );
    assert_eq!(
        from_second.structured_content.unwrap()["id"],
        "a100000000000000000000",
        "the cached answer is the album"
    );
}
