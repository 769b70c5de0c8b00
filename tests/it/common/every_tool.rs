//! Calling every tool against the realistic fake (`fake-spotify`): plausible arguments made
//! from the fake's own data, and what is wrong with an answer, if anything.

use ::fake_spotify::{FakeSpotify, Kind};
use rmcp::model::{CallToolResult, Tool};
use serde_json::{Map, Value, json};

/// The kind of object a tool's `id`/`ids` name, from its path.
pub fn kind_of(path: &str) -> Kind {
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
pub fn arguments(fake: &FakeSpotify, tool: &Tool, path: &str, device: &str) -> Value {
    let mut args = super::samples::arguments(&Value::Object((*tool.input_schema).clone()));
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

pub async fn device_id(fake: &FakeSpotify, token: &str) -> String {
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

/// What is wrong with `result`, the answer of `tool` to `args`: an error, or structured
/// content missing or not conforming to the tool's output schema.
pub fn problem(tool: &Tool, args: &Value, result: &CallToolResult) -> Option<String> {
    let name = &tool.name;
    if result.is_error == Some(true) {
        return Some(format!("{name} with {args}: {}", super::text(result)));
    }
    let schema = tool.output_schema.as_ref()?;
    let Some(content) = &result.structured_content else {
        return Some(format!("{name}: no structuredContent"));
    };
    let schema = Value::Object((**schema).clone());
    let validator = jsonschema::draft202012::new(&schema).expect("output schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(content)
        .map(|e| e.to_string())
        .take(3)
        .collect();
    (!errors.is_empty()).then(|| format!("{name}: does not conform: {errors:?}"))
}
