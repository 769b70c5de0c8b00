//! Issue 5's response figures on the realistic fake: Spotify's bytes (fetched straight from the
//! fake) against the projected `structuredContent` of `get_album`, `search` (three types) and
//! `get_playlist`. The default album must come to at most a quarter of the bytes and under 1,000
//! cl100k tokens. `cargo test --test it projection_figures -- --nocapture` prints the table.

use crate::common;

use common::realistic;
use fake_spotify::{Kind, Knobs};
use serde_json::{Value, json};
use spotify_mcp::mcp::listing::TokenCounter;

struct Figure {
    tool: &'static str,
    raw_bytes: usize,
    projected_bytes: usize,
    projected_tokens: usize,
}

async fn spotify_bytes(url: &str, token: &str) -> usize {
    let answer = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await
        .expect("the fake answers");
    assert!(answer.status().is_success(), "{url}: {}", answer.status());
    answer.bytes().await.expect("a body").len()
}

#[tokio::test]
async fn projected_answers_are_a_fraction_of_spotifys() {
    let (fake, client) = realistic::start(Knobs::default()).await;
    let token = fake.issue_user_token().access_token;
    let api = fake.api_url();
    let album = fake.ids(Kind::Album)[0].clone();
    let playlist = fake.own_playlist_ids()[0].clone();
    let cases: [(&str, Value, String); 3] = [
        (
            "get_album",
            json!({ "id": album }),
            format!("{api}/albums/{album}"),
        ),
        (
            "search",
            json!({ "q": "love", "type": ["track", "album", "artist"], "limit": 10 }),
            format!("{api}/search?q=love&type=track,album,artist&limit=10"),
        ),
        (
            "get_playlist",
            json!({ "playlist_id": playlist }),
            format!("{api}/playlists/{playlist}"),
        ),
    ];
    let counter = TokenCounter::cl100k();
    let mut figures = Vec::new();
    for (tool, arguments, url) in cases {
        let result = realistic::call(&client, tool, arguments).await;
        assert_ne!(
            result.is_error,
            Some(true),
            "{tool}: {}",
            common::text(&result)
        );
        let projected =
            serde_json::to_string(&result.structured_content.expect("structured")).unwrap();
        figures.push(Figure {
            tool,
            raw_bytes: spotify_bytes(&url, &token).await,
            projected_bytes: projected.len(),
            projected_tokens: counter.count(&projected),
        });
    }
    println!("| tool | Spotify's bytes | projected bytes | share | projected tokens |");
    println!("|---|---|---|---|---|");
    for f in &figures {
        println!(
            "| {} | {} | {} | {:.0}% | {} |",
            f.tool,
            f.raw_bytes,
            f.projected_bytes,
            100.0 * f.projected_bytes as f64 / f.raw_bytes as f64,
            f.projected_tokens
        );
    }
    let album = &figures[0];
    assert!(
        album.projected_bytes * 4 <= album.raw_bytes,
        "the projected album is {} of {} bytes, more than a quarter",
        album.projected_bytes,
        album.raw_bytes
    );
    assert!(
        album.projected_tokens < 1_000,
        "the projected album is {} tokens",
        album.projected_tokens
    );
    for f in &figures[1..] {
        assert!(
            f.projected_bytes < f.raw_bytes,
            "{} grew under projection",
            f.tool
        );
    }
}
