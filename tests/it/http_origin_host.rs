//! DNS-rebinding defence: a request from a browser page of another origin, or naming a host
//! that is not ours, gets 403; the defaults let loopback clients in; --allowed-origins and
//! --allowed-hosts widen the lists.

use crate::common;

use common::fake_spotify::FakeSpotify;
use common::http_server::{HttpServer, initialize};

async fn status(server: &HttpServer, headers: &[(&str, String)]) -> (u16, String) {
    let mut request = server.mcp_request().json(&initialize(1));
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn bad_origin_or_host_is_forbidden_by_default() {
    let fake = FakeSpotify::start().await;
    let server = HttpServer::start(&fake, &[]).await;
    let port = server.addr.port();

    let (code, body) = status(&server, &[("origin", "http://evil.example".into())]).await;
    assert_eq!(code, 403);
    assert!(body.contains("--allowed-origins"), "{body}");
    let (code, _) = status(
        &server,
        &[("origin", format!("http://localhost:{}", port + 1))],
    )
    .await;
    assert_eq!(code, 403, "another port is another origin");
    let (code, body) = status(&server, &[("host", format!("attacker.example:{port}"))]).await;
    assert_eq!(code, 403);
    assert!(body.contains("--allowed-hosts"), "{body}");

    let (code, _) = status(&server, &[]).await;
    assert_eq!(code, 200, "no Origin: a non-browser client");
    let (code, _) = status(&server, &[("origin", format!("http://localhost:{port}"))]).await;
    assert_eq!(code, 200);
    let (code, _) = status(&server, &[("host", format!("localhost:{port}"))]).await;
    assert_eq!(code, 200);
}

#[tokio::test]
async fn configured_lists_let_named_origins_and_hosts_in() {
    let fake = FakeSpotify::start().await;
    let server = HttpServer::start(
        &fake,
        &[
            "--allowed-origins",
            "https://app.example.com,http://localhost:*",
            "--allowed-hosts",
            "mcp.example.com,127.0.0.1",
        ],
    )
    .await;
    let (code, _) = status(&server, &[("origin", "https://app.example.com".into())]).await;
    assert_eq!(code, 200);
    let (code, _) = status(&server, &[("origin", "http://localhost:5173".into())]).await;
    assert_eq!(code, 200);
    let (code, _) = status(&server, &[("origin", "https://other.example.com".into())]).await;
    assert_eq!(code, 403);
    let (code, _) = status(&server, &[("host", "mcp.example.com".into())]).await;
    assert_eq!(code, 200, "rmcp's own Host check follows the same list");
    let (code, _) = status(
        &server,
        &[("host", format!("localhost:{}", server.addr.port()))],
    )
    .await;
    assert_eq!(code, 403, "a configured list replaces the defaults");
}
