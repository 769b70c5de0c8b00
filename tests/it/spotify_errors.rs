//! Spotify's errors reach the assistant as `isError` results with the HTTP status, Spotify's
//! message, its `reason`, and what to do about it.

use crate::common;

use common::fake_spotify::Canned;
use serde_json::json;

fn spotify_error(status: u16, message: &str, reason: Option<&str>) -> Canned {
    let mut error = json!({ "status": status, "message": message });
    if let Some(reason) = reason {
        error["reason"] = json!(reason);
    }
    Canned::json(status, json!({ "error": error }))
}

async fn failure_text(canned: Canned, tool: &str, arguments: serde_json::Value) -> String {
    failure_after(canned, tool, arguments, 1).await
}

/// The error text, after exactly `requests` upstream requests.
async fn failure_after(
    canned: Canned,
    tool: &str,
    arguments: serde_json::Value,
    requests: usize,
) -> String {
    let (fake, client) = common::setup().await;
    fake.respond(canned);
    let result = common::call(&client, tool, arguments).await.unwrap();
    assert_eq!(result.is_error, Some(true));
    assert_eq!(fake.requests().len(), requests);
    common::text(&result)
}

#[tokio::test]
async fn no_active_device_says_how_to_get_one() {
    let text = failure_text(
        spotify_error(
            404,
            "Player command failed: No active device found",
            Some("NO_ACTIVE_DEVICE"),
        ),
        "pause_playback",
        json!({}),
    )
    .await;
    for part in [
        "404",
        "No active device found",
        "NO_ACTIVE_DEVICE",
        "get_devices",
        "transfer_playback",
    ] {
        assert!(text.contains(part), "{text:?} lacks {part:?}");
    }
}

#[tokio::test]
async fn premium_required_is_explained() {
    let text = failure_text(
        spotify_error(
            403,
            "Player command failed: Premium required",
            Some("PREMIUM_REQUIRED"),
        ),
        "skip_to_next",
        json!({}),
    )
    .await;
    assert!(
        text.contains("403")
            && text.contains("PREMIUM_REQUIRED")
            && text.contains("Premium account"),
        "{text}"
    );
}

#[tokio::test]
async fn rate_limit_reports_retry_after() {
    let canned =
        spotify_error(429, "API rate limit exceeded", None).with_header("retry-after", "30");
    let text = failure_text(
        canned,
        "get_album",
        json!({ "id": "x000000000000000000000" }),
    )
    .await;
    assert!(
        text.contains("429") && text.contains("Retry after 30 seconds"),
        "{text}"
    );
}

#[tokio::test]
async fn expired_token_says_to_renew_it() {
    let text = failure_text(
        spotify_error(401, "The access token expired", None),
        "get_album",
        json!({ "id": "x000000000000000000000" }),
    )
    .await;
    assert!(
        text.contains("401") && text.contains("The access token expired") && text.contains("fresh"),
        "{text}"
    );
}

#[tokio::test]
async fn undocumented_status_still_reports_status_and_message() {
    // A GET is retried twice after a 5xx before the error is reported.
    let text = failure_after(
        spotify_error(502, "Bad gateway", None),
        "get_album",
        json!({ "id": "x000000000000000000000" }),
        3,
    )
    .await;
    assert!(
        text.contains("502") && text.contains("Bad gateway"),
        "{text}"
    );
}

#[tokio::test]
async fn unreachable_spotify_is_reported() {
    let fake = common::fake_spotify::FakeSpotify::start().await;
    let mut args = common::spotify_args(&fake, Some("t"));
    args.api_base_url = "http://127.0.0.1:9/v1".into(); // discard port: nothing listens
    let client = common::connect(&args, false).await;
    let result = common::call(
        &client,
        "get_album",
        json!({ "id": "x000000000000000000000" }),
    )
    .await
    .unwrap();
    assert_eq!(result.is_error, Some(true));
    assert!(
        common::text(&result).contains("could not reach Spotify"),
        "{}",
        common::text(&result)
    );
}
