//! Issue 14, finding 1: an id can only name an item of its own endpoint. A crafted id (`..\`
//! steps the URL parser resolves) is refused before a request is built, whatever tool carries it
//! and whatever the catalog lists; the hooks refuse a URL that left its operation's path even
//! when the id check is bypassed; and the forms people paste (URIs, open.spotify.com links)
//! work as ids.

use crate::common;

use ::fake_spotify::{Kind, Knobs};
use common::fake_spotify::{Canned, FakeSpotify};
use serde_json::{Value, json};
use spotify_mcp::mcp::CatalogOptions;
use spotify_mcp::mcp::selection::Selection;
use spotify_mcp::middleware::call::CallFailure;

const ALBUM: &str = "4aawyAB9vmqN3uQ7FjRGTy";

/// Calls `tool`: nothing may reach the fake, and the `isError` answer names `argument`.
async fn refused(
    client: &common::Client,
    fake: &FakeSpotify,
    tool: &str,
    arguments: Value,
    argument: &str,
) {
    let result = common::call(client, tool, arguments.clone())
        .await
        .expect("a tool result, not a protocol error");
    let sent: Vec<String> = fake
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(sent.is_empty(), "{tool} with {arguments} sent {sent:?}");
    let text = common::text(&result);
    assert_eq!(
        result.is_error,
        Some(true),
        "{tool} with {arguments}: {text}"
    );
    assert!(text.contains(&format!("`{argument}`")), "{text}");
}

#[tokio::test]
async fn a_crafted_album_id_does_not_read_the_users_top_tracks() {
    let (fake, client) = common::setup().await;
    fake.respond(Canned::json(200, json!({ "items": [] })));
    refused(
        &client,
        &fake,
        "get_album",
        json!({ "id": "..\\..\\v1\\me\\top\\tracks" }),
        "id",
    )
    .await;
}

#[tokio::test]
async fn a_crafted_playlist_id_does_not_pause_playback() {
    let (fake, client) = common::setup().await;
    fake.respond(Canned::empty(204));
    refused(
        &client,
        &fake,
        "change_playlist_details",
        json!({ "playlist_id": "..\\..\\v1\\me\\player\\pause", "name": "x" }),
        "playlist_id",
    )
    .await;
}

#[tokio::test]
async fn a_playlists_only_catalog_cannot_start_playback_through_a_playlist_id() {
    let fake = FakeSpotify::start().await;
    fake.respond(Canned::empty(204));
    let options = CatalogOptions {
        selection: Selection {
            toolsets: Some(["playlists".to_string()].into()),
            ..Selection::default()
        },
        ..CatalogOptions::default()
    };
    let client =
        common::connect_with(&common::spotify_args(&fake, Some("test-token")), options).await;
    assert!(
        common::call(&client, "start_playback", json!({}))
            .await
            .is_err(),
        "start_playback is outside this catalog"
    );
    refused(
        &client,
        &fake,
        "change_playlist_details",
        json!({ "playlist_id": "..\\..\\v1\\me\\player\\play", "name": "x" }),
        "playlist_id",
    )
    .await;
}

#[tokio::test]
async fn a_crafted_id_in_a_list_is_refused_too() {
    let (fake, client) = common::setup().await;
    refused(
        &client,
        &fake,
        "get_several_albums",
        json!({ "ids": [ALBUM, "..\\me"] }),
        "ids.1",
    )
    .await;
}

#[tokio::test]
async fn uris_and_links_work_as_ids() {
    let (fake, client) = common::realistic::start(Knobs::default()).await;
    let album = fake.ids(Kind::Album)[0].clone();
    let playlist = fake.own_playlist_ids()[0].clone();
    for pasted in [
        format!("spotify:album:{album}"),
        format!("https://open.spotify.com/album/{album}?si=0a1b2c3d4e"),
        format!("https://open.spotify.com/intl-de/album/{album}"),
    ] {
        let result = common::call_ok(&client, "get_album", json!({ "id": pasted })).await;
        assert_eq!(result.structured_content.unwrap()["id"], json!(album));
    }
    let link = format!("https://open.spotify.com/playlist/{playlist}?si=x");
    common::call_ok(
        &client,
        "change_playlist_details",
        json!({ "playlist_id": link, "name": "Renamed" }),
    )
    .await;
    common::call_ok(
        &client,
        "get_several_albums",
        json!({ "ids": [format!("spotify:album:{album}"), format!("https://open.spotify.com/album/{album}")] }),
    )
    .await;
    let sent: Vec<(String, String, Option<String>)> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/v1/"))
        .map(|r| {
            (
                r.method.clone(),
                r.path.clone(),
                r.query_value("ids").map(String::from),
            )
        })
        .collect();
    let album_path = format!("/v1/albums/{album}");
    let expected = vec![
        ("GET".to_string(), album_path.clone(), None),
        ("GET".to_string(), album_path.clone(), None),
        ("GET".to_string(), album_path, None),
        ("PUT".to_string(), format!("/v1/playlists/{playlist}"), None),
        (
            "GET".to_string(),
            "/v1/albums".to_string(),
            Some(format!("{album},{album}")),
        ),
    ];
    assert_eq!(sent, expected);
}

/// Defence in depth: the typed client called directly, no id check on the way, still sends
/// nothing once the URL path has left the operation's template.
#[tokio::test]
async fn the_hooks_refuse_a_path_outside_its_template_without_the_id_check() {
    let fake = FakeSpotify::start().await;
    fake.respond(Canned::json(200, json!({ "items": [] })));
    let api = spotify_mcp::build_api(&common::spotify_args(&fake, Some("test-token"))).unwrap();
    let call = api.acting_for(api.default_credentials().clone());
    let client = call.client();

    let result = client
        .get_an_album("..\\..\\v1\\me\\top\\tracks", None)
        .await;
    assert!(result.is_err(), "the crafted request must fail");
    match client.take_failure() {
        Some(CallFailure::PathOutsideTemplate { template, path, .. }) => {
            assert_eq!(template, "/albums/{id}");
            assert_eq!(path, "/v1/me/top/tracks");
        }
        other => panic!("expected PathOutsideTemplate, got {other:?}"),
    }
    let result = client
        .change_playlist_details("..\\..\\v1\\me\\player\\pause", &Default::default())
        .await;
    assert!(result.is_err());
    assert!(matches!(
        client.take_failure(),
        Some(CallFailure::PathOutsideTemplate { .. })
    ));
    assert!(fake.requests().is_empty(), "sent: {:?}", fake.requests());

    // The same client still sends a request that keeps to its template.
    let _ = client.get_an_album(ALBUM, None).await;
    assert_eq!(fake.requests()[0].path, format!("/v1/albums/{ALBUM}"));
}
