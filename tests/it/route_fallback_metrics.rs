//! `/metrics` counts route fallbacks by family, the route tried second and the outcome (the
//! server in its own process: the Prometheus recorder is global).

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::http_server::HttpServer;
use serde_json::json;

#[tokio::test]
async fn fallbacks_are_counted_per_family_and_route() {
    let fake = FakeSpotify::start().await;
    fake.respond_at(
        "/v1/playlists/p100000000000000000000/items",
        Canned::error(403, "Forbidden"),
    );
    fake.respond_at(
        "/v1/playlists/p100000000000000000000/tracks",
        Canned::json(201, json!({ "snapshot_id": "s2" })),
    );
    let server = HttpServer::start(&fake, &[]).await;
    let client = server.client(None, &[]).await;
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

    let text = server.metrics().await;
    let series = r#"spotify_mcp_route_fallbacks_total{family="playlist-items",route="legacy",outcome="ok"} 1"#;
    assert!(
        text.lines().any(|line| line == series),
        "one fallback (the second call went straight to the legacy route):\n{text}"
    );
}
