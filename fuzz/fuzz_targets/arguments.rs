//! Tool arguments as an MCP client sends them: JSON text parsed, validated against the tool's
//! input schema, decoded into the typed client's parameters and sent. The first byte picks the
//! tool (deprecated ones included). Spotify is a closed port on 127.0.0.1, so a call that gets
//! past decoding fails fast as unreachable; every call must answer, with a message on errors.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use spotify_mcp::foundation::config::{MiddlewareArgs, SpotifyArgs};
use spotify_mcp::mcp::selection::Selection;
use spotify_mcp::mcp::{Catalog, CatalogOptions, SpotifyServer, all_tools};
use spotify_mcp::foundation::secret::Secret;
use std::sync::{Arc, OnceLock};

struct Target {
    runtime: tokio::runtime::Runtime,
    server: SpotifyServer,
}

fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    listener.local_addr().expect("local addr").port()
    // dropped here: connections to the port are refused
}

fn target() -> &'static Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    TARGET.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let base = format!("http://127.0.0.1:{}", closed_port());
        let args = SpotifyArgs {
            api_base_url: format!("{base}/v1"),
            accounts_base_url: base,
            client_id: None,
            client_secret: None,
            access_token: Some(Secret::new("fuzz-token")),
            token_file: Some(std::env::temp_dir().join("spotify-mcp-fuzz-no-such-dir/token.json")),
            refresh_margin_secs: 300,
            http_timeout_secs: 2,
            middleware: MiddlewareArgs {
                cache_max_bytes: 0,
                retries: 0,
                ..MiddlewareArgs::default()
            },
        };
        let api = runtime
            .block_on(async { spotify_mcp::build_api(&args) })
            .expect("client builds");
        let options = CatalogOptions {
            selection: Selection {
                include_deprecated: true,
                ..Selection::default()
            },
            ..CatalogOptions::default()
        };
        let catalog = Catalog::new(all_tools(), &options);
        Target {
            runtime,
            server: SpotifyServer::new(api, Arc::new(catalog)),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, text)) = data.split_first() else {
        return;
    };
    let tools = all_tools();
    let tool = tools[pick as usize % tools.len()].name;
    // MCP carries arguments as an object (or none); anything else never reaches a tool.
    let arguments = match serde_json::from_slice::<Value>(text) {
        Ok(Value::Object(map)) => Some(map),
        Ok(Value::Null) => None,
        _ => return,
    };
    let target = target();
    let result = target
        .runtime
        .block_on(target.server.call(tool, arguments, None, None))
        .expect("a listed tool answers with a result, not a protocol error");
    if result.is_error == Some(true) {
        let text = result
            .content
            .iter()
            .find_map(|c| c.as_text().map(|t| t.text.clone()));
        assert!(
            text.is_some_and(|t| t.contains(" failed: ")),
            "{tool}: an error without a message"
        );
    }
});
