//! Arguments that break a tool's input schema come back as `isError` results naming the field,
//! and nothing reaches Spotify.

use crate::common;

use serde_json::json;

async fn rejected(tool: &str, arguments: serde_json::Value, mentions: &[&str]) {
    let (fake, client) = common::setup().await;
    let result = common::call(&client, tool, arguments.clone())
        .await
        .expect("a tool result, not a protocol error");
    assert_eq!(
        result.is_error,
        Some(true),
        "{tool} with {arguments} must fail"
    );
    let text = common::text(&result);
    assert!(text.contains("invalid arguments"), "{text}");
    for word in mentions {
        assert!(text.contains(word), "{text:?} should mention {word:?}");
    }
    assert!(
        fake.requests().is_empty(),
        "invalid arguments must not reach Spotify"
    );
}

#[tokio::test]
async fn missing_required_argument_is_named() {
    rejected("get_album", json!({}), &["\"id\"", "required"]).await;
}

#[tokio::test]
async fn out_of_range_value_names_field_and_bound() {
    rejected(
        "search",
        json!({ "q": "abba", "type": ["album"], "limit": 500 }),
        &["`limit`", "50"],
    )
    .await;
}

#[tokio::test]
async fn wrong_type_is_named() {
    rejected("get_album", json!({ "id": 42 }), &["`id`", "string"]).await;
}

#[tokio::test]
async fn unknown_argument_is_named() {
    rejected(
        "get_album",
        json!({ "id": "x000000000000000000000", "colour": "blue" }),
        &["colour"],
    )
    .await;
}

#[tokio::test]
async fn value_outside_enum_is_named() {
    rejected(
        "set_repeat_mode",
        json!({ "state": "sometimes" }),
        &["`state`", "sometimes"],
    )
    .await;
}

#[tokio::test]
async fn list_items_outside_enum_are_named() {
    rejected(
        "search",
        json!({ "q": "abba", "type": ["album", "song"] }),
        &["`type.1`", "song"],
    )
    .await;
}
