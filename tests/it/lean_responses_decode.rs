//! Since February 2026 Spotify leaves out deprecated fields (`available_markets`, `popularity`,
//! `followers`, `label`, user `country`/`email`/`product`, …), and with `market=` it sends
//! `is_playable` instead of `available_markets`. Answers shaped like that must decode.

use crate::common;

use common::fake_spotify::Canned;
use serde_json::{Value, json};

fn urls(kind: &str, id: &str) -> (String, Value) {
    (
        format!("https://api.spotify.com/v1/{kind}s/{id}"),
        json!({ "spotify": format!("https://open.spotify.com/{kind}/{id}") }),
    )
}

fn artist(id: &str, name: &str) -> Value {
    let (href, external_urls) = urls("artist", id);
    json!({ "id": id, "name": name, "type": "artist", "uri": format!("spotify:artist:{id}"), "href": href, "external_urls": external_urls })
}

fn track(id: &str, name: &str) -> Value {
    let (href, external_urls) = urls("track", id);
    json!({
        "id": id, "name": name, "type": "track", "uri": format!("spotify:track:{id}"), "href": href,
        "external_urls": external_urls, "duration_ms": 215000, "explicit": false, "is_playable": true,
        "track_number": 1, "disc_number": 1, "is_local": false, "artists": [artist("ar10000000000000000000", "ABBA")]
    })
}

fn album(id: &str) -> Value {
    let (href, external_urls) = urls("album", id);
    json!({
        "id": id, "name": "Arrival", "type": "album", "uri": format!("spotify:album:{id}"), "href": href,
        "external_urls": external_urls, "album_type": "album", "total_tracks": 1, "is_playable": false,
        "release_date": "1976", "release_date_precision": "year",
        "images": [{ "url": "https://i.scdn.co/image/x", "height": 640, "width": 640 }],
        "artists": [artist("ar10000000000000000000", "ABBA")],
        "tracks": { "href": href, "limit": 50, "offset": 0, "total": 1, "next": null, "previous": null,
                    "items": [track("t100000000000000000000", "Dancing Queen")] }
    })
}

async fn decodes(tool: &str, arguments: Value, answer: Value) -> Value {
    let (fake, client) = common::setup().await;
    fake.respond(Canned::json(200, answer));
    let result = common::call(&client, tool, arguments).await.unwrap();
    assert_ne!(
        result.is_error,
        Some(true),
        "{tool}: {}",
        common::text(&result)
    );
    result.structured_content.expect("structured content")
}

#[tokio::test]
async fn album_without_markets_popularity_or_label() {
    let content = decodes(
        "get_album",
        json!({ "id": "al10000000000000000000", "market": "SE" }),
        album("al10000000000000000000"),
    )
    .await;
    assert_eq!(content["name"], "Arrival");
    // Not the usual `true`, so the projected answer keeps it.
    assert_eq!(content["is_playable"], false);
    assert!(content.get("available_markets").is_none() && content.get("popularity").is_none());
    assert_eq!(content["tracks"]["items"][0]["name"], "Dancing Queen");
}

#[tokio::test]
async fn artist_without_followers_popularity_or_genres() {
    let content = decodes(
        "get_artist",
        json!({ "id": "ar10000000000000000000" }),
        artist("ar10000000000000000000", "ABBA"),
    )
    .await;
    assert_eq!(content["name"], "ABBA");
}

#[tokio::test]
async fn track_with_is_playable_instead_of_markets() {
    let mut answer = track("t100000000000000000000", "Dancing Queen");
    answer["album"] = {
        let mut a = album("al10000000000000000000");
        a.as_object_mut().unwrap().remove("tracks");
        a
    };
    let content = decodes(
        "get_track",
        json!({ "id": "t100000000000000000000", "market": "SE" }),
        answer,
    )
    .await;
    assert_eq!(content["album"]["name"], "Arrival");
}

#[tokio::test]
async fn profile_without_country_email_or_product() {
    let (href, external_urls) = urls("user", "u100000000000000000000");
    let answer = json!({ "id": "u100000000000000000000", "type": "user", "uri": "spotify:user:u1", "href": href,
                         "external_urls": external_urls, "display_name": "Agnetha" });
    let content = decodes("get_my_profile", json!({}), answer).await;
    assert_eq!(content["display_name"], "Agnetha");
}

#[tokio::test]
async fn search_page_with_null_playlist_entries() {
    let page = |items: Value| json!({ "href": "https://api.spotify.com/v1/search", "limit": 10, "offset": 0, "total": 2, "next": null, "previous": null, "items": items });
    let answer = json!({ "tracks": page(json!([track("t100000000000000000000", "Dancing Queen")])), "playlists": page(json!([null])) });
    let content = decodes(
        "search",
        json!({ "q": "abba", "type": ["track", "playlist"], "limit": 10 }),
        answer,
    )
    .await;
    assert_eq!(content["tracks"]["items"][0]["name"], "Dancing Queen");
    assert_eq!(content["playlists"]["total"], 2);
}

#[tokio::test]
async fn nothing_playing_is_not_an_error() {
    let (fake, client) = common::setup().await;
    fake.respond(Canned::empty(204));
    let result = common::call(&client, "get_playback_state", json!({}))
        .await
        .unwrap();
    assert_ne!(result.is_error, Some(true), "{}", common::text(&result));
    assert!(common::text(&result).contains("nothing is playing"));
    assert!(result.structured_content.is_none());
}
