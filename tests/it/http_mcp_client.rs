//! An MCP client over streamable HTTP against the built binary: initialize, list, call a tool
//! that reaches the fake Spotify; and the session id: issued on initialize, required after,
//! unknown or deleted ids answered 404.

use crate::common;

use common::fake_spotify::FakeSpotify;
use common::http_server::{HttpServer, http_client, initialize, initialized, messages, session_of};
use serde_json::json;

#[tokio::test]
async fn initialize_list_and_call_over_http() {
    let fake = FakeSpotify::start().await;
    let server = HttpServer::start(&fake, &[]).await;
    let client = server.client(None, &[]).await;

    let info = client.peer_info().expect("server info");
    assert_eq!(info.server_info.as_ref().unwrap().name, "spotify-mcp");
    common::lists_and_calls_get_devices(&client, &fake, "spotify-token").await;
    client.cancel().await.expect("closes");
}

#[tokio::test]
async fn session_ids_are_issued_required_and_ended() {
    let fake = FakeSpotify::start().await;
    let server = HttpServer::start(&fake, &[]).await;
    let http = http_client();
    let opened = server.post(None, &initialize(1)).await.unwrap();
    assert_eq!(opened.status(), 200);
    let session = session_of(&opened);
    let answer = messages(&opened.text().await.unwrap());
    assert_eq!(answer[0]["result"]["serverInfo"]["name"], "spotify-mcp");
    assert_eq!(
        server
            .post(Some(&session), &initialized())
            .await
            .unwrap()
            .status(),
        202
    );

    let list = json!({ "jsonrpc": "2.0", "id": 2, "method": "tools/list" });
    let listed = server.post(Some(&session), &list).await.unwrap();
    assert_eq!(listed.status(), 200);
    let answer = messages(&listed.text().await.unwrap());
    assert_eq!(
        answer[0]["result"]["tools"].as_array().unwrap().len(),
        common::catalog::served().len()
    );

    let without = server.post(None, &list).await.unwrap();
    assert_eq!(
        without.status(),
        400,
        "a request after initialize needs the session id"
    );
    let unknown = server.post(Some("no-such-session"), &list).await.unwrap();
    assert_eq!(unknown.status(), 404);

    let deleted = http
        .delete(server.url("/mcp"))
        .header("mcp-session-id", &session)
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());
    let after = server.post(Some(&session), &list).await.unwrap();
    assert_eq!(after.status(), 404, "a deleted session is gone");
}
