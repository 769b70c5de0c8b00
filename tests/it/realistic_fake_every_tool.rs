//! Every tool, called with plausible arguments against the realistic fake (`fake-spotify`),
//! answers without error and with `structuredContent` that conforms to its `outputSchema`; in
//! both of the 2026 route modes, the tools of moved families still succeed through the fallback.

use crate::common;

use common::every_tool;
use fake_spotify::{FakeSpotify, Knobs, RequestRecord, RouteMode};
use spotify_mcp::mcp::all_tools;

/// Calls `names` (every tool when empty); returns one line per tool that failed, and the
/// fake's request log.
async fn failures(route_mode: RouteMode, names: &[&str]) -> (Vec<String>, Vec<RequestRecord>) {
    let fake = FakeSpotify::start(Knobs {
        route_mode,
        ..Knobs::default()
    })
    .await
    .expect("fake starts");
    let token = fake.issue_user_token().access_token;
    let device = every_tool::device_id(&fake, &token).await;
    let client = common::connect(&common::realistic::args(&fake, Some(&token)), true).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let mut failures = Vec::new();
    for def in all_tools() {
        if !names.is_empty() && !names.contains(&def.name) {
            continue;
        }
        let tool = tools.iter().find(|t| t.name == def.name).expect("listed");
        let args = every_tool::arguments(&fake, tool, def.operation.path, &device);
        let call = common::call(&client, def.name, args.clone());
        let result = tokio::time::timeout(std::time::Duration::from_secs(20), call)
            .await
            .expect("answers in time")
            .expect("tools/call answers");
        failures.extend(every_tool::problem(tool, &args, &result));
    }
    (failures, fake.requests())
}

#[tokio::test]
async fn every_tool_answers_from_the_realistic_fake() {
    let (failures, requests) = failures(RouteMode::Both, &[]).await;
    let refused = requests
        .iter()
        .filter(|r| matches!(r.status, Some(403 | 404)))
        .count();
    assert_eq!(refused, 0, "an app on both routes is never refused");
    assert!(
        failures.is_empty(),
        "{} tools failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The tools of the families Spotify moved in 2026, on either side.
const MOVED: &[&str] = &[
    "get_playlist_items",
    "add_playlist_items",
    "remove_playlist_items",
    "get_playlist_tracks_legacy",
    "add_playlist_tracks_legacy",
    "create_playlist",
    "create_playlist_legacy",
    "save_library_items",
    "remove_library_items",
    "check_library_contains",
    "save_tracks_legacy",
    "check_saved_tracks_legacy",
    "get_several_albums",
];

#[tokio::test]
async fn moved_tools_work_for_an_app_on_the_current_routes_only() {
    let (failures, requests) = failures(RouteMode::CurrentOnly, MOVED).await;
    let refused: Vec<&str> = requests
        .iter()
        .filter(|r| r.status == Some(403))
        .map(|r| r.path.as_str())
        .collect();
    assert!(
        refused.iter().any(|p| p.ends_with("/tracks")),
        "a legacy route was refused: {refused:?}"
    );
    assert!(
        failures.is_empty(),
        "{} tools failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn moved_tools_work_for_an_app_on_the_legacy_routes_only() {
    let (failures, requests) = failures(RouteMode::LegacyOnly, MOVED).await;
    let refused: Vec<&str> = requests
        .iter()
        .filter(|r| r.status == Some(404))
        .map(|r| r.path.as_str())
        .collect();
    assert!(
        refused.iter().any(|p| p.ends_with("/items")),
        "a current route was refused: {refused:?}"
    );
    assert!(
        failures.is_empty(),
        "{} tools failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
