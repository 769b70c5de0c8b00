//! Each error reason comes with advice the assistant can act on, as text and as structured
//! fields: a withheld endpoint names the tool to use instead, a 403 on a scoped tool names the
//! login command, player errors say how to get a device.

use crate::common;

use common::fake_spotify::Canned;
use serde_json::json;

fn error(status: u16, message: &str, reason: Option<&str>) -> Canned {
    let mut error = json!({ "status": status, "message": message });
    if let Some(reason) = reason {
        error["reason"] = json!(reason);
    }
    Canned::json(status, json!({ "error": error }))
}

async fn fail(
    canned: Canned,
    tool: &str,
    arguments: serde_json::Value,
) -> (String, serde_json::Value) {
    let (fake, client) = common::setup().await;
    fake.respond(canned);
    let result = common::call(&client, tool, arguments).await.unwrap();
    assert_eq!(result.is_error, Some(true));
    let text = common::text(&result);
    let fields = result
        .structured_content
        .unwrap_or_else(|| panic!("structured error fields: {text}"));
    (text, fields)
}

#[tokio::test]
async fn a_withheld_endpoint_names_the_replacement() {
    let (text, fields) = fail(
        error(403, "Forbidden", None),
        "get_several_albums",
        json!({ "ids": ["a000000000000000000000", "b000000000000000000000"] }),
    )
    .await;
    assert!(text.contains("use `get_album` instead"), "{text}");
    assert_eq!(fields["status"], 403);
    assert!(fields["advice"].as_str().unwrap().contains("get_album"));
}

#[tokio::test]
async fn a_forbidden_scoped_tool_names_the_login_command() {
    let (text, fields) = fail(
        error(403, "Insufficient client scope", None),
        "get_saved_tracks",
        json!({}),
    )
    .await;
    assert!(
        text.contains("user-library-read") && text.contains("spotify-mcp auth login"),
        "{text}"
    );
    assert_eq!(fields["message"], "Insufficient client scope");
}

#[tokio::test]
async fn no_active_device_carries_its_reason_as_a_field() {
    let (text, fields) = fail(
        error(
            404,
            "Player command failed: No active device found",
            Some("NO_ACTIVE_DEVICE"),
        ),
        "skip_to_next",
        json!({}),
    )
    .await;
    assert!(text.contains("transfer_playback"), "{text}");
    assert_eq!(fields["reason"], "NO_ACTIVE_DEVICE");
    assert!(
        fields.get("advice").is_none(),
        "the reason's own hint is in the text: {fields}"
    );
}
