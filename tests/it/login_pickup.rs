//! A server started before `spotify-mcp auth login` (no credentials, a token file to come)
//! takes the login when it appears, without a restart: until then a call says so and nothing
//! reaches Spotify; then clients hear `notifications/tools/list_changed`, the tool list follows
//! the login's scopes and calls work — in process and over HTTP (the built binary), with a real
//! token file written through the store, as `auth login` writes it.

use crate::common;
use crate::common::list_changed::{
    Client, HEARD_WITHIN, PLAYLIST_WRITER, RECHECK, connect, connect_over_http,
    declared_list_changed, heard, tool_names, without_playlist_write,
};

use common::grants;
use rmcp::model::{CallToolRequestParams, CallToolResult, ProtocolVersion};
use spotify_mcp::credentials::grant::now;
use spotify_mcp::credentials::{AuthMode, FileTokenStore, TokenStore};
use spotify_mcp::mcp::catalog_watch::{self, CatalogWatch};
use spotify_mcp::mcp::{Catalog, CatalogOptions, SpotifyServer, all_tools};
use std::path::Path;
use std::sync::Arc;

const NO_LOGIN_YET: &str = "no login yet: run `spotify-mcp auth login`";

/// The first login, without the playlist-writing scopes, stored as `auth login` stores it.
async fn log_in(path: &Path) {
    let mut grant = grants::grant(
        "access-1",
        Some("refresh-1"),
        3600,
        &without_playlist_write(),
    );
    grant.authorized_at = now();
    FileTokenStore::new(path.to_path_buf())
        .save(&grant)
        .await
        .expect("the login is stored");
}

async fn call_profile(client: &Client) -> CallToolResult {
    let call = client.call_tool(CallToolRequestParams::new("get_my_profile"));
    tokio::time::timeout(HEARD_WITHIN, call)
        .await
        .expect("answers in time")
        .expect("tools/call")
}

fn text(result: &CallToolResult) -> String {
    common::text(result)
}

/// Requests the fake got for the Web API (not the accounts service).
fn api_requests(fake: &common::fake_spotify::FakeSpotify) -> usize {
    let requests = fake.requests();
    requests
        .iter()
        .filter(|r| r.path.starts_with("/v1/"))
        .count()
}

/// An in-process server with no credentials and a token file that does not exist yet, its
/// login watched every [`RECHECK`], as `serve` sets it up.
struct Awaiting {
    server: SpotifyServer,
    fake: common::fake_spotify::FakeSpotify,
    dir: tempfile::TempDir,
    _watch: CatalogWatch,
}

async fn awaiting() -> Awaiting {
    let fake = common::fake_spotify::FakeSpotify::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut args = common::spotify_args(&fake, None);
    args.token_file = Some(dir.path().join("token.json"));
    let api = spotify_mcp::app::wiring::build_single_user_api(
        &args,
        spotify_mcp::app::wiring::redis_link(&args).expect("the Redis URL parses"),
        Some(RECHECK),
    )
    .expect("client builds");
    assert_eq!(
        api.default_credentials().mode().await,
        AuthMode::AwaitingLogin
    );
    let options = CatalogOptions::default();
    let server = SpotifyServer::new(api, Arc::new(Catalog::new(all_tools(), &options)));
    let watch = catalog_watch::spawn(&server, options, RECHECK);
    Awaiting {
        server,
        fake,
        dir,
        _watch: watch,
    }
}

#[tokio::test]
async fn a_login_after_start_is_taken_announced_and_used() {
    let awaiting = awaiting().await;
    let (client, mut notifications) =
        connect(awaiting.server.clone(), ProtocolVersion::V_2025_11_25).await;
    assert_eq!(
        declared_list_changed(&client),
        Some(true),
        "tools.listChanged is declared while a login is awaited"
    );
    let before = call_profile(&client).await;
    assert_eq!(before.is_error, Some(true), "{before:?}");
    assert!(text(&before).contains(NO_LOGIN_YET), "{}", text(&before));
    assert!(
        text(&before).contains("no restart needed"),
        "{}",
        text(&before)
    );
    assert_eq!(api_requests(&awaiting.fake), 0, "nothing reaches Spotify");
    let everything = tool_names(&client).await;
    assert!(everything.contains(&PLAYLIST_WRITER.to_string()));

    log_in(&awaiting.dir.path().join("token.json")).await;
    assert!(
        heard(&mut notifications, HEARD_WITHIN).await,
        "notifications/tools/list_changed within the recheck interval"
    );
    assert!(
        !tool_names(&client)
            .await
            .contains(&PLAYLIST_WRITER.to_string()),
        "the tool list follows the login's scopes"
    );
    let after = call_profile(&client).await;
    assert_ne!(after.is_error, Some(true), "{}", text(&after));
    assert!(
        awaiting.fake.requests().iter().any(|r| r.path == "/v1/me"
            && r.header("authorization").as_deref() == Some("Bearer access-1")),
        "the call reached the fake with the login's token"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_broken_token_file_while_waiting_says_so() {
    let awaiting = awaiting().await;
    let (client, mut notifications) =
        connect(awaiting.server.clone(), ProtocolVersion::V_2025_11_25).await;
    std::fs::write(awaiting.dir.path().join("token.json"), "{ not a grant").unwrap();
    // The watcher looks within the interval; the call after that reports the broken file.
    assert!(
        !heard(&mut notifications, RECHECK * 3).await,
        "a broken file is no login"
    );
    let answer = call_profile(&client).await;
    assert_eq!(answer.is_error, Some(true));
    assert!(text(&answer).contains("is corrupt"), "{}", text(&answer));
    assert_eq!(api_requests(&awaiting.fake), 0, "nothing reaches Spotify");

    // `auth login` sets the corrupt file aside and writes the login: it is taken.
    log_in(&awaiting.dir.path().join("token.json")).await;
    assert!(heard(&mut notifications, HEARD_WITHIN).await);
    let after = call_profile(&client).await;
    assert_ne!(after.is_error, Some(true), "{}", text(&after));
    client.cancel().await.unwrap();
}

/// Over HTTP, the built binary started with no credentials and `--login-recheck-secs 1`: a
/// session hears of the login written after start, and its next call works.
#[tokio::test]
async fn over_http_the_server_takes_a_login_written_after_start() {
    let fake = common::fake_spotify::FakeSpotify::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.json");
    let mut command = common::http_server::command(&fake, &["--login-recheck-secs", "1"]);
    command
        .env_remove("SPOTIFY_ACCESS_TOKEN")
        .env("SPOTIFY_MCP_TOKEN_FILE", &path);
    let server = common::http_server::HttpServer::spawn(command).await;
    let (client, mut notifications) =
        connect_over_http(&server.url("/mcp"), ProtocolVersion::V_2025_11_25).await;
    let before = call_profile(&client).await;
    assert!(
        text(&before).contains("the server picks it up within 1 second,"),
        "{}",
        text(&before)
    );
    assert_eq!(api_requests(&fake), 0, "nothing reaches Spotify");

    log_in(&path).await;
    assert!(
        heard(&mut notifications, HEARD_WITHIN).await,
        "notifications/tools/list_changed within the recheck interval:\n{}",
        server.logs()
    );
    let after = call_profile(&client).await;
    assert_ne!(after.is_error, Some(true), "{}", text(&after));
    assert!(api_requests(&fake) > 0, "the call reached the fake");
    client.cancel().await.unwrap();
}

/// With a Redis token store the awaited login is shared as one there at start would be: sealed
/// in Redis under its app and user once it is taken.
#[tokio::test]
async fn with_a_redis_token_store_the_login_taken_goes_to_redis() {
    let Some(redis) = common::redis_server::RedisServer::start() else {
        return;
    };
    let fake = common::fake_spotify::FakeSpotify::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.json");
    let mut args = common::spotify_args(&fake, None);
    args.token_file = Some(path.clone());
    args.middleware.redis_url = Some(spotify_mcp::foundation::secret::Secret::new(redis.url()));
    args.middleware.encryption_key = Some(spotify_mcp::foundation::secret::Secret::new(
        common::replicas::ENCRYPTION_KEY,
    ));
    let api = spotify_mcp::app::wiring::build_single_user_api(
        &args,
        spotify_mcp::app::wiring::redis_link(&args).expect("the Redis URL parses"),
        Some(RECHECK),
    )
    .expect("client builds");
    let credentials = api.default_credentials().clone();
    let waiting = credentials.bearer().await.unwrap_err();
    assert!(waiting.to_string().contains(NO_LOGIN_YET), "{waiting}");

    let mut login = common::replicas::login("access-1", "refresh-1", 3600);
    login.authorized_at = now();
    FileTokenStore::new(path).save(&login).await.unwrap();
    assert!(credentials.reload().await, "the watcher's look takes it");
    assert_eq!(credentials.bearer().await.unwrap().expose(), "access-1");
    let shared = common::replicas::shared_grant(&redis.url(), &login)
        .await
        .expect("the login is in Redis");
    assert_eq!(shared.access_token.expose(), "access-1");
}
