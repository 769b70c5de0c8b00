//! The answer memo reuses a cache hit's finished answer, and only while the cache still serves
//! the same body: an expired entry, a write, another replica's write or other arguments all
//! give a fresh answer.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::http_server::HttpServer;
use common::{grants, redis_server, replicas};
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};
use std::time::Instant;

async fn structured(client: &common::Client, tool: &str, arguments: Value) -> Value {
    let result = common::call_ok(client, tool, arguments).await;
    result.structured_content.expect("structured content")
}

fn album(id: &str, name: &str) -> Value {
    let mut album = grants::album(id);
    album["name"] = json!(name);
    album
}

fn playlist(id: &str, name: &str) -> Value {
    json!({ "id": id, "name": name, "type": "playlist", "uri": format!("spotify:playlist:{id}"),
            "href": "h", "external_urls": {} })
}

#[tokio::test]
async fn an_expired_entry_is_answered_afresh() {
    let fake = FakeSpotify::start().await;
    let client = common::connect(&common::cached::short_ttl_args(&fake, "user-a"), false).await;
    fake.respond(Canned::json(
        200,
        album("a000000000000000000000", "First pressing"),
    ));
    let mut stored = None;
    for _ in 0..3 {
        let answer = structured(
            &client,
            "get_album",
            json!({ "id": "a000000000000000000000" }),
        )
        .await;
        stored.get_or_insert_with(Instant::now);
        assert_eq!(answer["name"], "First pressing");
    }

    fake.respond(Canned::json(
        200,
        album("a000000000000000000000", "Remaster"),
    ));
    common::cached::outlive_short_ttl(stored.unwrap()).await;
    let answer = structured(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await;
    assert_eq!(
        answer["name"], "Remaster",
        "the memo outlived the cache entry"
    );
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn a_write_ends_the_memo_of_what_it_changed() {
    let fake = FakeSpotify::start().await;
    let client = common::connect(&common::cached::args(&fake, "user-a", None), false).await;
    fake.respond(Canned::json(
        200,
        playlist("p100000000000000000000", "Road trip"),
    ));
    let before = structured(
        &client,
        "get_playlist",
        json!({ "playlist_id": "p100000000000000000000" }),
    )
    .await;
    assert_eq!(before["name"], "Road trip");
    structured(
        &client,
        "get_playlist",
        json!({ "playlist_id": "p100000000000000000000" }),
    )
    .await;

    fake.respond_once(Canned::empty(200));
    let renamed = json!({ "playlist_id": "p100000000000000000000", "name": "Road trip 2" });
    common::call_ok(&client, "change_playlist_details", renamed).await;

    fake.respond(Canned::json(
        200,
        playlist("p100000000000000000000", "Road trip 2"),
    ));
    let after = structured(
        &client,
        "get_playlist",
        json!({ "playlist_id": "p100000000000000000000" }),
    )
    .await;
    assert_eq!(after["name"], "Road trip 2", "the memo survived the write");
}

#[tokio::test]
async fn other_arguments_get_their_own_answer() {
    let fake = FakeSpotify::start().await;
    let client = common::connect(&common::cached::args(&fake, "user-a", None), false).await;
    fake.respond(Canned::json(
        200,
        album("a000000000000000000000", "Arrival"),
    ));

    let whole = structured(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await;
    let named = structured(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000", "fields": ["name"] }),
    )
    .await;
    let whole_again = structured(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await;

    assert_eq!(named, json!({ "name": "Arrival" }));
    assert_eq!(whole, whole_again);
    assert_ne!(whole, named);
    assert_eq!(fake.requests().len(), 1, "one body served all three");
}

#[tokio::test]
async fn repeated_reads_are_answered_from_the_memo() {
    let fake = FakeSpotify::start().await;
    fake.respond(Canned::json(
        200,
        album("a000000000000000000000", "Arrival"),
    ));
    let server = HttpServer::start(&fake, &["--cache-max-bytes", "16777216"]).await;
    let client = server.client(None, &[]).await;
    let mut answers = Vec::new();
    for _ in 0..5 {
        let call = CallToolRequestParams::new("get_album").with_arguments(
            json!({ "id": "a000000000000000000000" })
                .as_object()
                .cloned()
                .unwrap(),
        );
        let result = client.call_tool(call).await.unwrap();
        assert_ne!(result.is_error, Some(true));
        answers.push(result.structured_content);
    }
    client.cancel().await.unwrap();
    assert!(answers.windows(2).all(|pair| pair[0] == pair[1]));

    let metrics = server.metrics().await;
    let hits = r#"spotify_mcp_answer_memo_total{result="hit"} 4"#;
    assert!(metrics.contains(hits), "{metrics}");
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn another_replicas_write_ends_the_memo() {
    let Some((url, _guard)) = redis_server::shared() else {
        return;
    };
    let url = redis_server::database(&url, 12);
    let fake = FakeSpotify::start().await;
    fake.respond(Canned::json(
        200,
        playlist("p100000000000000000000", "Road trip"),
    ));
    let login = replicas::login("access", "refresh", 3600);
    let reader = replicas::start(&fake, &login, &url).await;
    let writer = replicas::start(&fake, &login, &url).await;

    for _ in 0..2 {
        let read = reader
            .ok(
                "get_playlist",
                json!({ "playlist_id": "p100000000000000000000" }),
            )
            .await;
        assert_eq!(read.structured_content.unwrap()["name"], "Road trip");
    }
    fake.respond_once(Canned::empty(200));
    writer
        .ok(
            "change_playlist_details",
            json!({ "playlist_id": "p100000000000000000000", "name": "Road trip 2" }),
        )
        .await;
    fake.respond(Canned::json(
        200,
        playlist("p100000000000000000000", "Road trip 2"),
    ));

    let read = reader
        .ok(
            "get_playlist",
            json!({ "playlist_id": "p100000000000000000000" }),
        )
        .await;
    assert_eq!(
        read.structured_content.unwrap()["name"],
        "Road trip 2",
        "the reader's memo ignored the writer's invalidation in Redis"
    );
}
