//! Undo, end to end: remove three tracks, call `undo`, and the playlist is as it was (items and
//! order); library removals come back; handles are per user, work once and expire; an undo is
//! recorded in the audit trail like any write; the catalog with `undo` fits its budget.

use crate::common;
use crate::confirm_destructive::{
    Person, PersonClient, call, connect, server, server_with_token, three_items, writes,
};

use ::fake_spotify::{FakeSpotify, Kind, Knobs};
use rmcp::model::{ElicitationAction, ProtocolVersion};
use serde_json::{Value, json};
use spotify_mcp::credentials::token_source::TokenSource;
use spotify_mcp::foundation::config::ConfirmDestructive;
use spotify_mcp::foundation::redis_link::RedisLink;
use spotify_mcp::foundation::secret::Secret;
use spotify_mcp::mcp::audit::{Actor, AuditSink, AuditTrail};
use spotify_mcp::mcp::confirm::Asking;
use spotify_mcp::mcp::listing::{self, TokenCounter};
use spotify_mcp::mcp::undo::store::UndoStore;
use spotify_mcp::store::{AuditEvent, StoreError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn accepting() -> Person {
    Person::new(
        Some(ElicitationAction::Accept),
        ProtocolVersion::V_2025_11_25,
    )
}

async fn start(undo: UndoStore) -> (FakeSpotify, PersonClient) {
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let client = connect(server(&fake, ConfirmDestructive::Ask, undo), accepting()).await;
    (fake, client)
}

fn handle_of(result: &rmcp::model::CallToolResult) -> String {
    let content = result.structured_content.clone().unwrap_or_default();
    content["undo"]["handle"]
        .as_str()
        .unwrap_or_else(|| panic!("no undo handle in {content}"))
        .to_string()
}

#[tokio::test]
async fn removing_three_tracks_and_undoing_leaves_the_playlist_as_it_was() {
    let (fake, client) = start(UndoStore::new(None)).await;
    let (playlist, before, arguments) = three_items(&fake);
    let removed = call(&client, "remove_playlist_items", arguments).await;
    assert_ne!(fake.playlist_uris(&playlist).unwrap(), before);
    let undone = call(&client, "undo", json!({ "handle": handle_of(&removed) })).await;
    assert_ne!(undone.is_error, Some(true), "{}", common::text(&undone));
    assert_eq!(
        fake.playlist_uris(&playlist).unwrap(),
        before,
        "items and order as before"
    );
    let answer = undone.structured_content.unwrap();
    assert_eq!(answer["restored_count"], 3, "{answer}");
    assert_eq!(answer["not_restored"], json!([]));
    // A handle works once.
    let again = call(&client, "undo", json!({ "handle": handle_of(&removed) })).await;
    assert_eq!(again.is_error, Some(true));
    assert_eq!(fake.playlist_uris(&playlist).unwrap(), before);
}

#[tokio::test]
async fn replacing_a_playlist_and_undoing_brings_the_old_items_back() {
    let (fake, client) = start(UndoStore::new(None)).await;
    let playlist = fake.own_playlist_ids()[0].clone();
    let before = fake.playlist_uris(&playlist).unwrap();
    let new = format!("spotify:track:{}", fake.ids(Kind::Track)[2]);
    let replaced = call(
        &client,
        "reorder_or_replace_playlist_items",
        json!({ "playlist_id": playlist, "uris": [new] }),
    )
    .await;
    assert_eq!(fake.playlist_uris(&playlist).unwrap(), [new]);
    let undone = call(&client, "undo", json!({ "handle": handle_of(&replaced) })).await;
    assert_ne!(undone.is_error, Some(true), "{}", common::text(&undone));
    assert_eq!(fake.playlist_uris(&playlist).unwrap(), before);
}

#[tokio::test]
async fn library_removals_come_back_and_only_what_was_saved() {
    let (fake, client) = start(UndoStore::new(None)).await;
    let saved = format!("spotify:album:{}", fake.ids(Kind::Album)[0]);
    let never_saved = format!("spotify:album:{}", fake.ids(Kind::Album)[1]);
    call(&client, "save_library_items", json!({ "uris": [saved] })).await;
    let removed = call(
        &client,
        "remove_library_items",
        json!({ "uris": [saved, never_saved] }),
    )
    .await;
    let undone = call(&client, "undo", json!({ "handle": handle_of(&removed) })).await;
    assert_eq!(
        undone.structured_content.unwrap()["restored"],
        json!([saved])
    );
    let contains = call(
        &client,
        "check_library_contains",
        json!({ "uris": [saved, never_saved] }),
    )
    .await;
    assert_eq!(
        contains.structured_content.unwrap()["items"],
        json!([true, false])
    );
}

#[tokio::test]
async fn an_expired_handle_is_refused() {
    let (fake, client) = start(UndoStore::with_ttl(None, Duration::ZERO)).await;
    let (playlist, _, arguments) = three_items(&fake);
    let removed = call(&client, "remove_playlist_items", arguments).await;
    let after = fake.playlist_uris(&playlist).unwrap();
    let writes_before = writes(&fake).len();
    let undone = call(&client, "undo", json!({ "handle": handle_of(&removed) })).await;
    assert_eq!(undone.is_error, Some(true));
    assert!(
        common::text(&undone).contains("no undo is pending"),
        "{}",
        common::text(&undone)
    );
    assert_eq!(fake.playlist_uris(&playlist).unwrap(), after);
    assert_eq!(writes(&fake).len(), writes_before, "nothing sent");
}

#[tokio::test]
async fn another_users_handle_is_refused() {
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let server = server(&fake, ConfirmDestructive::Never, UndoStore::new(None));
    let (playlist, _, arguments) = three_items(&fake);
    let removed = server
        .call_asking(
            &Actor::default(),
            server.default_credentials().clone(),
            "remove_playlist_items",
            arguments.as_object().cloned(),
            Asking::Cannot,
            None,
            None,
        )
        .await
        .unwrap();
    let rmcp::model::CallToolResponse::Complete(removed) = removed else {
        panic!("complete")
    };
    let after = fake.playlist_uris(&playlist).unwrap();
    let other = fake.add_user("Someone Else");
    let stranger = Arc::new(TokenSource::Static(Secret::new(
        fake.issue_token(&other).access_token,
    )));
    let undo = json!({ "handle": handle_of(&removed) })
        .as_object()
        .cloned();
    let writes_before = writes(&fake).len();
    let answer = server
        .call_asking(
            &Actor::default(),
            stranger,
            "undo",
            undo,
            Asking::Cannot,
            None,
            None,
        )
        .await
        .unwrap();
    let rmcp::model::CallToolResponse::Complete(answer) = answer else {
        panic!("complete")
    };
    assert_eq!(answer.is_error, Some(true), "{answer:?}");
    assert!(
        common::text(&answer).contains("no undo is pending"),
        "{}",
        common::text(&answer)
    );
    assert_eq!(
        writes(&fake).len(),
        writes_before,
        "nothing sent for the stranger"
    );
    assert_eq!(fake.playlist_uris(&playlist).unwrap(), after);
}

#[tokio::test]
async fn with_redis_a_handle_works_on_another_replica() {
    let Some((url, _redis)) = common::redis_server::shared() else {
        return;
    };
    let url = common::redis_server::database(&url, 14);
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let token = fake.issue_user_token().access_token;
    // Two replicas of one single-user deployment: the same login, the same Redis.
    let replica = || {
        let link = RedisLink::new(&Secret::new(&url), Duration::from_secs(2)).unwrap();
        let undo = UndoStore::new(Some(Arc::new(link)));
        server_with_token(&fake, ConfirmDestructive::Never, undo, &token)
    };
    let one = connect(replica(), accepting()).await;
    let two = connect(replica(), accepting()).await;
    let (playlist, before, arguments) = three_items(&fake);
    let removed = call(&one, "remove_playlist_items", arguments).await;
    let undone = call(&two, "undo", json!({ "handle": handle_of(&removed) })).await;
    assert_ne!(undone.is_error, Some(true), "{}", common::text(&undone));
    assert_eq!(fake.playlist_uris(&playlist).unwrap(), before);
}

#[derive(Default)]
struct Recorded(Mutex<Vec<AuditEvent>>);

#[async_trait::async_trait]
impl AuditSink for Recorded {
    async fn write(&self, event: &AuditEvent) -> Result<(), StoreError> {
        self.0.lock().unwrap().push(event.clone());
        Ok(())
    }
}

#[tokio::test]
async fn an_undo_is_recorded_like_any_write() {
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let sink = Arc::new(Recorded::default());
    let trail = AuditTrail::start(sink.clone(), 100);
    let server =
        server(&fake, ConfirmDestructive::Ask, UndoStore::new(None)).with_audit(trail.clone());
    let client = connect(server, accepting()).await;
    let (playlist, _, arguments) = three_items(&fake);
    let removed = call(&client, "remove_playlist_items", arguments).await;
    call(&client, "undo", json!({ "handle": handle_of(&removed) })).await;
    assert!(
        trail.flush(Duration::from_secs(5)).await,
        "the trail drains"
    );
    let events = sink.0.lock().unwrap().clone();
    let tools: Vec<&str> = events.iter().map(|e| e.tool.as_str()).collect();
    assert_eq!(tools, ["remove_playlist_items", "undo"]);
    let resource: Value = serde_json::from_str(&events[1].resource).unwrap();
    assert_eq!(resource["playlist_id"], playlist.as_str());
    assert_eq!(events[1].outcome, "ok");
}

#[tokio::test]
async fn the_default_catalog_with_undo_fits_the_budget() {
    let (_fake, client) = start(UndoStore::new(None)).await;
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "undo"));
    let defaults: Vec<_> = tools
        .into_iter()
        .filter(|t| t.name == "undo" || common::catalog::current().contains(&t.name.to_string()))
        .collect();
    let tokens = TokenCounter::cl100k().count(&listing::as_sent(&defaults));
    println!("default catalog with undo: {tokens} cl100k tokens");
    assert!(tokens <= 4_500, "{tokens} tokens, over the 4,500 budget");
}
