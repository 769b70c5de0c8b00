//! Every tool, called with plausible arguments against the realistic fake (`fake-spotify`),
//! answers without error and with `structuredContent` that conforms to its `outputSchema`; in
//! both of the 2026 route modes, the tools of moved families still succeed through the fallback.

mod common;

use fake_spotify::{FakeSpotify, Kind, Knobs, RequestRecord, RouteMode};
use serde_json::{Map, Value, json};
use spotify_mcp::mcp::all_tools;

/// The kind of object a tool's `id`/`ids` name, from its path.
fn kind_of(path: &str) -> Kind {
    let segment = |s: &str| path.contains(s);
    if segment("/albums") {
        Kind::Album
    } else if segment("/artists") || segment("/me/following") {
        Kind::Artist
    } else if segment("/shows") {
        Kind::Show
    } else if segment("/episodes") {
        Kind::Episode
    } else if segment("/audiobooks") {
        Kind::Audiobook
    } else if segment("/chapters") {
        Kind::Chapter
    } else {
        Kind::Track
    }
}

/// Sample arguments from the input schema, with ids, URIs and devices the fake knows.
fn arguments(fake: &FakeSpotify, tool: &rmcp::model::Tool, path: &str, device: &str) -> Value {
    let mut args = common::samples::arguments(&Value::Object((*tool.input_schema).clone()));
    let map = args.as_object_mut().unwrap();
    for own in ["all_pages", "max_items"] {
        map.remove(own);
    }
    if map.get("fields").is_some_and(Value::is_array) {
        map.remove("fields");
    }
    let kind = kind_of(path);
    let ids = fake.ids(kind);
    let tracks = fake.ids(Kind::Track);
    let playlist = fake.own_playlist_ids()[0].clone();
    let replace = |map: &mut Map<String, Value>, key: &str, value: Value| {
        if map.contains_key(key) {
            map.insert(key.to_string(), value);
        }
    };
    replace(map, "id", json!(ids[1]));
    replace(map, "playlist_id", json!(playlist));
    replace(map, "user_id", json!(fake_spotify::USER_ID));
    replace(map, "category_id", json!("pop"));
    replace(map, "device_id", json!(device));
    replace(map, "device_ids", json!([device]));
    replace(map, "uri", json!(format!("spotify:track:{}", tracks[3])));
    replace(
        map,
        "context_uri",
        json!(format!("spotify:album:{}", fake.ids(Kind::Album)[0])),
    );
    if path.contains("/followers/contains") {
        replace(map, "ids", json!([fake_spotify::USER_ID]));
    } else {
        replace(map, "ids", json!([ids[2], ids[3]]));
    }
    let uris = if path.contains("/me/library") {
        json!([
            format!("spotify:track:{}", tracks[4]),
            format!("spotify:album:{}", fake.ids(Kind::Album)[2])
        ])
    } else {
        json!([
            format!("spotify:track:{}", tracks[4]),
            format!("spotify:track:{}", tracks[5])
        ])
    };
    replace(map, "uris", uris);
    // Saves with timestamps have no current equivalent (the fallback says so); plain ids do.
    map.remove("timestamped_ids");
    if map.contains_key("seed_artists") {
        map.insert("seed_artists".into(), json!([fake.ids(Kind::Artist)[0]]));
        map.insert("seed_tracks".into(), json!([tracks[0]]));
        map.insert("seed_genres".into(), json!(["jazz"]));
    }
    for key in ["items", "tracks"] {
        if map.get(key).is_some_and(Value::is_array) {
            map.insert(
                key.into(),
                json!([{ "uri": format!("spotify:track:{}", tracks[4]) }]),
            );
        }
    }
    if path.contains("/following") && !path.contains("/me/following/contains") {
        replace(map, "type", json!("artist"));
    }
    args
}

async fn device_id(fake: &FakeSpotify, token: &str) -> String {
    let devices: Value = reqwest::Client::new()
        .get(format!("{}/me/player/devices", fake.api_url()))
        .bearer_auth(token)
        .timeout(std::time::Duration::from_secs(5))
        .send()
        .await
        .expect("devices answer")
        .json()
        .await
        .expect("devices decode");
    devices["devices"][0]["id"].as_str().unwrap().to_string()
}

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
    let device = device_id(&fake, &token).await;
    let client = common::connect(&common::realistic::args(&fake, Some(&token)), true).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let mut failures = Vec::new();
    for def in all_tools() {
        if !names.is_empty() && !names.contains(&def.name) {
            continue;
        }
        let tool = tools.iter().find(|t| t.name == def.name).expect("listed");
        let args = arguments(&fake, tool, def.operation.path, &device);
        let call = common::call(&client, def.name, args.clone());
        let result = tokio::time::timeout(std::time::Duration::from_secs(20), call)
            .await
            .expect("answers in time")
            .expect("tools/call answers");
        if result.is_error == Some(true) {
            failures.push(format!(
                "{} with {args}: {}",
                def.name,
                common::text(&result)
            ));
            continue;
        }
        if let (Some(schema), Some(content)) = (&tool.output_schema, &result.structured_content) {
            let schema = Value::Object((**schema).clone());
            let validator = jsonschema::draft202012::new(&schema).expect("output schema compiles");
            let errors: Vec<String> = validator
                .iter_errors(content)
                .map(|e| e.to_string())
                .take(3)
                .collect();
            if !errors.is_empty() {
                failures.push(format!("{}: does not conform: {errors:?}", def.name));
            }
        } else if tool.output_schema.is_some() {
            failures.push(format!("{}: no structuredContent", def.name));
        }
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
