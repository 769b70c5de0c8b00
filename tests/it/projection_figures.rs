//! Answer sizes on the realistic fake, through a real MCP client (issues 5 and 15): Spotify's
//! bytes (fetched straight from the fake), the answer projected without lean list items (the
//! default before issue 15, and what `fields` picks from), and the text an assistant reads now,
//! in cl100k tokens, beside issue 15's target. Every id a follow-up call needs must still be in
//! the answer (see openapi/README.md, "Lean list items": search hits keep their album's and
//! artists' ids, a playlist's entries name them), so two targets are out of reach: a Spotify ID
//! is ~16 cl100k tokens and a duration ~7, and 10 search hits with their album and artist ids
//! carry ~850 tokens; an album's 15 tracks with ids and durations ~460 before the album itself.
//! The test fails above each call's ceiling (the target where it is met). `cargo test --test it
//! projection_figures -- --nocapture` prints the table.

use crate::common;

use common::realistic;
use fake_spotify::{Kind, Knobs};
use serde_json::{Value, json};
use spotify_mcp::mcp::all_tools;
use spotify_mcp::mcp::listing::TokenCounter;
use spotify_mcp::mcp::projection::{Asked, ResponseOptions, Shapes, project};

struct Case {
    label: &'static str,
    tool: &'static str,
    arguments: Value,
    /// The same request, straight to the fake.
    path: String,
    /// Issue 15's target, in cl100k tokens.
    target: usize,
    /// What the test allows: the target, or where ids make it unreachable, today's size and a
    /// margin.
    ceiling: usize,
    /// JSON pointers of the lists whose items must keep their ids.
    lists: &'static [&'static str],
    /// Whether those items keep their artists' and album's ids too (else they name them).
    related: bool,
}

struct Figure {
    label: &'static str,
    raw_bytes: usize,
    rich_tokens: usize,
    bytes: usize,
    tokens: usize,
    target: usize,
    ceiling: usize,
}

async fn spotify_body(url: &str, token: &str) -> Value {
    let answer = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await
        .expect("the fake answers");
    assert!(answer.status().is_success(), "{url}: {}", answer.status());
    answer.json().await.expect("a JSON body")
}

/// The tool's output schema before list items are trimmed (the one `fields` picks from).
fn rich_schema(tool: &str) -> Value {
    let def = all_tools()
        .iter()
        .find(|d| d.name == tool)
        .expect("the tool exists");
    let text = def.rich_output_schema.or(def.output_schema).expect("JSON");
    serde_json::from_str(text).unwrap()
}

/// An album of the fake with exactly `tracks` tracks.
async fn album_with(fake: &fake_spotify::FakeSpotify, token: &str, tracks: u64) -> String {
    for id in fake.ids(Kind::Album) {
        let album = spotify_body(&format!("{}/albums/{id}", fake.api_url()), token).await;
        if album["total_tracks"] == tracks {
            return id;
        }
    }
    panic!("the fake has no album of {tracks} tracks");
}

/// Every object in the lists at `pointers` carries its own id (a playlist entry's item is
/// checked the same way); with `related`, its artists' and album's ids too, else they are named.
fn ids_kept(tool: &str, answer: &Value, pointers: &[&str], related: bool) {
    let has_id = |v: &Value, what: &str| {
        let id = v.get("id").and_then(Value::as_str).unwrap_or_default();
        assert!(!id.is_empty(), "{tool}: {what} lost its id: {v}");
    };
    let named = |v: &Value, what: &str| {
        let name = v.as_str().unwrap_or_default();
        assert!(!name.is_empty(), "{tool}: {what} is not named: {v}");
    };
    for pointer in pointers {
        let items = answer
            .pointer(pointer)
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("{tool}: no list at {pointer}"));
        assert!(!items.is_empty(), "{tool}: {pointer} is empty");
        for item in items {
            let item = item.get("item").unwrap_or(item);
            has_id(item, "an item");
            let artists = item["artists"].as_array().into_iter().flatten();
            let album = item.get("album");
            if related {
                artists.for_each(|a| has_id(a, "an artist"));
                album.into_iter().for_each(|a| has_id(a, "an album"));
            } else {
                artists.for_each(|a| named(a, "an artist"));
                album.into_iter().for_each(|a| named(a, "an album"));
            }
        }
    }
}

#[tokio::test]
async fn answers_stay_under_their_ceilings_with_every_id_kept() {
    let (fake, client) = realistic::start(Knobs::default()).await;
    let token = fake.issue_user_token().access_token;
    let api = fake.api_url();
    let album = album_with(&fake, &token, 15).await;
    let playlist = fake.own_playlist_ids()[0].clone();
    let cases = [
        Case {
            label: "search (10 tracks)",
            tool: "search",
            arguments: json!({ "q": "daft punk", "type": ["track"], "limit": 10 }),
            path: "/search?q=daft%20punk&type=track&limit=10".into(),
            target: 800,
            ceiling: 900,
            lists: &["/tracks/items"],
            related: true,
        },
        Case {
            label: "search (track, album, artist; 10 each)",
            tool: "search",
            arguments: json!({ "q": "love", "type": ["track", "album", "artist"], "limit": 10 }),
            path: "/search?q=love&type=track,album,artist&limit=10".into(),
            target: 2_000,
            ceiling: 2_000,
            lists: &["/tracks/items", "/albums/items", "/artists/items"],
            related: true,
        },
        Case {
            label: "get_album (15 tracks)",
            tool: "get_album",
            arguments: json!({ "id": album }),
            path: format!("/albums/{album}"),
            target: 500,
            ceiling: 650,
            lists: &["/tracks/items", "/artists"],
            related: true,
        },
        Case {
            label: "get_playlist (100 items)",
            tool: "get_playlist",
            arguments: json!({ "playlist_id": playlist }),
            path: format!("/playlists/{playlist}"),
            target: 5_000,
            ceiling: 5_000,
            lists: &["/items/items"],
            related: false,
        },
    ];
    let counter = TokenCounter::cl100k();
    let mut figures = Vec::new();
    for case in cases {
        let result = realistic::call(&client, case.tool, case.arguments).await;
        assert_ne!(result.is_error, Some(true), "{}", common::text(&result));
        let structured = result.structured_content.clone().expect("structured");
        let text = common::text(&result);
        assert_eq!(
            serde_json::from_str::<Value>(&text).expect("the text is JSON"),
            structured,
            "{}: the text and structuredContent differ",
            case.label
        );
        ids_kept(case.tool, &structured, case.lists, case.related);
        let raw = spotify_body(&format!("{api}{}", case.path), &token).await;
        let rich = rich_schema(case.tool);
        let shapes = Shapes {
            lean: &rich,
            rich: &rich,
        };
        let rich = project(
            raw.clone(),
            shapes,
            Asked::Default,
            &ResponseOptions::default(),
        );
        figures.push(Figure {
            label: case.label,
            raw_bytes: raw.to_string().len(),
            rich_tokens: counter.count(&rich.to_string()),
            bytes: text.len(),
            tokens: counter.count(&text),
            target: case.target,
            ceiling: case.ceiling,
        });
    }
    println!(
        "| call | Spotify's bytes | tokens without lean list items | answer bytes | answer tokens | target |"
    );
    println!("|---|---|---|---|---|---|");
    for f in &figures {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            f.label, f.raw_bytes, f.rich_tokens, f.bytes, f.tokens, f.target
        );
    }
    for f in &figures {
        assert!(
            f.tokens <= f.ceiling,
            "{}: {} cl100k tokens, over its ceiling of {} (target {})",
            f.label,
            f.tokens,
            f.ceiling,
            f.target
        );
        assert!(
            f.bytes * 4 <= f.raw_bytes,
            "{}: more than a quarter of Spotify's bytes",
            f.label
        );
    }
}
