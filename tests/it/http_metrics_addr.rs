//! The `--metrics-addr` listener checks `Host` and `Origin` as `/mcp` does: a DNS-rebinding page
//! (a foreign `Host`) or a cross-site fetch gets 403, a scraper on 127.0.0.1 gets the metrics.

use crate::common;

use common::fake_spotify::FakeSpotify;
use common::http_server::{HttpServer, http_client};

#[tokio::test]
async fn metrics_addr_refuses_a_foreign_host_or_origin() {
    let port = common::free_port();
    let metrics_addr = format!("127.0.0.1:{port}");
    let fake = FakeSpotify::start().await;
    let _server = HttpServer::start(&fake, &["--metrics-addr", &metrics_addr]).await;
    let url = format!("http://{metrics_addr}/metrics");
    let get = |headers: &[(&'static str, &str)]| {
        let mut request = http_client().get(&url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send()
    };

    let rebound = get(&[("host", "evil.example")]).await.unwrap();
    assert_eq!(rebound.status(), 403);
    let body = rebound.text().await.unwrap();
    assert!(body.contains("--allowed-hosts"), "{body}");
    assert!(!body.contains("spotify_mcp_"), "{body}");

    let wrong_port = get(&[("host", "127.0.0.1:1")]).await.unwrap();
    assert_eq!(wrong_port.status(), 403);

    let cross_site = get(&[("origin", "http://evil.example")]).await.unwrap();
    assert_eq!(cross_site.status(), 403);

    let scraper = get(&[]).await.unwrap();
    assert_eq!(scraper.status(), 200);
    let text = scraper.text().await.unwrap();
    assert!(text.contains("spotify_mcp_http_refusals_total"), "{text}");
}
