//! 5xx answers from the realistic fake: a GET is retried (within `--retries`) and succeeds or
//! ends in a clear error; a POST is never repeated, so a track is never added twice.

use crate::common;

use common::realistic::{self, add_one_track, count, get_album};
use fake_spotify::{Knobs, Trigger};

#[tokio::test]
async fn a_get_is_retried_after_a_5xx_and_succeeds() {
    let (fake, client) = realistic::start(Knobs {
        server_error: Trigger::Nth(1),
        ..Knobs::default()
    })
    .await;
    let (tool, args) = get_album(&fake);
    let result = realistic::call(&client, tool, args).await;
    assert_ne!(result.is_error, Some(true), "{}", common::text(&result));
    assert!(result.structured_content.is_some());
    assert_eq!(count(&fake, "GET", ""), 2);
}

#[tokio::test]
async fn a_get_that_keeps_failing_ends_in_a_clear_error_after_the_permitted_retries() {
    let (fake, client) = realistic::start(Knobs {
        server_error: Trigger::Every,
        server_error_status: 502,
        ..Knobs::default()
    })
    .await;
    let (tool, args) = get_album(&fake);
    let result = realistic::call(&client, tool, args).await;
    assert_eq!(result.is_error, Some(true));
    assert!(
        common::text(&result).contains("502"),
        "{}",
        common::text(&result)
    );
    let retries = spotify_mcp::foundation::config::MiddlewareArgs::default().retries as usize;
    assert_eq!(count(&fake, "GET", ""), 1 + retries);
}

#[tokio::test]
async fn a_post_answered_with_a_5xx_is_not_repeated() {
    let (fake, client) = realistic::start(Knobs {
        server_error: Trigger::Every,
        ..Knobs::default()
    })
    .await;
    let (playlist, uri, args) = add_one_track(&fake);
    let before = fake.playlist_uris(&playlist).unwrap();
    let result = realistic::call(&client, "add_playlist_items", args).await;
    assert_eq!(result.is_error, Some(true));
    assert!(
        common::text(&result).contains("503"),
        "{}",
        common::text(&result)
    );
    assert_eq!(count(&fake, "POST", "/items"), 1);
    let after = fake.playlist_uris(&playlist).unwrap();
    assert_eq!(after, before, "a 5xx changed nothing");
    assert!(!after.contains(&uri));
}
