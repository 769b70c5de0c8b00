//! An answer of 10 MB and a Spotify that never answers: bounded memory (the body is refused
//! past the cap, not buffered), bounded time (the HTTP timeout), and clear errors.

use crate::common;

use common::realistic::{self, count, get_album};
use fake_spotify::{Knobs, Trigger};

#[tokio::test]
async fn a_ten_megabyte_answer_is_refused_with_a_clear_error() {
    let (fake, client) = realistic::start(Knobs {
        huge_body: Trigger::Every,
        huge_body_bytes: 10 << 20,
        ..Knobs::default()
    })
    .await;
    let (tool, args) = get_album(&fake);
    let result = realistic::call(&client, tool, args).await;
    let text = common::text(&result);
    assert_eq!(result.is_error, Some(true), "{text}");
    assert!(text.contains("larger than"), "{text}");
    assert_eq!(
        count(&fake, "GET", ""),
        1,
        "a too-large answer is not fetched again"
    );
}

#[tokio::test]
async fn a_route_that_never_answers_times_out_with_a_clear_error() {
    let (fake, client) = realistic::start(Knobs {
        never_answer_path: Some("/v1/albums".into()),
        ..Knobs::default()
    })
    .await;
    let (tool, args) = get_album(&fake);
    let result = realistic::call(&client, tool, args).await;
    let text = common::text(&result);
    assert_eq!(result.is_error, Some(true), "{text}");
    assert!(text.contains("timed out"), "{text}");
    // Other routes still answer while that one hangs.
    let search = realistic::call(
        &client,
        "search",
        serde_json::json!({ "q": "velvet", "type": ["track"] }),
    )
    .await;
    assert_ne!(search.is_error, Some(true), "{}", common::text(&search));
}

#[tokio::test]
async fn a_body_slower_than_the_timeout_ends_in_a_timeout_error() {
    let (fake, client) = realistic::start(Knobs {
        slow_body: Trigger::Every,
        slow_body_chunk_bytes: 512,
        slow_body_chunk_delay_ms: 500,
        ..Knobs::default()
    })
    .await;
    let (tool, args) = get_album(&fake);
    let result = realistic::call(&client, tool, args).await;
    let text = common::text(&result);
    assert_eq!(result.is_error, Some(true), "{text}");
    assert!(text.contains("timed out"), "{text}");
}
