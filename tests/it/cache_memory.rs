//! The memory cache, counted at the fake: a repeated GET reaches Spotify once per TTL, a write
//! invalidates what it made stale, a POST is never cached, and users never share an entry.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::grants;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn playlist(id: &str) -> Value {
    json!({ "id": id, "name": "Road trip", "type": "playlist", "uri": format!("spotify:playlist:{id}"),
            "href": "h", "external_urls": {} })
}

fn page() -> Value {
    json!({ "href": "h", "limit": 20, "offset": 0, "total": 0, "next": null, "previous": null, "items": [] })
}

#[tokio::test]
async fn a_repeated_get_reaches_spotify_once_per_ttl() {
    let fake = FakeSpotify::start().await;
    let client = common::connect(&common::cached::short_ttl_args(&fake, "user-a"), false).await;
    fake.respond(Canned::json(200, grants::album("a000000000000000000000")));

    common::call_ok(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await;
    let stored = Instant::now();
    for _ in 0..4 {
        common::call_ok(
            &client,
            "get_album",
            json!({ "id": "a000000000000000000000" }),
        )
        .await;
    }
    assert_eq!(fake.requests().len(), 1, "four answers came from the cache");
    common::call_ok(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000", "market": "SE" }),
    )
    .await;
    assert_eq!(fake.requests().len(), 2, "another query is another entry");

    common::cached::outlive_short_ttl(stored).await;
    common::call_ok(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await;
    assert_eq!(fake.requests().len(), 3, "expired after its TTL");
}

#[tokio::test]
async fn a_playlist_write_invalidates_that_playlists_reads_only() {
    let fake = FakeSpotify::start().await;
    let client = common::connect(&common::cached::args(&fake, "user-a", None), false).await;
    fake.respond_at(
        "/v1/playlists/p100000000000000000000/items",
        Canned::json(201, json!({ "snapshot_id": "s2" })),
    );
    fake.respond_at(
        "/v1/playlists/p100000000000000000000",
        Canned::json(200, playlist("p100000000000000000000")),
    );
    fake.respond_at(
        "/v1/albums/",
        Canned::json(200, grants::album("a000000000000000000000")),
    );

    common::call_ok(
        &client,
        "get_playlist",
        json!({ "playlist_id": "p100000000000000000000" }),
    )
    .await;
    common::call_ok(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await;
    common::call_ok(
        &client,
        "add_playlist_items",
        json!({ "playlist_id": "p100000000000000000000", "uris": ["spotify:track:t1"] }),
    )
    .await;
    common::call_ok(
        &client,
        "get_playlist",
        json!({ "playlist_id": "p100000000000000000000" }),
    )
    .await;
    common::call_ok(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await;

    assert_eq!(
        fake.requests_at("/v1/playlists/p100000000000000000000")
            .iter()
            .filter(|r| r.method == "GET")
            .count(),
        2,
        "re-read after the write"
    );
    assert_eq!(
        fake.requests_at("/v1/albums/").len(),
        1,
        "the album stayed cached"
    );
}

#[tokio::test]
async fn a_library_save_invalidates_library_reads() {
    let fake = FakeSpotify::start().await;
    let client = common::connect(&common::cached::args(&fake, "user-a", None), false).await;
    fake.respond_at("/v1/me/library", Canned::empty(200));
    fake.respond_at("/v1/me/tracks", Canned::json(200, page()));

    common::call_ok(&client, "get_saved_tracks", json!({})).await;
    common::call_ok(&client, "get_saved_tracks", json!({})).await;
    assert_eq!(fake.requests_at("/v1/me/tracks").len(), 1);
    common::call_ok(
        &client,
        "save_library_items",
        json!({ "uris": ["spotify:track:t1"] }),
    )
    .await;
    common::call_ok(&client, "get_saved_tracks", json!({})).await;
    assert_eq!(fake.requests_at("/v1/me/tracks").len(), 2);
}

#[tokio::test]
async fn a_post_is_never_cached() {
    let fake = FakeSpotify::start().await;
    let client = common::connect(&common::cached::args(&fake, "user-a", None), false).await;
    fake.respond(Canned::json(201, json!({ "snapshot_id": "s" })));
    for _ in 0..2 {
        common::call_ok(
            &client,
            "add_playlist_items",
            json!({ "playlist_id": "p100000000000000000000", "uris": ["spotify:track:t1"] }),
        )
        .await;
    }
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn player_state_is_not_cached_by_default() {
    let fake = FakeSpotify::start().await;
    let client = common::connect(&common::cached::args(&fake, "user-a", None), false).await;
    fake.respond(Canned::json(200, json!({ "devices": [] })));
    for _ in 0..2 {
        common::call_ok(&client, "get_devices", json!({})).await;
    }
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn different_users_get_different_keys() {
    use spotify_mcp::middleware::cache::{Cache, Ttls};
    let ttls = Ttls {
        catalog: Duration::from_secs(60),
        user: Duration::from_secs(60),
        playback: Duration::ZERO,
    };
    let cache = Cache::new(1 << 20, ttls, None);
    let op = spotify_mcp::spec::operation("get_an_album").unwrap();
    let url =
        reqwest::Url::parse("http://127.0.0.1/v1/albums/a000000000000000000000?market=SE").unwrap();
    let same_url_reordered =
        reqwest::Url::parse("http://127.0.0.1/v1/albums/a000000000000000000000?market=SE").unwrap();
    let alice = cache.key("user:alice", &url, op).await;
    assert_eq!(
        alice,
        cache.key("user:alice", &same_url_reordered, op).await
    );
    assert_ne!(alice, cache.key("user:bob", &url, op).await);
    assert!(
        !alice.contains("alice") && !alice.contains("albums"),
        "keys are hashes: {alice}"
    );
}
