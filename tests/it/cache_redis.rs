//! The cache on a real Redis: shared by two servers, per user, invalidated by writes; and when
//! Redis stops mid-test calls still succeed, and once it is back it is used again.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::grants;
use common::redis_server::{self, RedisServer};
use serde_json::json;
use std::time::{Duration, Instant};

fn unique(name: &str) -> String {
    format!("{name}-{}-{}", std::process::id(), fastrand::u64(..))
}

#[tokio::test]
async fn two_servers_share_entries_per_user() {
    let Some((url, _guard)) = redis_server::shared() else {
        return;
    };
    let fake = FakeSpotify::start().await;
    fake.respond(Canned::json(200, grants::album("a000000000000000000000")));
    let alice = unique("alice");
    let first = common::connect(&common::cached::args(&fake, &alice, Some(&url)), false).await;
    let second = common::connect(&common::cached::args(&fake, &alice, Some(&url)), false).await;
    let bob = common::connect(
        &common::cached::args(&fake, &unique("bob"), Some(&url)),
        false,
    )
    .await;

    common::call_ok(
        &first,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await;
    common::call_ok(
        &second,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await;
    assert_eq!(
        fake.requests().len(),
        1,
        "the second server found the first one's entry in Redis"
    );
    common::call_ok(&bob, "get_album", json!({ "id": "a000000000000000000000" })).await;
    assert_eq!(
        fake.requests().len(),
        2,
        "another user never shares an entry"
    );
}

#[tokio::test]
async fn a_write_on_one_server_invalidates_reads_on_another() {
    let Some((url, _guard)) = redis_server::shared() else {
        return;
    };
    let fake = FakeSpotify::start().await;
    let playlist = common::samples::spotify_id(&unique("p"));
    let read_path = format!("/v1/playlists/{playlist}");
    fake.respond_at(
        &format!("{read_path}/items"),
        Canned::json(201, json!({ "snapshot_id": "s2" })),
    );
    fake.respond_at(&read_path, Canned::json(200, json!({ "id": playlist, "name": "n", "type": "playlist", "uri": "u", "href": "h", "external_urls": {} })));
    let user = unique("carol");
    let reader = common::connect(&common::cached::args(&fake, &user, Some(&url)), false).await;
    let writer = common::connect(&common::cached::args(&fake, &user, Some(&url)), false).await;

    common::call_ok(&reader, "get_playlist", json!({ "playlist_id": playlist })).await;
    common::call_ok(&reader, "get_playlist", json!({ "playlist_id": playlist })).await;
    common::call_ok(
        &writer,
        "add_playlist_items",
        json!({ "playlist_id": playlist, "uris": ["spotify:track:t"] }),
    )
    .await;
    common::call_ok(&reader, "get_playlist", json!({ "playlist_id": playlist })).await;
    let reads = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == read_path)
        .count();
    assert_eq!(reads, 2);
}

#[tokio::test]
async fn calls_survive_redis_going_away_and_use_it_again_when_back() {
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    let url = server.url();
    let fake = FakeSpotify::start().await;
    fake.respond(Canned::json(200, grants::album("a000000000000000000000")));
    let client = common::connect(&common::cached::args(&fake, "dave", Some(&url)), false).await;

    common::call_ok(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await;
    assert_eq!(
        redis_server::count_keys(&url, "spotify-mcp:v1:c:*").await,
        1,
        "the entry is in Redis"
    );

    server.stop();
    let started = Instant::now();
    common::call_ok(
        &client,
        "get_album",
        json!({ "id": "b000000000000000000000" }),
    )
    .await;
    common::call_ok(
        &client,
        "get_album",
        json!({ "id": "b000000000000000000000" }),
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "a dead Redis does not stall calls"
    );
    assert_eq!(
        fake.requests_at("/v1/albums/b000000000000000000000").len(),
        1,
        "the memory cache stood in"
    );

    assert!(server.restart());
    // Reconnection is attempted at most once a second; give it a few (bounded) tries.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut round = 0;
    while redis_server::count_keys(&url, "spotify-mcp:v1:c:*").await == 0 {
        assert!(
            Instant::now() < deadline,
            "Redis was not used again after it came back"
        );
        round += 1;
        common::call_ok(
            &client,
            "get_album",
            json!({ "id": common::samples::spotify_id(&format!("c{round}")) }),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}
