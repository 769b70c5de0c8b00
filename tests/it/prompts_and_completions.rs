//! Prompts and completions through an rmcp client over real HTTP against the fake: the prompts
//! are listed with their arguments and filled in; completions suggest the caller's playlist
//! names, device names, toolset names, and playlist ids for the playlist template.

use crate::common;

use common::multi_user_server::{MultiUserServer, Options};
use fake_spotify::{FakeSpotify, Knobs};
use rmcp::model::{CallToolRequestParams, GetPromptRequestParams};
use serde_json::{Map, Value, json};

async fn names_from_tool(
    client: &rmcp::service::RunningService<rmcp::RoleClient, ()>,
    tool: &'static str,
    arguments: Value,
    list: &str,
) -> Vec<String> {
    let Value::Object(arguments) = arguments else {
        unreachable!()
    };
    let result = client
        .call_tool(CallToolRequestParams::new(tool).with_arguments(arguments))
        .await
        .unwrap();
    let structured = result.structured_content.expect("structured");
    structured[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn prompts_are_listed_and_filled_and_arguments_completed_for_the_caller() {
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let server = MultiUserServer::start(&fake, Options::default()).await;
    let ada = server.add_user(&fake, "Ada").await;
    let client = server.client(Some(&ada.token)).await;

    let prompts = client.list_all_prompts().await.unwrap();
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    for expected in [
        "build_playlist",
        "catch_up_on_podcasts",
        "listening_recap",
        "play_on_device",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }
    let mut arguments = Map::new();
    arguments.insert("seed_artist".into(), json!("Nina Simone"));
    arguments.insert("track_count".into(), json!(12));
    let prompt = client
        .get_prompt(GetPromptRequestParams::new("build_playlist").with_arguments(arguments))
        .await
        .unwrap();
    let text = serde_json::to_string(&prompt.messages).unwrap();
    assert!(
        text.contains("Nina Simone") && text.contains("12 tracks"),
        "{text}"
    );
    assert!(
        client
            .get_prompt(GetPromptRequestParams::new("play_on_device"))
            .await
            .is_err(),
        "a missing required argument is refused"
    );

    let playlists =
        names_from_tool(&client, "get_my_playlists", json!({ "limit": 50 }), "items").await;
    let suggested = client
        .complete_prompt_simple("build_playlist", "playlist", "")
        .await
        .unwrap();
    assert_eq!(suggested, playlists, "every playlist name of Ada's");
    let typed: String = playlists[0].chars().take(4).collect();
    let narrowed = client
        .complete_prompt_simple("build_playlist", "playlist", typed.to_uppercase())
        .await
        .unwrap();
    assert!(
        narrowed.contains(&playlists[0])
            && narrowed
                .iter()
                .all(|n| n.to_lowercase().contains(&typed.to_lowercase())),
        "{typed}: {narrowed:?}"
    );

    let devices = names_from_tool(&client, "get_devices", json!({}), "devices").await;
    let suggested = client
        .complete_prompt_simple("play_on_device", "device", "")
        .await
        .unwrap();
    assert_eq!(suggested, devices);

    let toolsets = client
        .complete_prompt_simple("what_can_you_do", "toolset", "pla")
        .await
        .unwrap();
    assert!(
        toolsets.contains(&"player".to_string()) && toolsets.contains(&"playlists".to_string()),
        "{toolsets:?}"
    );

    let ids = client
        .complete_resource_simple("spotify:playlist:{id}", "id", "")
        .await
        .unwrap();
    let own = fake.playlist_ids_of(&ada.fake);
    assert!(
        !ids.is_empty() && ids.iter().all(|id| own.contains(id)),
        "Ada's playlist ids: {ids:?}"
    );
    assert!(
        client
            .complete_prompt_simple("listening_recap", "no_such_argument", "")
            .await
            .unwrap()
            .is_empty()
    );
    client.cancel().await.unwrap();
    server.stop().await;
}
