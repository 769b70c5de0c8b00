//! A request body over --max-body-bytes gets 413, whether it declares its length or is chunked.

use crate::common;

use common::fake_spotify::FakeSpotify;
use common::http_server::{HttpServer, initialize};
use serde_json::json;

#[tokio::test]
async fn oversized_bodies_get_413() {
    let fake = FakeSpotify::start().await;
    let server = HttpServer::start(&fake, &["--max-body-bytes", "2000"]).await;
    let mut big = initialize(1);
    big["params"]["clientInfo"]["name"] = json!("x".repeat(5000));

    let declared = server.mcp_request().json(&big).send().await.unwrap();
    assert_eq!(declared.status(), 413);
    assert!(declared.text().await.unwrap().contains("--max-body-bytes"));

    let bytes = serde_json::to_vec(&big).unwrap();
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        bytes.chunks(500).map(|c| Ok(c.to_vec())).collect();
    let chunked = server
        .mcp_request()
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(chunked.status(), 413);

    let small = server
        .mcp_request()
        .json(&initialize(2))
        .send()
        .await
        .unwrap();
    assert_eq!(small.status(), 200, "bodies under the limit pass");
}
