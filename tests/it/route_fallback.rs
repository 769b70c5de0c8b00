//! Route fallback for the routes Spotify moved in February 2026, counted at the fake: a
//! new-route app stays on the current route; a legacy-route app is refused there, gets the same
//! answer through the legacy route, and goes straight there next time (also a second server,
//! through Redis); a missing resource, a missing scope or a Premium refusal never switch routes.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::grants;
use common::redis_server;
use rmcp::model::CallToolResult;
use serde_json::{Value, json};
use spotify_mcp::foundation::secret::Secret;
use spotify_mcp::mcp::errors::CallError;
use spotify_mcp::mcp::fallback::route_refused;

fn structured(result: &CallToolResult) -> Value {
    result
        .structured_content
        .clone()
        .expect("structured content")
}

/// What Spotify answers a Development Mode app on a withheld route.
fn withheld() -> Canned {
    Canned::error(403, "Forbidden")
}

fn not_found() -> Canned {
    Canned::error(404, "Resource not found")
}

fn snapshot() -> Canned {
    Canned::json(201, json!({ "snapshot_id": "s2" }))
}

fn playlist(id: &str) -> Value {
    json!({ "id": id, "name": "Road trip", "type": "playlist", "uri": format!("spotify:playlist:{id}"),
            "href": "h", "external_urls": {} })
}

fn items_page(key: &str) -> Value {
    let track = json!({ "id": "t100000000000000000000", "name": "Song", "type": "track", "uri": "spotify:track:t1",
                        "href": "h", "external_urls": {} });
    json!({ "href": "h", "limit": 20, "offset": 0, "total": 1, "next": null, "previous": null,
            "items": [{ "added_at": null, key: track }] })
}

fn exactly(fake: &FakeSpotify, method: &str, path: &str) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

async fn server(fake: &FakeSpotify) -> common::Client {
    common::connect(&common::spotify_args(fake, Some("test-token")), true).await
}

#[test]
fn only_route_level_refusals_count() {
    let error = |status: u16, message: &str, reason: Option<&str>| CallError::Spotify {
        status: reqwest::StatusCode::from_u16(status).unwrap(),
        message: message.into(),
        reason: reason.map(String::from),
        retry_after: None,
    };
    assert!(route_refused(&error(403, "Forbidden", None)));
    assert!(route_refused(&error(403, "", None)));
    assert!(route_refused(&error(404, "Service not found", None)));
    assert!(!route_refused(&error(404, "Resource not found", None)));
    assert!(!route_refused(&error(404, "Not found.", None)));
    assert!(!route_refused(&error(404, "", None)));
    assert!(!route_refused(&error(
        404,
        "Player command failed: No active device found",
        Some("NO_ACTIVE_DEVICE")
    )));
    assert!(!route_refused(&error(
        403,
        "Insufficient client scope",
        None
    )));
    assert!(!route_refused(&error(
        403,
        "You cannot add tracks to a playlist you don't own.",
        None
    )));
    assert!(!route_refused(&error(
        403,
        "Player command failed: Premium required",
        Some("PREMIUM_REQUIRED")
    )));
    assert!(!route_refused(&error(400, "Forbidden", None)));
    assert!(!route_refused(&CallError::Unreachable("refused".into())));
}

#[tokio::test]
async fn a_new_route_app_stays_on_playlist_items() {
    let fake = FakeSpotify::start().await;
    fake.respond_at("/v1/playlists/p100000000000000000000/items", snapshot());
    let client = server(&fake).await;
    for _ in 0..2 {
        common::call_ok(
            &client,
            "add_playlist_items",
            json!({ "playlist_id": "p100000000000000000000", "uris": ["spotify:track:t1"] }),
        )
        .await;
    }
    assert_eq!(fake.requests().len(), 2, "one request per call");
    assert_eq!(
        fake.requests_at("/v1/playlists/p100000000000000000000/tracks")
            .len(),
        0
    );
}

#[tokio::test]
async fn a_legacy_route_app_uses_playlist_tracks_and_remembers() {
    let fake = FakeSpotify::start().await;
    fake.respond_at("/v1/playlists/p100000000000000000000/items", withheld());
    fake.respond_once_at("/v1/playlists/p100000000000000000000/tracks", snapshot());
    fake.respond_at(
        "/v1/playlists/p100000000000000000000/tracks",
        Canned::json(200, items_page("track")),
    );
    let client = server(&fake).await;

    let removed = common::call_ok(
        &client,
        "remove_playlist_items",
        json!({ "playlist_id": "p100000000000000000000", "items": [{ "uri": "spotify:track:t1" }], "snapshot_id": "s1" }),
    )
    .await;
    assert_eq!(structured(&removed)["snapshot_id"], "s2");
    let requests = fake.take_requests();
    assert_eq!(requests.len(), 2, "refused on /items, then /tracks");
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("DELETE", "/v1/playlists/p100000000000000000000/items")
    );
    assert_eq!(
        (requests[1].method.as_str(), requests[1].path.as_str()),
        ("DELETE", "/v1/playlists/p100000000000000000000/tracks")
    );
    assert_eq!(
        requests[1].json_body().unwrap(),
        json!({ "tracks": [{ "uri": "spotify:track:t1" }], "snapshot_id": "s1" }),
        "the legacy body names the list `tracks`"
    );

    let page = common::call_ok(
        &client,
        "get_playlist_items",
        json!({ "playlist_id": "p100000000000000000000", "limit": 5 }),
    )
    .await;
    let requests = fake.take_requests();
    assert_eq!(requests.len(), 1, "straight to the remembered route");
    assert_eq!(
        requests[0].path,
        "/v1/playlists/p100000000000000000000/tracks"
    );
    assert!(requests[0].query.contains(&("limit".into(), "5".into())));
    let entry = &structured(&page)["items"][0];
    assert_eq!(
        entry["item"]["id"], "t100000000000000000000",
        "answered in the current tool's shape"
    );
}

#[tokio::test]
async fn a_missing_playlist_or_a_missing_scope_never_switches_routes() {
    let fake = FakeSpotify::start().await;
    fake.respond_at("/v1/playlists/gone000000000000000000/items", not_found());
    fake.respond_at(
        "/v1/playlists/theirs0000000000000000/items",
        Canned::error(403, "Insufficient client scope"),
    );
    let client = server(&fake).await;
    for id in ["gone000000000000000000", "theirs0000000000000000"] {
        let result = common::call(&client, "get_playlist_items", json!({ "playlist_id": id }))
            .await
            .unwrap();
        assert_eq!(result.is_error, Some(true));
    }
    assert_eq!(
        fake.requests().len(),
        2,
        "one request per call, no fallback"
    );
    assert_eq!(
        fake.requests_at("/v1/playlists/gone000000000000000000/tracks")
            .len(),
        0
    );
}

#[tokio::test]
async fn both_routes_refused_reports_the_requested_one() {
    let fake = FakeSpotify::start().await;
    fake.respond(withheld());
    let client = server(&fake).await;
    let result = common::call(
        &client,
        "get_playlist_items",
        json!({ "playlist_id": "p100000000000000000000" }),
    )
    .await
    .unwrap();
    assert_eq!(result.is_error, Some(true));
    assert!(
        common::text(&result).contains("403"),
        "{}",
        common::text(&result)
    );
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn a_legacy_tool_on_a_new_route_app_goes_to_the_current_route() {
    let fake = FakeSpotify::start().await;
    fake.respond_at("/v1/playlists/p100000000000000000000/tracks", withheld());
    fake.respond_at(
        "/v1/playlists/p100000000000000000000/items",
        Canned::json(200, items_page("item")),
    );
    let client = server(&fake).await;
    let page = common::call_ok(
        &client,
        "get_playlist_tracks_legacy",
        json!({ "playlist_id": "p100000000000000000000" }),
    )
    .await;
    // Each entry gets both names; projection keeps `item`, the one Spotify has not deprecated.
    assert_eq!(
        structured(&page)["items"][0]["item"]["id"],
        "t100000000000000000000"
    );
    assert_eq!(
        fake.requests_at("/v1/playlists/p100000000000000000000/items")
            .len(),
        1
    );
    common::call_ok(
        &client,
        "get_playlist_tracks_legacy",
        json!({ "playlist_id": "p100000000000000000000" }),
    )
    .await;
    assert_eq!(
        fake.requests_at("/v1/playlists/p100000000000000000000/tracks")
            .len(),
        1,
        "remembered"
    );
}

#[tokio::test]
async fn create_playlist_new_route_app() {
    let fake = FakeSpotify::start().await;
    fake.respond_at("/v1/me/playlists", Canned::json(201, playlist("p9")));
    let client = server(&fake).await;
    common::call_ok(&client, "create_playlist", json!({ "name": "Road trip" })).await;
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn create_playlist_legacy_route_app_posts_for_the_signed_in_user() {
    let fake = FakeSpotify::start().await;
    fake.respond_at("/v1/me/playlists", withheld());
    fake.respond_at(
        "/v1/users/u100000000000000000000/playlists",
        Canned::json(201, playlist("p9")),
    );
    fake.respond_at(
        "/v1/me",
        Canned::json(
            200,
            json!({ "id": "u100000000000000000000", "type": "user", "uri": "spotify:user:u1", "href": "h", "external_urls": {} }),
        ),
    );
    let client = server(&fake).await;
    let created = common::call_ok(
        &client,
        "create_playlist",
        json!({ "name": "Road trip", "public": false }),
    )
    .await;
    assert_eq!(structured(&created)["id"], "p9");
    let legacy = fake.requests_at("/v1/users/u100000000000000000000/playlists");
    assert_eq!(legacy.len(), 1);
    assert_eq!(legacy[0].method, "POST");
    assert_eq!(
        legacy[0].json_body().unwrap(),
        json!({ "name": "Road trip", "public": false })
    );
    common::call_ok(&client, "create_playlist", json!({ "name": "Again" })).await;
    assert_eq!(
        exactly(&fake, "POST", "/v1/me/playlists"),
        1,
        "the second call went straight to the legacy route"
    );
    assert_eq!(
        fake.requests_at("/v1/users/u100000000000000000000/playlists")
            .len(),
        2
    );
}

#[tokio::test]
async fn library_new_route_app() {
    let fake = FakeSpotify::start().await;
    fake.respond_at(
        "/v1/me/library/contains",
        Canned::json(200, json!([true, false])),
    );
    let client = server(&fake).await;
    let result = common::call_ok(
        &client,
        "check_library_contains",
        json!({ "uris": ["spotify:track:t1", "spotify:album:a1"] }),
    )
    .await;
    assert_eq!(structured(&result)["items"], json!([true, false]));
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn library_legacy_route_app_splits_by_type_and_merges_in_order() {
    let fake = FakeSpotify::start().await;
    fake.respond_at("/v1/me/library", withheld());
    fake.respond_at(
        "/v1/me/tracks/contains",
        Canned::json(200, json!([true, false])),
    );
    fake.respond_at("/v1/me/albums/contains", Canned::json(200, json!([true])));
    fake.respond_at(
        "/v1/me/following/contains",
        Canned::json(200, json!([true])),
    );
    fake.respond_at(
        "/v1/playlists/p100000000000000000000/followers/contains",
        Canned::json(200, json!([false])),
    );
    fake.respond_at("/v1/me/tracks", Canned::empty(200));
    let client = server(&fake).await;

    let uris = [
        "spotify:track:t1",
        "spotify:album:a1",
        "spotify:playlist:p100000000000000000000",
        "spotify:track:t2",
        "spotify:artist:r1",
    ];
    let result = common::call_ok(&client, "check_library_contains", json!({ "uris": uris })).await;
    assert_eq!(
        structured(&result)["items"],
        json!([true, true, false, false, true]),
        "answers in the caller's order"
    );
    let tracks = fake.requests_at("/v1/me/tracks/contains");
    assert_eq!(tracks.len(), 1);
    assert!(tracks[0].query.contains(&("ids".into(), "t1,t2".into())));
    let follows = fake.requests_at("/v1/me/following/contains");
    assert!(follows[0].query.contains(&("type".into(), "artist".into())));
    assert!(follows[0].query.contains(&("ids".into(), "r1".into())));
    fake.take_requests();

    common::call_ok(
        &client,
        "save_library_items",
        json!({ "uris": ["spotify:track:t3"] }),
    )
    .await;
    let requests = fake.take_requests();
    assert_eq!(requests.len(), 1, "straight to the remembered legacy route");
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("PUT", "/v1/me/tracks")
    );
    assert_eq!(requests[0].json_body().unwrap()["ids"], json!(["t3"]));
}

#[tokio::test]
async fn several_albums_fall_back_to_one_get_per_album() {
    let fake = FakeSpotify::start().await;
    fake.respond_at(
        "/v1/albums/a000000000000000000000",
        Canned::json(200, grants::album("a000000000000000000000")),
    );
    fake.respond_at(
        "/v1/albums/b000000000000000000000",
        Canned::json(200, grants::album("b000000000000000000000")),
    );
    fake.respond_at("/v1/albums/zzz0000000000000000000", not_found());
    fake.respond_at("/v1/albums", withheld());
    let client = server(&fake).await;
    let result = common::call_ok(
        &client,
        "get_several_albums",
        json!({ "ids": ["a000000000000000000000", "zzz0000000000000000000", "b000000000000000000000"], "market": "SE" }),
    )
    .await;
    let albums = &structured(&result)["albums"];
    assert_eq!(albums[0]["id"], "a000000000000000000000");
    assert_eq!(
        albums[1],
        Value::Null,
        "an unknown id is null, as Spotify answers"
    );
    assert_eq!(albums[2]["id"], "b000000000000000000000");
    assert!(
        fake.requests_at("/v1/albums/a000000000000000000000")[0]
            .query
            .contains(&("market".into(), "SE".into()))
    );
    common::call_ok(
        &client,
        "get_several_albums",
        json!({ "ids": ["a000000000000000000000"] }),
    )
    .await;
    assert_eq!(exactly(&fake, "GET", "/v1/albums"), 1, "remembered");
}

#[tokio::test]
async fn a_second_server_learns_the_route_from_redis() {
    let Some((url, _guard)) = redis_server::shared() else {
        return;
    };
    let fake = FakeSpotify::start().await;
    fake.respond_at("/v1/playlists/p100000000000000000000/items", withheld());
    fake.respond_at("/v1/playlists/p100000000000000000000/tracks", snapshot());
    let token = format!("route-{}-{}", std::process::id(), fastrand::u64(..));
    let mut args = common::spotify_args(&fake, Some(&token));
    args.middleware.redis_url = Some(Secret::new(url));
    let first = common::connect(&args, false).await;
    let second = common::connect(&args, false).await;
    let add = json!({ "playlist_id": "p100000000000000000000", "uris": ["spotify:track:t1"] });

    common::call_ok(&first, "add_playlist_items", add.clone()).await;
    assert_eq!(fake.requests().len(), 2, "refused, then the legacy route");
    common::call_ok(&second, "add_playlist_items", add.clone()).await;
    assert_eq!(
        fake.requests().len(),
        3,
        "the second server went straight there"
    );
    assert_eq!(
        fake.requests_at("/v1/playlists/p100000000000000000000/items")
            .len(),
        1
    );

    let other = common::connect(
        &common::spotify_args(&fake, Some(&format!("{token}-other"))),
        false,
    )
    .await;
    common::call_ok(&other, "add_playlist_items", add).await;
    assert_eq!(
        fake.requests_at("/v1/playlists/p100000000000000000000/items")
            .len(),
        2,
        "another login without Redis tries the current route first"
    );
}

#[tokio::test]
async fn a_refusal_about_the_playlist_is_reported_as_spotify_said_it() {
    let fake = FakeSpotify::start().await;
    fake.respond_at(
        "/v1/playlists/theirs0000000000000000/items",
        Canned::error(403, "You cannot add tracks to a playlist you don't own."),
    );
    let client = server(&fake).await;
    let text = common::call_err(
        &client,
        "add_playlist_items",
        json!({ "playlist_id": "theirs0000000000000000", "uris": ["spotify:track:t1"] }),
    )
    .await;
    assert!(
        text.contains("403") && text.contains("you don't own"),
        "Spotify's status and message, not a decoding error: {text}"
    );
    assert_eq!(fake.requests().len(), 1, "no fallback");
}

#[tokio::test]
async fn an_app_allowed_both_routes_keeps_the_current_one() {
    let fake = FakeSpotify::start().await;
    fake.respond_at(
        "/v1/playlists/p100000000000000000000/tracks",
        Canned::json(200, items_page("track")),
    );
    fake.respond_at(
        "/v1/playlists/p100000000000000000000/items",
        Canned::json(200, items_page("item")),
    );
    let client = server(&fake).await;
    common::call_ok(
        &client,
        "get_playlist_tracks_legacy",
        json!({ "playlist_id": "p100000000000000000000" }),
    )
    .await;
    common::call_ok(
        &client,
        "get_playlist_items",
        json!({ "playlist_id": "p100000000000000000000" }),
    )
    .await;
    let paths: Vec<String> = fake.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/v1/playlists/p100000000000000000000/tracks",
            "/v1/playlists/p100000000000000000000/items"
        ],
        "a success teaches nothing; only a refusal does"
    );
}

#[tokio::test]
async fn a_legacy_page_size_is_cut_to_what_the_current_route_takes() {
    let fake = FakeSpotify::start().await;
    fake.respond_at("/v1/playlists/p100000000000000000000/tracks", withheld());
    fake.respond_at(
        "/v1/playlists/p100000000000000000000/items",
        Canned::json(200, items_page("item")),
    );
    let client = server(&fake).await;
    common::call_ok(
        &client,
        "get_playlist_tracks_legacy",
        json!({ "playlist_id": "p100000000000000000000", "limit": 100 }),
    )
    .await;
    let current = fake.requests_at("/v1/playlists/p100000000000000000000/items");
    assert!(current[0].query.contains(&("limit".into(), "50".into())));
}

#[tokio::test]
async fn several_albums_answered_directly_need_one_request() {
    let fake = FakeSpotify::start().await;
    fake.respond_at(
        "/v1/albums",
        Canned::json(
            200,
            json!({ "albums": [grants::album("a000000000000000000000"), grants::album("b000000000000000000000")] }),
        ),
    );
    let client = server(&fake).await;
    for _ in 0..2 {
        let result = common::call_ok(
            &client,
            "get_several_albums",
            json!({ "ids": ["a000000000000000000000", "b000000000000000000000"] }),
        )
        .await;
        assert_eq!(
            structured(&result)["albums"][1]["id"],
            "b000000000000000000000"
        );
    }
    assert_eq!(
        fake.requests().len(),
        2,
        "one request per call, no per-album GETs"
    );
}

#[tokio::test]
async fn library_writes_on_a_legacy_route_app_reach_each_legacy_route() {
    let fake = FakeSpotify::start().await;
    fake.respond_at("/v1/me/library", withheld());
    fake.respond(Canned::empty(200));
    let client = server(&fake).await;
    let uris = json!({ "uris": ["spotify:artist:r1", "spotify:playlist:p100000000000000000000", "spotify:show:s1", "spotify:user:u2"] });

    common::call_ok(&client, "save_library_items", uris.clone()).await;
    let requests: Vec<_> = fake
        .take_requests()
        .into_iter()
        .filter(|r| r.path != "/v1/me/library")
        .collect();
    let seen: Vec<(String, String)> = requests
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    let put = |path: &str| ("PUT".to_string(), path.to_string());
    assert_eq!(
        seen,
        [
            put("/v1/me/shows"),
            put("/v1/me/following"),
            put("/v1/me/following"),
            put("/v1/playlists/p100000000000000000000/followers"),
        ]
    );
    assert!(requests[0].query.contains(&("ids".into(), "s1".into())));
    assert!(
        requests[1]
            .query
            .contains(&("type".into(), "artist".into()))
    );
    assert_eq!(requests[1].json_body().unwrap(), json!({ "ids": ["r1"] }));
    assert!(requests[2].query.contains(&("type".into(), "user".into())));

    common::call_ok(&client, "remove_library_items", uris).await;
    let methods: Vec<String> = fake.take_requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["DELETE"; 4], "straight to the legacy routes");
}
