//! In multi-user mode a client's token may hold fewer scopes than the tools need; the transport
//! refuses such `tools/call`s, and resources, completions and subscriptions reach Spotify only
//! through the same tools, so they must be refused alike: nothing reaches Spotify for them.

use crate::common;

use common::multi_user_server::{MultiUserServer, Options};
use fake_spotify::{FakeSpotify, Knobs};
use rmcp::model::{ReadResourceRequestParams, SubscribeRequestParams};
use spotify_mcp::store::Scopes;
use std::time::Duration;

const NOW_PLAYING: &str = "spotify-mcp://me/now-playing";

#[tokio::test]
#[allow(deprecated)]
async fn a_token_without_a_tools_scopes_cannot_read_or_complete_through_it() {
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let server = MultiUserServer::start(&fake, Options::default()).await;
    let ada = server.add_user(&fake, "Ada").await;
    // Everything a catalog read needs, nothing of the player or the private playlists.
    let narrow = Scopes::parse("user-read-private");
    let token = server
        .issue_token(
            &ada.id,
            &narrow,
            &server.resource(),
            Duration::from_secs(600),
        )
        .await;
    let client = server.client(Some(&token)).await;
    fake.clear_requests();

    let read = client
        .read_resource(ReadResourceRequestParams::new(NOW_PLAYING))
        .await;
    assert!(read.is_err(), "now-playing needs user-read-playback-state");
    let subscribed = client
        .subscribe(SubscribeRequestParams::new(NOW_PLAYING))
        .await;
    assert!(subscribed.is_err(), "so does subscribing to it");
    let devices = client
        .complete_prompt_simple("play_on_device", "device", "")
        .await
        .unwrap();
    assert!(
        devices.is_empty(),
        "no device names without the scope: {devices:?}"
    );
    let listed = client.list_all_resources().await.unwrap();
    assert!(
        listed
            .iter()
            .all(|r| !r.uri.starts_with("spotify:playlist:")),
        "no private playlists listed without playlist-read-private"
    );
    let reached: Vec<String> = fake
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/v1/me"))
        .map(|r| r.path.clone())
        .collect();
    assert!(
        reached.is_empty(),
        "nothing of Ada's reached Spotify: {reached:?}"
    );

    let album = fake.ids(fake_spotify::Kind::Album)[0].clone();
    let catalog = client
        .read_resource(ReadResourceRequestParams::new(format!(
            "spotify:album:{album}"
        )))
        .await;
    assert!(catalog.is_ok(), "a tool that needs no scope still reads");
    client.cancel().await.unwrap();
    server.stop().await;
}
