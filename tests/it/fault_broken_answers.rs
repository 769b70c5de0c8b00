//! Answers that break in transit: a reset connection, a truncated body, malformed JSON, a body
//! trickled slowly. Every call gets an answer (a clear error, or success); a POST whose answer
//! was lost after the fake carried it out is not sent again, so the track is added once.

use crate::common;

use common::realistic::{self, add_one_track, count, get_album};
use fake_spotify::{Knobs, Trigger};

fn with(fault: &str) -> Knobs {
    let mut knobs = Knobs::default();
    let trigger = Trigger::Every;
    match fault {
        "connection_reset" => knobs.connection_reset = trigger,
        "truncated_body" => knobs.truncated_body = trigger,
        "malformed_json" => knobs.malformed_json = trigger,
        other => panic!("no such fault {other}"),
    }
    knobs
}

const FAULTS: &[(&str, &str)] = &[
    ("connection_reset", "could not reach Spotify"),
    ("truncated_body", "could not reach Spotify"),
    ("malformed_json", "not valid JSON"),
];

#[tokio::test]
async fn a_get_whose_answer_breaks_ends_in_a_clear_error() {
    for (fault, expected) in FAULTS {
        let (fake, client) = realistic::start(with(fault)).await;
        let (tool, args) = get_album(&fake);
        let result = realistic::call(&client, tool, args).await;
        assert_eq!(result.is_error, Some(true), "{fault}");
        let text = common::text(&result);
        assert!(text.contains(expected), "{fault}: {text}");
        let sent = count(&fake, "GET", "");
        let retries = spotify_mcp::foundation::config::MiddlewareArgs::default().retries as usize;
        assert!(
            (1..=1 + retries).contains(&sent),
            "{fault}: {sent} requests"
        );
    }
}

#[tokio::test]
async fn a_post_whose_answer_was_lost_is_not_repeated() {
    for (fault, expected) in FAULTS {
        let (fake, client) = realistic::start(with(fault)).await;
        let (playlist, uri, args) = add_one_track(&fake);
        let before = fake.playlist_uris(&playlist).unwrap();
        let result = realistic::call(&client, "add_playlist_items", args).await;
        assert_eq!(result.is_error, Some(true), "{fault}");
        let text = common::text(&result);
        assert!(text.contains(expected), "{fault}: {text}");
        assert_eq!(count(&fake, "POST", "/items"), 1, "{fault}: sent once");
        let after = fake.playlist_uris(&playlist).unwrap();
        let added = after.iter().filter(|u| **u == uri).count()
            - before.iter().filter(|u| **u == uri).count();
        assert_eq!(added, 1, "{fault}: the fake carried it out once");
        assert_eq!(after.len(), before.len() + 1, "{fault}");
    }
}

#[tokio::test]
async fn a_slow_body_within_the_timeout_arrives_whole() {
    let (fake, client) = realistic::start(Knobs {
        slow_body: Trigger::Every,
        slow_body_chunk_bytes: 4096,
        slow_body_chunk_delay_ms: 20,
        ..Knobs::default()
    })
    .await;
    let (tool, args) = get_album(&fake);
    let result = realistic::call(&client, tool, args).await;
    assert_ne!(result.is_error, Some(true), "{}", common::text(&result));
    let album = result.structured_content.expect("structured album");
    assert!(
        album["tracks"]["items"]
            .as_array()
            .is_some_and(|t| t.len() >= 10),
        "{album}"
    );
}
