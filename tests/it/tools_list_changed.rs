//! A new login while the server runs (`auth login` again, with other scopes): the tool list
//! follows and clients hear `notifications/tools/list_changed` — sessions before 2026-07-28
//! unasked, 2026-07-28 `subscriptions/listen` streams that asked for it — in process and over
//! HTTP (the built binary), with a real login file rewritten through the store, as `auth login`
//! writes it. The same scopes again change nothing; no stored login: nothing is declared.

use crate::common;

use common::list_changed::{
    Client, HEARD_WITHIN, PLAYLIST_WRITER, RECHECK, connect, connect_over_http,
    declared_list_changed, heard, tool_names, without_playlist_write,
};

use common::grants;
use rmcp::model::{ProtocolVersion, ServerNotification, SubscriptionFilter};
use rmcp::service::Subscription;
use spotify_mcp::credentials::grant::{Grant, now};
use spotify_mcp::credentials::{AuthMode, FileTokenStore, TokenStore};
use spotify_mcp::mcp::catalog_watch::{self, CatalogWatch};
use spotify_mcp::mcp::{Catalog, CatalogOptions, SpotifyServer, all_tools};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A new login with `scopes` stored where the server reads it, as `auth login` stores one:
/// a later authorization, a new token.
async fn log_in_again(path: &Path, scopes: &[&str], token: &str) {
    let mut grant: Grant = grants::grant(token, Some("refresh-2"), 3600, scopes);
    grant.authorized_at = now();
    FileTokenStore::new(path.to_path_buf())
        .save(&grant)
        .await
        .expect("the new login is stored");
}

/// A server in process whose stored login lacks the playlist-writing scopes, its login
/// watched every [`RECHECK`].
struct Watched {
    server: SpotifyServer,
    path: PathBuf,
    _watch: CatalogWatch,
    _dir: tempfile::TempDir,
    _fake: common::fake_spotify::FakeSpotify,
}

async fn watched() -> Watched {
    let first = grants::grant(
        "access-1",
        Some("refresh-1"),
        3600,
        &without_playlist_write(),
    );
    let (fake, dir, args, path) = grants::logged_in(first).await;
    let api = spotify_mcp::build_api(&args).expect("client builds");
    let AuthMode::User(scopes) = api.default_credentials().mode().await else {
        panic!("a stored login");
    };
    let options = CatalogOptions {
        granted_scopes: Some(scopes),
        ..CatalogOptions::default()
    };
    let server = SpotifyServer::new(api, Arc::new(Catalog::new(all_tools(), &options)));
    let watch = catalog_watch::spawn(&server, options, RECHECK);
    Watched {
        server,
        path,
        _watch: watch,
        _dir: dir,
        _fake: fake,
    }
}

#[tokio::test]
async fn a_new_login_with_the_playlist_scopes_is_announced_and_lists_their_tools() {
    let watched = watched().await;
    let (client, mut notifications) =
        connect(watched.server.clone(), ProtocolVersion::V_2025_11_25).await;
    assert_eq!(
        declared_list_changed(&client),
        Some(true),
        "tools.listChanged is declared where a login is watched"
    );
    let listed = client.list_tools(None).await.unwrap();
    assert_eq!(
        listed.ttl_ms,
        Some(RECHECK.as_millis() as u64),
        "the list may be cached no longer than the login is rechecked"
    );
    assert!(
        !tool_names(&client)
            .await
            .contains(&PLAYLIST_WRITER.to_string())
    );

    log_in_again(&watched.path, &grants::all_scopes(), "access-2").await;
    assert!(
        heard(&mut notifications, HEARD_WITHIN).await,
        "notifications/tools/list_changed within the recheck interval"
    );
    assert!(
        tool_names(&client)
            .await
            .contains(&PLAYLIST_WRITER.to_string()),
        "the next tools/list has the playlist-writing tools"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn the_same_scopes_again_announce_nothing() {
    let watched = watched().await;
    let (client, mut notifications) =
        connect(watched.server.clone(), ProtocolVersion::V_2025_11_25).await;
    let before = watched.server.catalog();

    log_in_again(&watched.path, &without_playlist_write(), "access-2").await;
    assert!(
        !heard(&mut notifications, RECHECK * 6).await,
        "a login with the same scopes is no change"
    );
    assert!(
        Arc::ptr_eq(&before, &watched.server.catalog()),
        "the catalog stays the one it was"
    );

    // The watcher is alive: scopes that differ are announced.
    log_in_again(&watched.path, &grants::all_scopes(), "access-3").await;
    assert!(heard(&mut notifications, HEARD_WITHIN).await);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_2026_listen_stream_that_asked_hears_of_the_change() {
    let watched = watched().await;
    let (client, _unrouted) = connect(watched.server.clone(), ProtocolVersion::V_2026_07_28).await;
    let now_playing = "spotify-mcp://me/now-playing".to_string();
    let mut filter = SubscriptionFilter::builder().tools_list_changed().build();
    filter.resource_subscriptions = Some(vec![now_playing.clone()]);
    let mut subscription = tokio::time::timeout(HEARD_WITHIN, client.listen(filter))
        .await
        .expect("acknowledged in time")
        .expect("subscriptions/listen");
    let accepted = subscription.acknowledged();
    assert_eq!(accepted.tools_list_changed, Some(true), "{accepted:?}");
    assert_eq!(
        accepted.resource_subscriptions,
        Some(vec![now_playing]),
        "one stream carries both"
    );
    assert!(
        !tool_names(&client)
            .await
            .contains(&PLAYLIST_WRITER.to_string())
    );

    log_in_again(&watched.path, &grants::all_scopes(), "access-2").await;
    next_is_tool_list_changed(&mut subscription).await;
    assert!(
        tool_names(&client)
            .await
            .contains(&PLAYLIST_WRITER.to_string())
    );
    subscription.cancel().await.unwrap();
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn without_a_stored_login_nothing_can_change_and_nothing_is_declared() {
    let fake = common::fake_spotify::FakeSpotify::start().await;
    let api = spotify_mcp::build_api(&common::spotify_args(&fake, Some("raw"))).unwrap();
    let server = SpotifyServer::new(
        api,
        Arc::new(Catalog::new(all_tools(), &CatalogOptions::default())),
    );
    let (client, _notifications) = connect(server.clone(), ProtocolVersion::V_2026_07_28).await;
    let filter = SubscriptionFilter::builder().tools_list_changed().build();
    let subscription = tokio::time::timeout(HEARD_WITHIN, client.listen(filter))
        .await
        .expect("acknowledged in time")
        .expect("subscriptions/listen");
    assert_eq!(subscription.acknowledged().tools_list_changed, None);
    let listed = client.list_tools(None).await.unwrap();
    assert_eq!(
        listed.ttl_ms,
        Some(60 * 60 * 1000),
        "fixed for the server's life"
    );
    client.cancel().await.unwrap();
}

/// Over HTTP, the built binary with `--login-recheck-secs 1` and a login file: a 2025-11-25
/// session hears of the new login on its stream, and so does a 2026-07-28 listen stream.
#[tokio::test]
async fn over_http_sessions_and_listen_streams_hear_of_a_new_login() {
    let fake = common::fake_spotify::FakeSpotify::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.json");
    let first = grants::grant(
        "access-1",
        Some("refresh-1"),
        3600,
        &without_playlist_write(),
    );
    FileTokenStore::new(path.clone()).save_sync(&first).unwrap();
    let mut command = common::http_server::command(&fake, &["--login-recheck-secs", "1"]);
    command
        .env_remove("SPOTIFY_ACCESS_TOKEN")
        .env("SPOTIFY_MCP_TOKEN_FILE", &path);
    let server = common::http_server::HttpServer::spawn(command).await;
    let url = server.url("/mcp");
    let (client, mut notifications) = connect_over_http(&url, ProtocolVersion::V_2025_11_25).await;
    let (stateless, _unrouted) = connect_over_http(&url, ProtocolVersion::V_2026_07_28).await;
    let mut subscription = listen_for_tool_changes(&stateless).await;
    assert!(
        !tool_names(&client)
            .await
            .contains(&PLAYLIST_WRITER.to_string())
    );

    log_in_again(&path, &grants::all_scopes(), "access-2").await;
    assert!(
        heard(&mut notifications, HEARD_WITHIN).await,
        "the session hears notifications/tools/list_changed within the recheck interval:\n{}",
        server.logs()
    );
    next_is_tool_list_changed(&mut subscription).await;
    assert!(
        tool_names(&client)
            .await
            .contains(&PLAYLIST_WRITER.to_string())
    );
    assert!(
        tool_names(&stateless)
            .await
            .contains(&PLAYLIST_WRITER.to_string())
    );
    subscription.cancel().await.unwrap();
    stateless.cancel().await.unwrap();
    client.cancel().await.unwrap();
}

/// The listen stream's next notification, within the recheck interval, is a tool list change.
async fn next_is_tool_list_changed(subscription: &mut Subscription) {
    let notification = tokio::time::timeout(HEARD_WITHIN, subscription.next())
        .await
        .expect(
            "the listen stream hears notifications/tools/list_changed within the recheck interval",
        )
        .expect("the stream is open");
    assert!(
        matches!(
            notification,
            Some(ServerNotification::ToolListChangedNotification(_))
        ),
        "{notification:?}"
    );
}

/// A 2026-07-28 `subscriptions/listen` stream asking for `toolsListChanged`, acknowledged.
async fn listen_for_tool_changes(client: &Client) -> Subscription {
    let filter = SubscriptionFilter::builder().tools_list_changed().build();
    let subscription = tokio::time::timeout(HEARD_WITHIN, client.listen(filter))
        .await
        .expect("acknowledged in time")
        .expect("subscriptions/listen");
    assert_eq!(subscription.acknowledged().tools_list_changed, Some(true));
    subscription
}
