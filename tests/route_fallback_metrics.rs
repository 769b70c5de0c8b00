//! `/metrics` counts route fallbacks by family, the route tried second and the outcome (its own
//! process: the Prometheus recorder is global).

mod common;

use common::fake_spotify::{Canned, FakeSpotify};
use serde_json::json;

#[tokio::test]
async fn fallbacks_are_counted_per_family_and_route() {
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    spotify_mcp::foundation::metrics::serve(addr).expect("exporter starts");

    let fake = FakeSpotify::start().await;
    fake.respond_at(
        "/v1/playlists/p100000000000000000000/items",
        Canned::json(
            403,
            json!({ "error": { "status": 403, "message": "Forbidden" } }),
        ),
    );
    fake.respond_at(
        "/v1/playlists/p100000000000000000000/tracks",
        Canned::json(201, json!({ "snapshot_id": "s2" })),
    );
    let client = common::connect(&common::spotify_args(&fake, Some("t")), false).await;
    for _ in 0..2 {
        let result = common::call(
            &client,
            "add_playlist_items",
            json!({ "playlist_id": "p100000000000000000000", "uris": ["spotify:track:t1"] }),
        )
        .await
        .unwrap();
        assert_ne!(result.is_error, Some(true), "{}", common::text(&result));
    }

    let text = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let series = r#"spotify_mcp_route_fallbacks_total{family="playlist-items",route="legacy",outcome="ok"} 1"#;
    assert!(
        text.lines().any(|line| line == series),
        "one fallback (the second call went straight to the legacy route):\n{text}"
    );
}
