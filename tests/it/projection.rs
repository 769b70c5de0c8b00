//! Lean answers: deprecated fields and `available_markets` dropped, one medium image, no null or
//! empty fields, `fields` keeps only what is asked, a size cap cuts lists at an item boundary
//! with a note, `--raw-responses` turns it all off; and `structuredContent` still validates
//! against `outputSchema`.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use serde_json::{Value, json};
use spotify_mcp::mcp::CatalogOptions;
use spotify_mcp::mcp::projection::ResponseOptions;

fn markets() -> Vec<String> {
    (0..185)
        .map(|i| {
            format!(
                "{}{}",
                (b'A' + (i / 26) as u8) as char,
                (b'A' + (i % 26) as u8) as char
            )
        })
        .collect()
}

fn images() -> Value {
    json!([
        { "url": "https://i.scdn.co/image/640", "height": 640, "width": 640 },
        { "url": "https://i.scdn.co/image/300", "height": 300, "width": 300 },
        { "url": "https://i.scdn.co/image/64", "height": 64, "width": 64 }
    ])
}

fn artist() -> Value {
    json!({ "id": "ar00000000000000000000", "name": "ABBA", "type": "artist", "uri": "spotify:artist:ar",
            "href": "https://api.spotify.com/v1/artists/ar00000000000000000000", "external_urls": { "spotify": "https://open.spotify.com/artist/ar00000000000000000000" } })
}

/// An album as Spotify answers legacy apps: markets on the album and on every track.
fn raw_album() -> Value {
    let track = |n: u32| {
        json!({
            "id": format!("t{n}"), "name": format!("Track {n}"), "type": "track", "uri": format!("spotify:track:t{n}"),
            "href": "https://api.spotify.com/v1/tracks/t", "external_urls": { "spotify": "https://open.spotify.com/track/t" },
            "available_markets": markets(), "preview_url": null, "duration_ms": 215000, "explicit": false,
            "track_number": n, "disc_number": 1, "is_local": false, "artists": [artist()]
        })
    };
    json!({
        "id": "al00000000000000000000", "name": "Arrival", "type": "album", "uri": "spotify:album:al", "album_type": "album",
        "href": "https://api.spotify.com/v1/albums/al00000000000000000000", "external_urls": { "spotify": "https://open.spotify.com/album/al00000000000000000000" },
        "available_markets": markets(), "popularity": 71, "label": "Polar", "genres": [],
        "copyrights": [{ "text": "(P) 1976 Polar", "type": "P" }], "external_ids": { "upc": "0042" },
        "release_date": "1976-10-11", "release_date_precision": "day", "total_tracks": 10,
        "images": images(), "artists": [artist()],
        "tracks": { "href": "h", "limit": 50, "offset": 0, "total": 10, "next": null, "previous": null,
                    "items": (1..=10).map(track).collect::<Vec<_>>() }
    })
}

async fn server(responses: ResponseOptions) -> (FakeSpotify, common::Client) {
    let fake = FakeSpotify::start().await;
    let options = CatalogOptions {
        responses,
        ..Default::default()
    };
    let client = common::connect_with(&common::spotify_args(&fake, Some("t")), options).await;
    (fake, client)
}

async fn output_schema(client: &common::Client, tool: &str) -> Value {
    let tools = client.list_all_tools().await.unwrap();
    Value::Object(
        (*tools
            .iter()
            .find(|t| t.name == tool)
            .unwrap()
            .output_schema
            .clone()
            .unwrap())
        .clone(),
    )
}

async fn album(client: &common::Client, arguments: Value) -> (Value, Value) {
    let schema = output_schema(client, "get_album").await;
    let result = common::call(client, "get_album", arguments).await.unwrap();
    assert_ne!(result.is_error, Some(true), "{}", common::text(&result));
    (result.structured_content.unwrap(), schema)
}

fn conforms(content: &Value, schema: &Value) {
    let validator = jsonschema::draft202012::new(schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(content)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[tokio::test]
async fn the_default_projection_is_lean_and_conforms() {
    let (fake, client) = server(ResponseOptions::default()).await;
    fake.respond(Canned::json(200, raw_album()));
    let (content, schema) = album(&client, json!({ "id": "al00000000000000000000" })).await;
    conforms(&content, &schema);
    let text = content.to_string();
    for gone in [
        "available_markets",
        "popularity",
        "\"label\"",
        "preview_url",
        "genres",
    ] {
        assert!(!text.contains(gone), "{gone} should be gone: {text}");
    }
    assert_eq!(
        content["images"],
        json!([{ "url": "https://i.scdn.co/image/300" }]),
        "one medium image, picked by its width, as a URL"
    );
    assert_eq!(content["tracks"]["items"].as_array().unwrap().len(), 10);
    assert_eq!(content["artists"][0]["name"], "ABBA");
    assert!(
        content["tracks"]["items"][0].get("artists").is_none(),
        "a track by the album's own artists leaves them out"
    );
    let (raw, projected) = (raw_album().to_string().len(), text.len());
    let tokens = spotify_mcp::mcp::listing::TokenCounter::cl100k().count(&text);
    eprintln!("get_album: {raw} bytes raw, {projected} bytes projected, {tokens} cl100k tokens");
    // Issue 5's goals: at most a quarter of Spotify's bytes and under 1,000 tokens.
    assert!(
        projected * 4 <= raw,
        "projected {projected} bytes is more than a quarter of {raw}"
    );
    assert!(tokens < 1_000, "projected album is {tokens} tokens");
    assert!(
        !text.contains("\"href\"") && !text.contains("open.spotify.com"),
        "href and external_urls go everywhere: {text}"
    );
    assert!(
        content.get("uri").is_none() && content["id"] == "al00000000000000000000",
        "the id says what the URI would: {text}"
    );
}

#[tokio::test]
async fn fields_keep_only_what_is_asked() {
    let (fake, client) = server(ResponseOptions::default()).await;
    fake.respond(Canned::json(200, raw_album()));
    let (content, schema) = album(
        &client,
        json!({ "id": "al00000000000000000000", "fields": ["name", "tracks.items.name"] }),
    )
    .await;
    conforms(&content, &schema);
    assert_eq!(content["name"], "Arrival");
    let tracks = content["tracks"].as_object().unwrap();
    assert_eq!(tracks.keys().collect::<Vec<_>>(), ["items"]);
    assert_eq!(content["tracks"]["items"][3], json!({ "name": "Track 4" }));
    assert_eq!(content.as_object().unwrap().len(), 2);
}

#[tokio::test]
async fn a_large_answer_is_cut_at_an_item_boundary_with_a_note() {
    let (fake, client) = server(ResponseOptions {
        raw: false,
        max_bytes: 600,
    })
    .await;
    fake.respond(Canned::json(200, raw_album()));
    let (content, schema) = album(&client, json!({ "id": "al00000000000000000000" })).await;
    conforms(&content, &schema);
    assert!(
        content.to_string().len() <= 600 + 300,
        "about the cap (the note adds a little)"
    );
    let kept = content["tracks"]["items"].as_array().unwrap().len();
    assert!((1..10).contains(&kept), "{kept}");
    let note = content["note"].as_str().unwrap();
    assert!(
        note.contains("tracks.items") && note.contains(&format!("offset={kept}")),
        "{note}"
    );
}

#[tokio::test]
async fn raw_responses_keep_everything() {
    let (fake, client) = server(ResponseOptions {
        raw: true,
        max_bytes: 600,
    })
    .await;
    fake.respond(Canned::json(200, raw_album()));
    let (content, schema) = album(&client, json!({ "id": "al00000000000000000000" })).await;
    conforms(&content, &schema);
    assert_eq!(content["available_markets"].as_array().unwrap().len(), 185);
    assert_eq!(content["images"].as_array().unwrap().len(), 3);
    assert_eq!(content["tracks"]["items"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn a_track_by_other_artists_keeps_them_and_fields_bring_inherited_ones_back() {
    let (fake, client) = server(ResponseOptions::default()).await;
    let mut raw = raw_album();
    raw["tracks"]["items"][1]["artists"] = json!([
        { "id": "ar20000000000000000000", "name": "Guest", "type": "artist", "uri": "spotify:artist:ar2",
          "href": "h", "external_urls": { "spotify": "x" } }
    ]);
    fake.respond(Canned::json(200, raw));
    let (content, schema) = album(&client, json!({ "id": "al00000000000000000000" })).await;
    conforms(&content, &schema);
    assert_eq!(
        content["tracks"]["items"][1]["artists"],
        json!([{ "id": "ar20000000000000000000", "name": "Guest" }]),
        "other artists stay, with id and name (a list item's kind is the list's)"
    );
    assert!(content["tracks"]["items"][0].get("artists").is_none());

    let (asked, _) = album(
        &client,
        json!({ "id": "al00000000000000000000", "fields": ["tracks.items.artists.name"] }),
    )
    .await;
    assert_eq!(asked["tracks"]["items"][0]["artists"][0]["name"], "ABBA");
}

#[tokio::test]
async fn list_items_keep_what_the_next_call_needs_and_fields_bring_back_the_rest() {
    let (fake, client) = server(ResponseOptions::default()).await;
    fake.respond(Canned::json(200, raw_album()));
    let (content, schema) = album(&client, json!({ "id": "al00000000000000000000" })).await;
    conforms(&content, &schema);
    assert_eq!(
        content["tracks"]["items"][3],
        json!({ "id": "t4", "name": "Track 4", "duration_ms": 215000 }),
        "a listed track keeps its id, name and duration"
    );
    assert_eq!(
        content["label"],
        Value::Null,
        "deprecated fields stay gone on the album itself"
    );
    assert_eq!(
        content["release_date"], "1976-10-11",
        "the album asked for by id stays rich"
    );
    assert_eq!(content["copyrights"][0]["type"], "P");

    fake.respond(Canned::json(200, raw_album()));
    let (asked, _) = album(
        &client,
        json!({ "id": "al00000000000000000000", "fields": ["tracks.items.track_number", "tracks.items.uri", "uri"] }),
    )
    .await;
    conforms(&asked, &schema);
    assert_eq!(
        asked["tracks"]["items"][3],
        json!({ "track_number": 4, "uri": "spotify:track:t4" }),
        "`fields` picks from the untrimmed items"
    );
    assert_eq!(asked["uri"], "spotify:album:al", "and brings back a `uri`");
}

#[tokio::test]
async fn spotifys_own_field_filter_gets_untrimmed_items() {
    let (fake, client) = server(ResponseOptions::default()).await;
    let mut track = raw_album()["tracks"]["items"][0].clone();
    let mut album = raw_album();
    album.as_object_mut().unwrap().remove("tracks");
    track["album"] = album;
    let episode = json!({ "id": "e0000000000000000000000", "name": "Episode", "type": "episode",
                          "uri": "spotify:episode:e", "href": "h", "external_urls": {},
                          "duration_ms": 60000, "release_date": "2026-01-01" });
    let entry = json!({ "added_at": "2026-01-01T00:00:00Z", "is_local": false, "item": track,
                        "added_by": { "id": "u1", "type": "user", "uri": "spotify:user:u1",
                                      "href": "h", "external_urls": {} } });
    let episode_entry = json!({ "added_at": "2026-01-02T00:00:00Z", "item": episode });
    let page = json!({ "href": "h", "limit": 100, "offset": 0, "total": 1, "next": null,
                       "previous": null, "items": [entry, episode_entry] });
    fake.respond(Canned::json(200, page.clone()));
    let lean = common::call_ok(
        &client,
        "get_playlist_items",
        json!({ "playlist_id": "p000000000000000000000" }),
    )
    .await;
    let schema = output_schema(&client, "get_playlist_items").await;
    let lean = lean.structured_content.unwrap();
    conforms(&lean, &schema);
    assert_eq!(
        lean["items"][0],
        json!({ "item": { "album": "Arrival", "artists": ["ABBA"], "duration_ms": 215000,
                          "id": "t1", "name": "Track 1" } }),
        "an entry keeps its track's id, names its album and artists, and leaves out who added \
         it and when; `type` is left out at its usual value, `track`"
    );
    assert_eq!(
        lean["items"][1]["item"]["type"], "episode",
        "a playlist mixes kinds: any other kind says its `type`"
    );
    fake.respond(Canned::json(200, page));
    let filtered = common::call_ok(
        &client,
        "get_playlist_items",
        json!({ "playlist_id": "p000000000000000000000", "fields": "items(added_at,item(album(images,release_date)))" }),
    )
    .await;
    let filtered = filtered.structured_content.unwrap();
    assert_eq!(
        filtered["items"][0]["added_at"], "2026-01-01T00:00:00Z",
        "Spotify's filter brings back when an entry was added"
    );
    let album = &filtered["items"][0]["item"]["album"];
    assert_eq!(
        album["release_date"], "1976-10-11",
        "what Spotify's filter kept stays: {album}"
    );
    assert_eq!(album["images"].as_array().map(Vec::len), Some(1));
}

#[test]
fn a_playback_context_keeps_its_uri_having_no_id() {
    use spotify_mcp::mcp::projection::{Asked, Shapes, project};
    let def = spotify_mcp::mcp::all_tools()
        .iter()
        .find(|d| d.name == "get_playback_state")
        .expect("the tool exists");
    let lean: Value = serde_json::from_str(def.output_schema.unwrap()).unwrap();
    let rich: Value =
        serde_json::from_str(def.rich_output_schema.unwrap_or(def.output_schema.unwrap())).unwrap();
    let state = json!({
        "is_playing": true,
        "context": { "type": "playlist", "uri": "spotify:playlist:p1", "href": "h",
                     "external_urls": { "spotify": "https://open.spotify.com/playlist/p1" } },
        "item": { "id": "t1", "name": "Track 1", "type": "track", "uri": "spotify:track:t1" }
    });
    let shapes = Shapes {
        lean: &lean,
        rich: &rich,
    };
    let answer = project(state, shapes, Asked::Default, &ResponseOptions::default());
    assert_eq!(
        answer["context"],
        json!({ "type": "playlist", "uri": "spotify:playlist:p1" }),
        "which playlist is playing is said by its URI alone"
    );
    assert!(
        answer["item"].get("uri").is_none(),
        "the item's id says it: {answer}"
    );
    conforms(&answer, &lean);
}
