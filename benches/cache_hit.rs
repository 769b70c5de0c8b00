//! The full middleware path of a memory-cache hit: pre hook, key building, lookup, the rebuilt
//! response decoded by the typed client; and the same through the MCP tool layer (argument
//! validation, dispatch, structured result), where every call after the first is answered by
//! the answer memo. Run: `cargo bench --bench cache_hit`.

#[path = "../tests/it/common/fake_spotify.rs"]
#[allow(dead_code)]
mod fake_spotify;

use criterion::{Criterion, criterion_group, criterion_main};
use fake_spotify::{Canned, FakeSpotify};
use serde_json::json;
use spotify_mcp::foundation::config::{MiddlewareArgs, SpotifyArgs};
use spotify_mcp::foundation::secret::Secret;
use spotify_mcp::mcp::{Catalog, CatalogOptions, SpotifyServer, all_tools};
use std::sync::Arc;

fn album() -> serde_json::Value {
    let track = |n: u32| {
        json!({ "id": format!("t{n}"), "name": format!("Track {n}"), "type": "track", "uri": format!("spotify:track:t{n}"),
                "href": "https://api.spotify.com/v1/tracks/t", "external_urls": { "spotify": "https://open.spotify.com/track/t" },
                "duration_ms": 215000, "explicit": false, "track_number": n, "disc_number": 1, "is_local": false,
                "artists": [{ "id": "ar", "name": "ABBA", "type": "artist", "uri": "spotify:artist:ar", "href": "h", "external_urls": {} }] })
    };
    json!({
        "id": "a", "name": "Arrival", "type": "album", "uri": "spotify:album:a", "href": "https://api.spotify.com/v1/albums/a",
        "external_urls": { "spotify": "https://open.spotify.com/album/a" }, "album_type": "album", "total_tracks": 10,
        "release_date": "1976", "release_date_precision": "year",
        "images": [{ "url": "https://i.scdn.co/image/1", "height": 640, "width": 640 }],
        "artists": [{ "id": "ar", "name": "ABBA", "type": "artist", "uri": "spotify:artist:ar", "href": "h", "external_urls": {} }],
        "tracks": { "href": "h", "limit": 50, "offset": 0, "total": 10, "next": null, "previous": null,
                    "items": (1..=10).map(track).collect::<Vec<_>>() }
    })
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fake = runtime.block_on(FakeSpotify::start());
    fake.respond(Canned::json(200, album()));
    let args = SpotifyArgs {
        api_base_url: format!("{}/v1", fake.url()),
        accounts_base_url: fake.url(),
        client_id: None,
        client_secret: None,
        access_token: Some(Secret::new("bench-token")),
        token_file: None,
        refresh_margin_secs: 300,
        http_timeout_secs: 10,
        middleware: MiddlewareArgs::default(),
    };
    let api = spotify_mcp::build_api(&args).unwrap();
    let credentials = api.default_credentials().clone();
    runtime
        .block_on(
            api.acting_for(credentials.clone())
                .client()
                .get_an_album("a", None),
        )
        .expect("warm the cache");

    // A client per call, as the server makes one per tool call.
    c.bench_function("client get_an_album, memory-cache hit", |b| {
        b.to_async(&runtime).iter(|| async {
            let call = api.acting_for(credentials.clone());
            call.client().get_an_album("a", None).await.unwrap()
        })
    });

    let server = SpotifyServer::new(
        api.clone(),
        Arc::new(Catalog::new(all_tools(), &CatalogOptions::default())),
    );
    let arguments = json!({ "id": "a" }).as_object().unwrap().clone();
    c.bench_function("tool get_album, memory-cache hit", |b| {
        b.to_async(&runtime).iter(|| async {
            server
                .call("get_album", Some(arguments.clone()), None, None)
                .await
                .unwrap()
        })
    });
    assert_eq!(
        fake.requests().len(),
        1,
        "every measured call was a cache hit"
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
