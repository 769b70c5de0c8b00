//! The HTTP transport answers /healthz, and /metrics renders the same Prometheus recorder that
//! --metrics-addr serves on its own listener, refused requests counted by reason.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::http_server::{HttpServer, http_client};
use rmcp::model::CallToolRequestParams;
use serde_json::json;

#[tokio::test]
async fn healthz_and_metrics_answer() {
    let fake = FakeSpotify::start().await;
    let metrics_addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let server = HttpServer::start(&fake, &["--metrics-addr", &metrics_addr.to_string()]).await;
    let http = http_client();

    let health = http.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap().trim(), "ok");

    fake.respond(Canned::json(200, json!({ "devices": [] })));
    let client = server.client(None, &[]).await;
    let result = client
        .call_tool(CallToolRequestParams::new("get_devices"))
        .await
        .unwrap();
    assert_ne!(result.is_error, Some(true));
    client.cancel().await.unwrap();

    for _ in 0..2 {
        let refused = http
            .post(server.url("/mcp"))
            .header("origin", "http://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 403);
    }

    let series = r#"spotify_mcp_tool_calls_total{tool="get_devices",outcome="ok"} 1"#;
    let text = server.metrics().await;
    assert!(text.contains(series), "{text}");
    assert!(
        text.contains("# TYPE spotify_mcp_tool_calls_total counter"),
        "{text}"
    );
    assert!(
        text.contains(r#"spotify_mcp_http_refusals_total{reason="forbidden"} 2"#),
        "{text}"
    );
    let own = http
        .get(format!("http://{metrics_addr}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        own.contains(series),
        "--metrics-addr serves the same recorder: {own}"
    );
}
