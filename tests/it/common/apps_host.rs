//! A small MCP Apps host on 127.0.0.1 for browser tests: a page that embeds one view in a
//! sandboxed iframe (served with the CSP the spec builds from the view's `_meta.ui.csp`), plays
//! the host's side of the protocol (`ui/initialize`, then the recorded tool input and result),
//! and carries the view's `tools/call` to the real server, recording each. With `refuse`, the
//! host refuses every tool call instead, as a host whose user said no.

use super::Client;
use axum::extract::{Json, State};
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// Longest a view's tool call may take through the host.
const CALL_DEADLINE: Duration = Duration::from_secs(30);

/// What the host shows: a view, the tool call it renders, and how the host answers the view.
pub struct Scenario {
    pub html: String,
    /// `resourceDomains` of the view's `_meta.ui.csp`.
    pub resource_domains: Vec<String>,
    pub tool_input: Value,
    pub tool_result: Value,
}

struct Shared {
    scenario: Mutex<Scenario>,
    client: Arc<Client>,
    calls: mpsc::UnboundedSender<Value>,
}

pub struct AppsHost {
    pub url: String,
    shared: Arc<Shared>,
    /// Each `tools/call` (`{name, arguments}`) and `ui/open-link` (`{openLink}`) the view made.
    pub calls: mpsc::UnboundedReceiver<Value>,
}

impl AppsHost {
    pub async fn start(client: Arc<Client>, scenario: Scenario) -> Self {
        let (sender, calls) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            scenario: Mutex::new(scenario),
            client,
            calls: sender,
        });
        let app = axum::Router::new()
            .route("/host", get(|| async { Html(HOST_PAGE) }))
            .route("/view", get(view))
            .route("/scenario.json", get(scenario_json))
            .route("/call", post(call))
            .route("/record", post(record))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, shared, calls }
    }

    /// Shows another view (or the same with another result) on the next page load.
    pub fn show(&self, scenario: Scenario) {
        *self.shared.scenario.lock().unwrap() = scenario;
    }

    /// The host page in `theme`, refusing tool calls with `refuse`.
    pub fn page(&self, theme: &str, refuse: bool) -> String {
        format!(
            "{}/host?theme={theme}&refuse={}",
            self.url,
            u8::from(refuse)
        )
    }

    /// The next call the view made, within 20 s.
    pub async fn next_call(&mut self) -> Value {
        tokio::time::timeout(Duration::from_secs(20), self.calls.recv())
            .await
            .expect("the view made a call within 20 s")
            .expect("the host is running")
    }
}

/// The CSP a host builds from `_meta.ui.csp` (SEP-1865, "CSP construction from metadata").
fn csp(resource_domains: &[String]) -> String {
    let domains = resource_domains.join(" ");
    format!(
        "default-src 'none'; script-src 'self' 'unsafe-inline' {domains}; \
         style-src 'self' 'unsafe-inline' {domains}; connect-src 'self'; \
         img-src 'self' data: {domains}; font-src 'self' {domains}; \
         media-src 'self' data: {domains}; frame-src 'none'; object-src 'none'; base-uri 'self'"
    )
}

async fn view(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let scenario = shared.scenario.lock().unwrap();
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                csp(&scenario.resource_domains),
            ),
        ],
        scenario.html.clone(),
    )
}

async fn scenario_json(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let scenario = shared.scenario.lock().unwrap();
    Json(json!({ "input": scenario.tool_input, "result": scenario.tool_result }))
}

/// A call the host page refused or passed on: recorded for the test.
async fn record(State(shared): State<Arc<Shared>>, Json(call): Json<Value>) -> Json<Value> {
    let _ = shared.calls.send(call);
    Json(json!({}))
}

/// A view's `tools/call`, carried to the server as the host would.
async fn call(State(shared): State<Arc<Shared>>, Json(params): Json<Value>) -> Json<Value> {
    let _ = shared.calls.send(params.clone());
    let name = params["name"].as_str().unwrap_or_default().to_string();
    let arguments = params["arguments"].as_object().cloned().unwrap_or_default();
    let request = CallToolRequestParams::new(name).with_arguments(arguments);
    match tokio::time::timeout(CALL_DEADLINE, shared.client.call_tool(request)).await {
        Ok(Ok(result)) => Json(serde_json::to_value(result).unwrap()),
        Ok(Err(error)) => Json(json!({ "error": error.to_string() })),
        Err(_) => Json(json!({ "error": "the server did not answer within 30 s" })),
    }
}

/// The host's page: the view in an iframe sandboxed to scripts only (an opaque origin), and
/// the host's half of the JSON-RPC exchange.
const HOST_PAGE: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>test host</title>
<style>
  body { margin: 0; padding: 16px; font-family: sans-serif; }
  body.dark { background: #0f0f0f; } body.light { background: #f0f0f0; }
  iframe { border: 0; width: 440px; height: 200px; display: block; border-radius: 12px; }
</style></head>
<body><iframe id="view" sandbox="allow-scripts" title="view"></iframe>
<script>
const params = new URLSearchParams(location.search);
const theme = params.get("theme") || "light";
const refuse = params.get("refuse") === "1";
document.body.className = theme;
const frame = document.getElementById("view");
const post = (message) => frame.contentWindow.postMessage(message, "*");
const record = (call) => fetch("/record", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(call) });
window.hostLog = [];
(async () => {
  const scenario = await (await fetch("/scenario.json")).json();
  window.addEventListener("message", async (event) => {
    if (event.source !== frame.contentWindow) return;
    const m = event.data;
    if (!m || m.jsonrpc !== "2.0") return;
    window.hostLog.push(m.method || "response");
    if (m.method === "ui/initialize") {
      post({ jsonrpc: "2.0", id: m.id, result: {
        protocolVersion: "2026-01-26",
        hostInfo: { name: "spotify-mcp test host", version: "1" },
        hostCapabilities: { serverTools: {}, openLinks: {} },
        hostContext: { theme, displayMode: "inline", platform: "web" },
      } });
    } else if (m.method === "ui/notifications/initialized") {
      post({ jsonrpc: "2.0", method: "ui/notifications/tool-input", params: { arguments: scenario.input } });
      post({ jsonrpc: "2.0", method: "ui/notifications/tool-result", params: scenario.result });
    } else if (m.method === "ui/notifications/size-changed") {
      frame.style.height = Math.min(m.params.height, 2000) + "px";
    } else if (m.method === "ui/open-link") {
      await record({ openLink: m.params.url });
      post({ jsonrpc: "2.0", id: m.id, result: {} });
    } else if (m.method === "tools/call" && refuse) {
      await record({ refused: m.params.name });
      post({ jsonrpc: "2.0", id: m.id, error: { code: -32000, message: "Tool call denied by the user" } });
    } else if (m.method === "tools/call") {
      const answer = await (await fetch("/call", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(m.params) })).json();
      if (answer.error) post({ jsonrpc: "2.0", id: m.id, error: { code: -32603, message: answer.error } });
      else post({ jsonrpc: "2.0", id: m.id, result: answer });
    }
  });
  frame.src = "/view";
})();
</script></body></html>
"#;
