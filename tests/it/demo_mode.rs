//! `spotify-mcp serve --demo`: the built binary, with no credentials at all, serves every tool
//! from the fake Spotify it starts itself, and says so in its log.

use crate::common;

use common::every_tool;
use fake_spotify::{FakeSpotify, Knobs};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::TokioChildProcess;
use serde_json::{Map, Value};
use spotify_mcp::mcp::all_tools;
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
        .env("SPOTIFY_MCP_LOG", "warn")
        // Every tool must answer; a client that cannot confirm would see destructive ones refused.
        .env("SPOTIFY_MCP_CONFIRM_DESTRUCTIVE", "never");
    let (transport, stderr) = TokioChildProcess::builder(command)
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let client = tokio::time::timeout(Duration::from_secs(20), ().serve(transport))
        .await
        .expect("handshake within 20 s")
        .expect("connects");

    let tools = client.list_all_tools().await.expect("tools/list");
    assert_eq!(
        common::catalog::sorted(tools.iter().map(|t| &t.name)),
        common::catalog::served(),
        "every current tool is listed, and undo"
    );

    // The MCP Apps views come with the demo, so a host shows them with the demo's data.
    let views = client.list_all_resources().await.expect("resources/list");
    let views = views.iter().filter(|r| r.uri.starts_with("ui://")).count();
    assert_eq!(
        views,
        spotify_mcp::mcp::apps::VIEWS.len(),
        "the demo lists the views"
    );

    // The demo's data follow from the default seed alone, so a fake started here with the
    // default knobs knows the ids, playlists and devices the demo answers with.
    let data = FakeSpotify::start(Knobs::default())
        .await
        .expect("fake starts");
    let device = every_tool::device_id(&data, &data.issue_user_token().access_token).await;
    let mut problems = Vec::new();
    for def in all_tools().iter().filter(|d| !d.deprecated) {
        let tool = tools.iter().find(|t| t.name == def.name).expect("listed");
        let args = every_tool::arguments(&data, tool, def.operation.path, &device);
        let request = CallToolRequestParams::new(def.name.to_string())
            .with_arguments(arguments(args.clone()));
        let result = tokio::time::timeout(Duration::from_secs(20), client.call_tool(request))
            .await
            .unwrap_or_else(|_| panic!("{} answers within 20 s", def.name))
            .expect("tools/call");
        problems.extend(every_tool::problem(tool, &args, &result));
    }
    assert!(
        problems.is_empty(),
        "{} of {} tools failed in demo mode:\n{}",
        problems.len(),
        tools.len(),
        problems.join("\n")
    );
    assert!(
        data.requests()
            .iter()
            .all(|r| r.path.ends_with("/me/player/devices")),
        "the calls went to the demo's own fake, not to this one"
    );

    client.cancel().await.expect("closes");
    let mut log = String::new();
    let mut stderr = stderr.expect("stderr piped");
    let _ = tokio::time::timeout(Duration::from_secs(10), stderr.read_to_string(&mut log)).await;
    assert!(
        log.contains("DEMO MODE"),
        "the log says it is a demo: {log}"
    );
}
