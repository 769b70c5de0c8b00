//! Rate limits from the realistic fake: a short `Retry-After` is waited for once and the call
//! succeeds; an hours-long one fails fast with `retry_after_seconds`, as does `QUOTA_EXCEEDED`,
//! and a rate-limited POST is not counted as sent twice.

use crate::common;

use common::realistic::{self, add_one_track, count, get_album};
use fake_spotify::{Knobs, Trigger};

#[tokio::test]
async fn a_short_retry_after_is_waited_for_once_then_the_call_succeeds() {
    let (fake, client) = realistic::start(Knobs {
        rate_limit: Trigger::Nth(1),
        retry_after_secs: 1,
        ..Knobs::default()
    })
    .await;
    let (tool, args) = get_album(&fake);
    let result = realistic::call(&client, tool, args).await;
    assert_ne!(result.is_error, Some(true), "{}", common::text(&result));
    let faults: Vec<_> = fake.requests().iter().map(|r| r.fault).collect();
    assert_eq!(faults, [Some("rate_limit"), None], "one 429, one retry");
}

#[tokio::test]
async fn an_hours_long_retry_after_fails_fast_with_retry_after_seconds() {
    let (fake, client) = realistic::start(Knobs {
        rate_limit: Trigger::Every,
        retry_after_secs: 7200,
        ..Knobs::default()
    })
    .await;
    for _ in 0..3 {
        let (tool, args) = get_album(&fake);
        let result = realistic::call(&client, tool, args).await;
        assert_eq!(result.is_error, Some(true));
        let structured = result.structured_content.clone().expect("structured error");
        let seconds = structured["retry_after_seconds"]
            .as_u64()
            .expect("retry_after_seconds");
        assert!((7100..=7200).contains(&seconds), "{structured}");
        assert!(
            common::text(&result).contains("429"),
            "{}",
            common::text(&result)
        );
    }
    assert_eq!(
        fake.requests().len(),
        1,
        "later calls are held back during the cooldown"
    );
}

#[tokio::test]
async fn quota_exceeded_is_named_and_not_retried() {
    let (fake, client) = realistic::start(Knobs {
        rate_limit: Trigger::Every,
        retry_after_secs: 60,
        rate_limit_reason: Some("QUOTA_EXCEEDED".into()),
        ..Knobs::default()
    })
    .await;
    let (_, _, args) = add_one_track(&fake);
    let result = realistic::call(&client, "add_playlist_items", args).await;
    assert_eq!(result.is_error, Some(true));
    let text = common::text(&result);
    assert!(
        text.contains("QUOTA_EXCEEDED") && text.contains("quota"),
        "{text}"
    );
    assert_eq!(count(&fake, "POST", "/items"), 1);
}
