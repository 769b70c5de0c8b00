//! What `tools/list` shows: the current tools by default, every one with `--include-deprecated`,
//! names valid and unique, and exactly the catalog the committed snapshot records.

use crate::common;

use common::catalog;
use common::fake_spotify::FakeSpotify;
use serde_json::Value;
use spotify_mcp::mcp::all_tools;
use std::collections::BTreeSet;

#[tokio::test]
async fn default_catalog_lists_the_current_operations() {
    let fake = FakeSpotify::start().await;
    let client = common::connect(&common::spotify_args(&fake, None), false).await;
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(
        catalog::sorted(tools.iter().map(|t| &t.name)),
        catalog::current(),
        "every current tool and no deprecated one"
    );
    assert!(tools.iter().any(|t| t.name == "get_playback_state"));
    assert!(tools.iter().any(|t| t.name == "search"));
}

#[tokio::test]
async fn include_deprecated_lists_every_operation() {
    let (_fake, client) = common::setup().await;
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(
        catalog::sorted(tools.iter().map(|t| &t.name)),
        catalog::sorted(all_tools().iter().map(|t| t.name))
    );
    assert!(
        catalog::current_count() < all_tools().len(),
        "the spec has deprecated operations, so the flag is tested"
    );
}

#[test]
fn names_are_unique_short_and_snake_case() {
    let mut seen = BTreeSet::new();
    for tool in all_tools() {
        assert!(seen.insert(tool.name), "duplicate tool name {}", tool.name);
        assert!(
            tool.name.len() <= 64,
            "{} is longer than 64 characters",
            tool.name
        );
        assert!(
            tool.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{} is not snake_case",
            tool.name
        );
        assert!(
            !tool.description.trim().is_empty(),
            "{} has no description",
            tool.name
        );
    }
}

#[tokio::test]
async fn tools_list_matches_the_committed_snapshot() {
    let (_fake, client) = common::setup().await;
    let mut listed = serde_json::to_value(client.list_all_tools().await.unwrap()).unwrap();
    // The MCP Apps view links are the apps module's, checked in apps_views, not the spec's.
    for tool in listed.as_array_mut().unwrap() {
        tool.as_object_mut().unwrap().remove("_meta");
    }
    let snapshot: Value =
        serde_json::from_str(include_str!("../snapshots/tools.json")).expect("snapshot is JSON");
    assert_eq!(
        listed, snapshot["tools"],
        "run `cargo xtask codegen` after changing the spec"
    );
}

#[tokio::test]
async fn annotations_follow_the_http_method() {
    let (_fake, client) = common::setup().await;
    for tool in client.list_all_tools().await.unwrap() {
        let def = all_tools().iter().find(|d| d.name == tool.name).unwrap();
        let annotations = tool.annotations.expect("every tool is annotated");
        assert_eq!(
            annotations.read_only_hint,
            Some(def.operation.method == "GET"),
            "{}",
            def.name
        );
        assert_eq!(annotations.open_world_hint, Some(true));
        if def.operation.method == "DELETE" {
            assert_eq!(
                annotations.destructive_hint,
                Some(true),
                "{} deletes",
                def.name
            );
        }
        if def.operation.method == "POST" && def.name != "create_playlist" {
            assert_eq!(
                annotations.idempotent_hint,
                Some(false),
                "{} posts",
                def.name
            );
        }
        assert!(annotations.title.is_some_and(|t| !t.is_empty()));
    }
}
