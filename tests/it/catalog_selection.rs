//! Each catalog flag's effect on `tools/list`: toolsets, read-only, explicit tool lists,
//! exclusions, deprecated operations; unknown names are refused with the known ones listed.

use crate::common;

use common::catalog;
use common::fake_spotify::FakeSpotify;
use spotify_mcp::foundation::config::CatalogArgs;
use spotify_mcp::mcp::selection::{Selection, SelectionError};
use spotify_mcp::mcp::{CatalogOptions, all_tools};

fn args(edit: impl FnOnce(&mut CatalogArgs)) -> CatalogArgs {
    let mut args = CatalogArgs::default();
    edit(&mut args);
    args
}

async fn listed(catalog: CatalogArgs) -> Vec<String> {
    let fake = FakeSpotify::start().await;
    let selection = Selection::from_args(&catalog, all_tools()).expect("valid selection");
    let client = common::connect_with(
        &common::spotify_args(&fake, Some("t")),
        CatalogOptions {
            selection,
            ..Default::default()
        },
    )
    .await;
    common::tool_names(&client).await
}

#[tokio::test]
async fn toolsets_narrow_the_catalog() {
    let names = listed(args(|a| {
        a.toolsets = vec!["player".into(), "search".into()]
    }))
    .await;
    assert_eq!(
        catalog::sorted(&names),
        catalog::current_where(|t| ["player", "search"].contains(&t.toolset))
    );
    assert!(names.contains(&"search".to_string()) && names.contains(&"pause_playback".to_string()));
}

#[tokio::test]
async fn read_only_drops_every_write() {
    let names = listed(args(|a| a.read_only = true)).await;
    assert_eq!(
        catalog::sorted(&names),
        catalog::current_where(|t| t.read_only)
    );
}

#[tokio::test]
async fn explicit_tools_and_exclusions() {
    let names = listed(args(|a| {
        a.tools = vec![
            "get_album".into(),
            "get_several_albums".into(),
            "pause_playback".into(),
        ]
    }))
    .await;
    assert_eq!(
        names,
        ["get_album", "get_several_albums", "pause_playback"],
        "naming a deprecated tool asks for it"
    );
    let names = listed(args(|a| {
        a.tools = vec!["get_album".into(), "pause_playback".into()];
        a.read_only = true;
    }))
    .await;
    assert_eq!(names, ["get_album"], "read-only still applies");
    let names = listed(args(|a| a.exclude_tools = vec!["search".into()])).await;
    assert_eq!(
        catalog::sorted(&names),
        catalog::current_where(|t| t.name != "search")
    );
    assert!(!names.contains(&"search".to_string()));
}

#[tokio::test]
async fn deprecated_tools_join_on_request() {
    assert_eq!(
        listed(args(|a| a.include_deprecated = true)).await.len(),
        catalog::all_count()
    );
    let names = listed(args(|a| {
        a.include_deprecated = true;
        a.toolsets = vec!["genres".into()];
    }))
    .await;
    assert_eq!(names, ["get_recommendation_genres"]);
}

#[test]
fn unknown_names_are_refused_with_what_exists() {
    let error = Selection::from_args(&args(|a| a.toolsets = vec!["podcasts".into()]), all_tools())
        .unwrap_err();
    assert!(
        matches!(&error, SelectionError::UnknownToolset(name, known) if name == "podcasts" && known.contains("shows"))
    );
    let error = Selection::from_args(&args(|a| a.tools = vec!["get_albun".into()]), all_tools())
        .unwrap_err();
    assert!(error.to_string().contains("get_albun"));
}

#[test]
fn tools_list_reports_sizes_and_tokens() {
    use spotify_mcp::foundation::config::{ToolMode, ToolsListArgs};
    let report = spotify_mcp::mcp::listing::report(&ToolsListArgs {
        catalog: args(|a| a.toolsets = vec!["player".into()]),
        json: false,
    })
    .unwrap();
    let player = catalog::current_where(|t| t.toolset == "player").len();
    assert!(
        report.contains(&format!("{player} tools; tools/list is ")),
        "{report}"
    );
    assert!(report.contains("tokens (cl100k)"), "{report}");
    let dynamic = spotify_mcp::mcp::listing::report(&ToolsListArgs {
        catalog: args(|a| a.tool_mode = ToolMode::Dynamic),
        json: false,
    })
    .unwrap();
    assert!(
        dynamic.contains("3 tools;")
            && dynamic.contains(&format!("reach {} tools", catalog::current_count())),
        "{dynamic}"
    );
}
