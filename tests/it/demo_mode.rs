//! `spotify-mcp serve --demo`: the built binary, with no credentials at all, serves every tool
//! from the fake Spotify it starts itself, and says so in its log.

use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::TokioChildProcess;
use serde_json::{Map, Value, json};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::process::Command;

fn arguments(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("arguments are objects"),
    }
}

#[tokio::test]
async fn demo_mode_serves_every_tool_without_an_account() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_spotify-mcp"));
    command
        .args(["serve", "--demo"])
        .env_clear()
        // A token file that would be read if demo mode did not take over the login.
        .env(
            "SPOTIFY_MCP_TOKEN_FILE",
            std::env::temp_dir().join("spotify-mcp-demo-no-such/token.json"),
        )
        .env("SPOTIFY_MCP_LOG", "warn");
    let (transport, stderr) = TokioChildProcess::builder(command)
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let client = tokio::time::timeout(Duration::from_secs(20), ().serve(transport))
        .await
        .expect("handshake within 20 s")
        .expect("connects");

    let tools = client.list_all_tools().await.expect("tools/list");
    assert_eq!(tools.len(), 49, "every current tool is listed");

    let call = |name: &str, args: Value| {
        let request = CallToolRequestParams::new(name.to_string()).with_arguments(arguments(args));
        let client = &client;
        async move {
            tokio::time::timeout(Duration::from_secs(20), client.call_tool(request))
                .await
                .expect("answers within 20 s")
                .expect("tools/call")
        }
    };
    let search = call(
        "search",
        json!({ "q": "velvet", "type": ["album"], "limit": 5 }),
    )
    .await;
    assert_ne!(search.is_error, Some(true), "{search:?}");
    let found = search.structured_content.expect("structured search");
    let album = &found["albums"]["items"][0];
    let id = album["id"]
        .as_str()
        .expect("an album was found")
        .to_string();

    let answer = call("get_album", json!({ "id": id })).await;
    assert_ne!(answer.is_error, Some(true), "{answer:?}");
    let got = answer.structured_content.expect("structured album");
    assert_eq!(got["id"], json!(id));
    assert_eq!(got["name"], album["name"]);
    let tracks = got["tracks"]["items"].as_array().expect("tracks");
    assert!((10..=20).contains(&tracks.len()), "{} tracks", tracks.len());

    // User tools work too: the demo login is a user.
    let me = call("get_my_profile", json!({})).await;
    assert_ne!(me.is_error, Some(true), "{me:?}");

    client.cancel().await.expect("closes");
    let mut log = String::new();
    let mut stderr = stderr.expect("stderr piped");
    let _ = tokio::time::timeout(Duration::from_secs(10), stderr.read_to_string(&mut log)).await;
    assert!(
        log.contains("DEMO MODE"),
        "the log says it is a demo: {log}"
    );
}
