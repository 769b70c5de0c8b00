//! The catalog headers (X-MCP-Toolsets, X-MCP-Read-Only) narrow resources and completions as
//! they narrow tools: what is read through a tool outside the narrowing is left out of
//! resources/list, templates and completions, and refused when read or subscribed to — over
//! real HTTP, with nothing reaching Spotify for it.

use crate::common;

use common::fake_spotify::FakeSpotify;
use common::http_server::HttpServer;
use rmcp::RoleClient;
use rmcp::model::{
    CacheScope, PaginatedRequestParams, ReadResourceRequestParams, SubscribeRequestParams,
};
use rmcp::service::RunningService;

type Client = RunningService<RoleClient, ()>;

const NOW_PLAYING: &str = "spotify-mcp://me/now-playing";
const NARROWED: [(&str, &str); 1] = [("x-mcp-toolsets", "albums")];

async fn listed_uris(client: &Client) -> Vec<String> {
    let listed = client.list_all_resources().await.unwrap();
    listed.into_iter().map(|r| r.uri.clone()).collect()
}

async fn templates(client: &Client) -> (Vec<String>, Option<CacheScope>) {
    let result = client
        .list_resource_templates(Some(PaginatedRequestParams::default()))
        .await
        .unwrap();
    let uris = result
        .resource_templates
        .iter()
        .map(|t| t.uri_template.clone())
        .collect();
    (uris, result.cache_scope)
}

async fn refused_read(client: &Client, uri: &str) -> String {
    let error = client
        .read_resource(ReadResourceRequestParams::new(uri))
        .await
        .expect_err(uri);
    error.to_string()
}

#[tokio::test]
async fn resources_outside_the_narrowing_are_left_out() {
    let fake = FakeSpotify::start().await;
    let server = HttpServer::start(&fake, &[]).await;
    // Unnarrowed, the player and playlist resources are there (so their absence below is the
    // narrowing's doing).
    let everyone = server.client(None, &[]).await;
    let all = listed_uris(&everyone).await;
    assert!(all.iter().any(|u| u == NOW_PLAYING), "{all:?}");
    assert_eq!(templates(&everyone).await.0.len(), 4);
    everyone.cancel().await.unwrap();
    fake.take_requests();

    let client = server.client(None, &NARROWED).await;
    let listed = listed_uris(&client).await;
    assert_eq!(
        listed,
        ["ui://spotify-mcp/album"],
        "only what the albums toolset reads through"
    );
    let (uris, scope) = templates(&client).await;
    assert_eq!(uris, ["spotify:album:{id}"]);
    assert_eq!(
        scope,
        Some(CacheScope::Private),
        "a narrowed list is not for shared caches"
    );
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
    client.cancel().await.unwrap();
}

#[tokio::test]
#[allow(deprecated)] // resources/subscribe: the pre-2026-07-28 path, which this checks
async fn reads_and_subscriptions_outside_the_narrowing_are_refused() {
    let fake = FakeSpotify::start().await;
    let server = HttpServer::start(&fake, &[]).await;
    let client = server.client(None, &NARROWED).await;
    for uri in [
        NOW_PLAYING,
        "spotify-mcp://me/playlists",
        "spotify:artist:0OdUWJ0sBjDrqHygGUXeCF",
        "ui://spotify-mcp/now-playing",
    ] {
        let error = refused_read(&client, uri).await;
        assert!(
            error.contains("outside the catalog this request narrowed to")
                || error.contains("the toolsets or read-only headers it narrowed to"),
            "{uri}: {error}"
        );
    }
    let subscribed = client
        .subscribe(SubscribeRequestParams::new(NOW_PLAYING))
        .await
        .expect_err("now-playing reads through the player toolset");
    assert!(
        subscribed.to_string().contains("outside the catalog"),
        "{subscribed}"
    );
    assert!(
        fake.requests().is_empty(),
        "nothing reached Spotify: {:?}",
        fake.requests()
    );
    // Within the narrowing, reads still work.
    let view = client
        .read_resource(ReadResourceRequestParams::new("ui://spotify-mcp/album"))
        .await;
    assert!(view.is_ok(), "{view:?}");
    client.cancel().await.unwrap();

    // Read-only narrows by what a tool does: every resource is a read, so all stay readable.
    let read_only = server.client(None, &[("x-mcp-read-only", "true")]).await;
    assert!(
        listed_uris(&read_only)
            .await
            .iter()
            .any(|u| u == NOW_PLAYING)
    );
    read_only.cancel().await.unwrap();
}

#[tokio::test]
async fn completions_suggest_only_within_the_narrowing() {
    let fake = FakeSpotify::start().await;
    let server = HttpServer::start(&fake, &[]).await;
    let client = server.client(None, &NARROWED).await;
    let devices = client
        .complete_prompt_simple("play_on_device", "device", "")
        .await
        .unwrap();
    assert!(devices.is_empty(), "{devices:?}");
    let playlists = client
        .complete_prompt_simple("build_playlist", "playlist", "")
        .await
        .unwrap();
    assert!(playlists.is_empty(), "{playlists:?}");
    let ids = client
        .complete_resource_simple("spotify:playlist:{id}", "id", "")
        .await
        .unwrap();
    assert!(ids.is_empty(), "{ids:?}");
    let toolsets = client
        .complete_prompt_simple("what_can_you_do", "toolset", "")
        .await
        .unwrap();
    assert_eq!(toolsets, ["albums"]);
    assert!(
        fake.requests().is_empty(),
        "no tool outside the narrowing ran for a suggestion: {:?}",
        fake.requests()
    );
    client.cancel().await.unwrap();
}
