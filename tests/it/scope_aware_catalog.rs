//! Tools whose scopes the stored login lacks are hidden (or marked on request) and explain
//! themselves when called; with unknown scopes everything is listed; app-only credentials
//! refuse user tools with "log in first".

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::grants;
use serde_json::json;
use spotify_mcp::mcp::CatalogOptions;

const LIBRARY_ONLY: &[&str] = &["user-library-read"];

async fn limited_login(show_unavailable: bool) -> (FakeSpotify, tempfile::TempDir, common::Client) {
    let (fake, dir, args, _path) =
        grants::logged_in(grants::grant("access", Some("refresh"), 3600, LIBRARY_ONLY)).await;
    let options = CatalogOptions {
        show_unavailable,
        ..CatalogOptions::default()
    };
    let client = common::connect_with(&args, options).await;
    (fake, dir, client)
}

#[tokio::test]
async fn tools_needing_missing_scopes_are_hidden() {
    let (_fake, _dir, client) = limited_login(false).await;
    let names = common::tool_names(&client).await;
    assert!(
        names.contains(&"get_saved_tracks".to_string()),
        "user-library-read suffices"
    );
    assert!(names.contains(&"get_album".to_string()), "no scope needed");
    assert!(
        !names.contains(&"pause_playback".to_string()),
        "needs user-modify-playback-state"
    );
    assert!(names.len() < common::catalog::current_count());
}

#[tokio::test]
async fn calling_a_hidden_tool_names_the_missing_scopes() {
    let (fake, _dir, client) = limited_login(false).await;
    let text = common::call_err(&client, "pause_playback", json!({})).await;
    assert!(
        text.contains("user-modify-playback-state") && text.contains("spotify-mcp auth login"),
        "{text}"
    );
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn unavailable_tools_can_be_shown_marked() {
    let (_fake, _dir, client) = limited_login(true).await;
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), common::catalog::current_count());
    let pause = tools.iter().find(|t| t.name == "pause_playback").unwrap();
    let description = pause.description.as_deref().unwrap();
    assert!(
        description.starts_with("UNAVAILABLE")
            && description.contains("user-modify-playback-state"),
        "{description}"
    );
    let album = tools.iter().find(|t| t.name == "get_album").unwrap();
    assert!(
        !album
            .description
            .as_deref()
            .unwrap()
            .contains("UNAVAILABLE")
    );
}

#[tokio::test]
async fn a_raw_token_lists_everything() {
    let fake = FakeSpotify::start().await;
    let client = common::connect(&common::spotify_args(&fake, Some("raw")), false).await;
    assert_eq!(
        client.list_all_tools().await.unwrap().len(),
        common::catalog::current_count()
    );
}

#[tokio::test]
async fn app_credentials_refuse_user_tools_and_serve_catalog_tools() {
    let fake = FakeSpotify::start().await;
    let mut args = common::spotify_args(&fake, None);
    args.client_id = Some("app".into());
    args.client_secret = Some(spotify_mcp::foundation::secret::Secret::new("secret"));
    let client = common::connect(&args, false).await;
    fake.respond_at(
        "/api/token",
        Canned::json(200, grants::token_answer("app-token", None)),
    );
    fake.respond_at(
        "/v1/albums/",
        Canned::json(200, grants::album("a000000000000000000000")),
    );

    let text = common::call_err(&client, "get_saved_tracks", json!({})).await;
    assert!(
        text.contains("Log in first") && text.contains("spotify-mcp auth login"),
        "{text}"
    );
    assert!(fake.requests().is_empty());

    let result = common::call(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await
    .unwrap();
    assert_ne!(result.is_error, Some(true), "{}", common::text(&result));
}
