//! `all_pages`: a list tool follows `next` itself with the offsets Spotify names, stops at
//! `max_items`, and sends MCP progress notifications while it pages.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use rmcp::model::RequestParamsMeta;
use rmcp::model::{
    CallToolRequestParams, NumberOrString, ProgressNotificationParam, ProgressToken,
};
use rmcp::service::NotificationContext;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Value, json};
use spotify_mcp::mcp::{Catalog, CatalogOptions, SpotifyServer, all_tools};
use std::sync::{Arc, Mutex};

fn saved(id: &str) -> Value {
    json!({ "added_at": "2026-01-01T00:00:00Z", "track": { "id": id, "name": id, "type": "track", "uri": format!("spotify:track:{id}"), "href": "h", "external_urls": {} } })
}

/// Pages of two over five saved tracks, each naming the next one as Spotify does.
fn pages(fake: &FakeSpotify) {
    let ids = ["a", "b", "c", "d", "e"];
    for (index, chunk) in ids.chunks(2).enumerate() {
        let offset = index * 2;
        let next = (offset + 2 < ids.len())
            .then(|| format!("{}/v1/me/tracks?offset={}&limit=2", fake.url(), offset + 2));
        fake.respond_once_at(
            "/v1/me/tracks",
            Canned::json(200, json!({
                "href": "h", "limit": 2, "offset": offset, "total": ids.len(), "next": next, "previous": null,
                "items": chunk.iter().map(|id| saved(id)).collect::<Vec<_>>()
            })),
        );
    }
}

fn names(content: &Value) -> Vec<String> {
    content["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["track"]["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn all_pages_follows_next_until_the_end() {
    let (fake, client) = common::setup().await;
    pages(&fake);
    let result = common::call(
        &client,
        "get_saved_tracks",
        json!({ "all_pages": true, "limit": 2 }),
    )
    .await
    .unwrap();
    assert_ne!(result.is_error, Some(true), "{}", common::text(&result));
    assert_eq!(
        names(&result.structured_content.unwrap()),
        ["a", "b", "c", "d", "e"]
    );
    let offsets: Vec<String> = fake
        .requests()
        .iter()
        .map(|r| {
            r.query
                .iter()
                .find(|(k, _)| k == "offset")
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(offsets, ["", "2", "4"]);
}

#[tokio::test]
async fn all_pages_stops_at_max_items() {
    let (fake, client) = common::setup().await;
    pages(&fake);
    let result = common::call(
        &client,
        "get_saved_tracks",
        json!({ "all_pages": true, "limit": 2, "max_items": 3 }),
    )
    .await
    .unwrap();
    let content = result.structured_content.unwrap();
    assert_eq!(names(&content), ["a", "b", "c"]);
    assert_eq!(fake.requests().len(), 2, "no page past max_items");
    assert!(
        content["next"].is_null()
            && content["note"]
                .as_str()
                .is_some_and(|n| n.contains("max_items")),
        "{content}"
    );
}

#[tokio::test]
async fn without_all_pages_one_page_is_read() {
    let (fake, client) = common::setup().await;
    pages(&fake);
    let result = common::call(&client, "get_saved_tracks", json!({ "limit": 2 }))
        .await
        .unwrap();
    assert_eq!(names(&result.structured_content.unwrap()), ["a", "b"]);
    assert_eq!(fake.requests().len(), 1);
}

#[derive(Clone, Default)]
struct ProgressRecorder(Arc<Mutex<Vec<ProgressNotificationParam>>>);

impl ClientHandler for ProgressRecorder {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.0.lock().unwrap().push(params);
    }
}

#[tokio::test]
async fn paging_reports_progress() {
    let fake = FakeSpotify::start().await;
    pages(&fake);
    let api = spotify_mcp::build_api(&common::spotify_args(&fake, Some("t"))).unwrap();
    let server = SpotifyServer::new(
        api,
        Arc::new(Catalog::new(all_tools(), &CatalogOptions::default())),
    );
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let recorder = ProgressRecorder::default();
    let client = recorder.clone().serve(client_io).await.unwrap();
    let mut params = CallToolRequestParams::new("get_saved_tracks").with_arguments(
        json!({ "all_pages": true, "limit": 2 })
            .as_object()
            .unwrap()
            .clone(),
    );
    params.set_progress_token(ProgressToken(NumberOrString::Number(7)));
    let result = client.call_tool(params).await.unwrap();
    assert_ne!(result.is_error, Some(true));
    // Notifications may trail the result by a moment.
    for _ in 0..50 {
        if recorder.0.lock().unwrap().len() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let seen = recorder.0.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "one notification per page");
    assert_eq!(
        seen.iter().map(|p| p.progress as u64).collect::<Vec<_>>(),
        [2, 4, 5]
    );
    // rmcp's client substitutes its own token; all notifications carry the call's one.
    assert!(
        seen.iter()
            .all(|p| p.total == Some(5.0) && p.progress_token == seen[0].progress_token),
        "{seen:?}"
    );
}
