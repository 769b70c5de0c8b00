//! Table-driven over every tool: Spotify's error body reaches the assistant as that error (status
//! and message), never as a decoding failure. (Progenitor once gave inline error bodies and
//! inline success bodies the same type name, so errors decoded as successes.)

use crate::common;

use common::fake_spotify::Canned;
use common::samples;
use serde_json::Value;
use spotify_mcp::mcp::all_tools;

#[tokio::test]
async fn every_tool_reports_spotifys_error() {
    let (fake, client) = common::setup().await;
    let tools = client.list_all_tools().await.unwrap();
    let mut failures = Vec::new();
    for def in all_tools() {
        let tool = tools.iter().find(|t| t.name == def.name).unwrap();
        let args = samples::arguments(&Value::Object((*tool.input_schema).clone()));
        fake.respond_once(Canned::error(403, "Forbidden probe"));
        let result = common::call(&client, def.name, args).await.unwrap();
        let text = common::text(&result);
        if result.is_error != Some(true)
            || !text.contains("403")
            || !text.contains("Forbidden probe")
        {
            failures.push(format!("{}: {text}", def.name));
        }
        fake.take_requests();
    }
    assert!(
        failures.is_empty(),
        "{} tools mangle errors:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
