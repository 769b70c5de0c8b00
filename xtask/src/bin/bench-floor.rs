//! The benchmark's floor: the least an rmcp server does over the same transport as spotify-mcp,
//! with a no-op tool and a tool answering a fixed album-sized (~14 KB) JSON object.
//! `cargo xtask bench` builds it in release mode and reports spotify-mcp's figures against it.
//! Stdio by default; `--http` serves streamable HTTP at /mcp on a free 127.0.0.1 port and
//! prints `serving MCP over HTTP addr=…` to stderr, as spotify-mcp does.

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ErrorData, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, ServerHandler, ServiceExt};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// The floor's answer size: about what Spotify sends for a ten-track album.
const ALBUM_BYTES: usize = 14_000;

struct Floor {
    album: Value,
    tools: Vec<Tool>,
}

fn markets() -> Vec<String> {
    (0..185u32)
        .map(|i| {
            format!(
                "{}{}",
                (b'A' + (i / 26) as u8) as char,
                (b'A' + (i % 26) as u8) as char
            )
        })
        .collect()
}

/// A fixed album-shaped object just over [`ALBUM_BYTES`] when serialized.
fn album() -> Value {
    let mut album = json!({
        "id": "floor", "name": "Floor", "type": "album", "uri": "spotify:album:floor",
        "release_date": "1976-10-11", "total_tracks": 0, "available_markets": markets(),
        "tracks": { "offset": 0, "total": 0, "items": [] }
    });
    let mut n = 0;
    while serde_json::to_vec(&album).map_or(0, |b| b.len()) < ALBUM_BYTES {
        n += 1;
        let track = json!({
            "id": format!("t{n}"), "name": format!("Track {n}"), "type": "track",
            "uri": format!("spotify:track:t{n}"), "duration_ms": 215000, "track_number": n,
            "available_markets": markets()[..120].to_vec()
        });
        album["tracks"]["items"]
            .as_array_mut()
            .expect("a list")
            .push(track);
        album["total_tracks"] = json!(n);
        album["tracks"]["total"] = json!(n);
    }
    album
}

fn schema() -> Arc<Map<String, Value>> {
    let Value::Object(schema) = json!({ "type": "object", "properties": {} }) else {
        unreachable!("an object literal")
    };
    Arc::new(schema)
}

impl ServerHandler for Floor {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let result = match request.name.as_ref() {
            "noop" => CallToolResult::success(Vec::new()),
            "album" => CallToolResult::structured(self.album.clone()),
            other => {
                return Err(ErrorData::invalid_params(
                    format!("no tool `{other}`"),
                    None,
                ));
            }
        };
        Ok(result.into())
    }
}

#[derive(Clone)]
struct Shared(Arc<Floor>);

impl ServerHandler for Shared {
    fn get_info(&self) -> ServerConfig {
        self.0.get_info()
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        self.0.list_tools(request, context).await
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        self.0.call_tool(request, context).await
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let floor = Shared(Arc::new(Floor {
        album: album(),
        tools: vec![
            Tool::new("noop", "Does nothing.", schema()),
            Tool::new(
                "album",
                "Answers a fixed album-sized JSON object.",
                schema(),
            ),
        ],
    }));
    if std::env::args().any(|a| a == "--http") {
        return serve_http(floor).await;
    }
    floor
        .serve(rmcp::transport::stdio())
        .await?
        .waiting()
        .await?;
    Ok(())
}

async fn serve_http(floor: Shared) -> Result<(), Box<dyn std::error::Error>> {
    use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
    use rmcp::transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    // The default Host allow-list is the loopback names, which is where the bench connects.
    let config = StreamableHttpServerConfig::default();
    let service = StreamableHttpService::new(
        move || Ok(floor.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let app = axum::Router::new().route_service("/mcp", service);
    // Same as spotify-mcp: without TCP_NODELAY, delayed ACKs cost ~40 ms per call.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    eprintln!("serving MCP over HTTP addr={addr}");
    axum::serve(listener, app).await?;
    Ok(())
}
