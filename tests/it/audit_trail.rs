//! The audit trail, end to end: users call tools through a real MCP client on the multi-user
//! server, and the real `spotify-mcp audit` binary answers "who removed these tracks from this
//! playlist". Reads are not recorded; no token reaches the table; `users delete` removes a
//! user's records. On SQLite, and on PostgreSQL when `SPOTIFY_MCP_TEST_DATABASE_URL` names one.

use crate::common;

use common::multi_user_server::{Database, MultiUserServer, Options};
use common::operator;
use fake_spotify::{FakeSpotify, Knobs};
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};
use spotify_mcp::store::{AuditEvent, AuditQuery, Store};
use sqlx::Row;
use std::time::Duration;

const DEADLINE: Duration = Duration::from_secs(30);

async fn audit_json(database: &Database, args: &[&str]) -> Vec<Value> {
    operator::audit_json(&database.url(), args).await
}

/// Every stored audit row as one text, read behind the store's back.
async fn audit_table_text(database: &Database) -> String {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&database.url()).await.unwrap();
    let rows = sqlx::query(
        "SELECT id, user_id, client_id, tool, resource, outcome FROM audit_events ORDER BY at_ms",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    rows.iter()
        .map(|row| {
            (0..6)
                .map(|i| {
                    row.try_get::<Option<String>, _>(i)
                        .unwrap()
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn the_audit_trail_says_who_removed_these_tracks_from_this_playlist() {
    for database in Database::every_backend().await {
        who_removed_the_tracks(database).await;
    }
}

async fn who_removed_the_tracks(database: Database) {
    let postgres = database.is_postgres();
    let fake = FakeSpotify::start(Knobs::default())
        .await
        .expect("fake starts");
    let options = Options {
        database: database.clone(),
        ..Options::default()
    };
    let server = MultiUserServer::start(&fake, options).await;
    let [(ada, ada_client), (bob, bob_client)] = server.ada_and_bob(&fake).await;
    let playlist = fake.playlist_ids_of(&ada.fake)[0].clone();
    let before = fake.playlist_uris(&playlist).unwrap();
    let removed: Vec<String> = before.iter().take(2).cloned().collect();
    assert_eq!(removed.len(), 2, "Ada's playlist has tracks to remove");

    // Reads, by both: not recorded.
    common::call_ok(
        &ada_client,
        "get_playlist_items",
        json!({ "playlist_id": playlist }),
    )
    .await;
    common::call_ok(&bob_client, "get_my_profile", json!({})).await;
    let items: Vec<Value> = removed.iter().map(|uri| json!({ "uri": uri })).collect();
    common::call_ok(
        &ada_client,
        "remove_playlist_items",
        json!({ "playlist_id": playlist, "items": items }),
    )
    .await;
    let bob_playlist = fake.playlist_ids_of(&bob.fake)[0].clone();
    common::call_ok(
        &bob_client,
        "add_playlist_items",
        json!({ "playlist_id": bob_playlist, "uris": [removed[0]] }),
    )
    .await;
    assert!(
        fake.playlist_uris(&playlist)
            .unwrap()
            .iter()
            .all(|uri| !removed.contains(uri)),
        "the tracks were removed at Spotify"
    );
    assert!(
        server.audit.flush(DEADLINE).await,
        "the records are written"
    );

    // "Who removed these tracks from this playlist?"
    let ada_records = audit_json(&database, &["--user", &ada.id]).await;
    assert_eq!(ada_records.len(), 1, "only Ada's write: {ada_records:#?}");
    let record = &ada_records[0];
    assert_eq!(record["tool"], "remove_playlist_items");
    assert_eq!(record["user_id"], ada.id.as_str());
    assert_eq!(record["account"], ada.fake.account_id.as_str());
    assert_eq!(record["client"], server.client_id.as_str());
    assert_eq!(record["resource"]["playlist_id"], playlist.as_str());
    assert_eq!(record["resource"]["uris"], json!(removed));
    assert_eq!(record["resource"]["uri_count"], 2);
    assert_eq!(record["outcome"], "ok");
    assert!(record["at"].as_str().is_some_and(|at| at.ends_with('Z')));

    let by_tool = audit_json(
        &database,
        &["--tool", "remove_playlist_items", "--since", "1h"],
    )
    .await;
    assert_eq!(by_tool.len(), 1, "{by_tool:#?}");
    let everyone = audit_json(&database, &[]).await;
    let tools: Vec<&str> = everyone.iter().filter_map(|r| r["tool"].as_str()).collect();
    assert_eq!(
        tools,
        ["remove_playlist_items", "add_playlist_items"],
        "the writes of both, oldest first, and none of the reads"
    );
    let table = operator::run(
        &database.url(),
        &["audit", "--tool", "remove_playlist_items"],
    )
    .await;
    assert!(table.ok, "{}", table.stderr);
    for expected in [
        "Ada",
        "remove_playlist_items",
        playlist.as_str(),
        removed[1].as_str(),
    ] {
        assert!(
            table.stdout.contains(expected),
            "{expected} in:\n{}",
            table.stdout
        );
    }

    // No token anywhere in the table (nor in the SQLite file and its log).
    let stored = audit_table_text(&database).await;
    for token in [&ada.token, &bob.token] {
        assert!(
            !stored.contains(token.as_str()),
            "a token in the audit table"
        );
    }
    if !postgres {
        for path in [database.path(), database.path().with_extension("db-wal")] {
            let bytes = std::fs::read(&path).unwrap_or_default();
            for token in [&ada.token, &bob.token] {
                assert!(
                    !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
                    "a token in {}",
                    path.display()
                );
            }
        }
    }

    // Deleting Ada deletes her records, and only hers.
    let deleted = operator::run(&database.url(), &["users", "delete", &ada.id]).await;
    assert!(deleted.ok, "{}", deleted.stderr);
    let left = audit_json(&database, &[]).await;
    assert_eq!(left.len(), 1, "{left:#?}");
    assert_eq!(left[0]["user_id"], bob.id.as_str());
    drop((ada_client, bob_client));
    server.stop().await;
}

#[tokio::test]
async fn retention_deletes_old_records_in_bounded_batches() {
    for database in Database::every_backend().await {
        let args = spotify_mcp::foundation::config::DatabaseArgs {
            database_url: Some(spotify_mcp::foundation::secret::Secret::new(database.url())),
            ..Default::default()
        };
        let keys = spotify_mcp::foundation::sealed::GrantKeys::new(
            &spotify_mcp::foundation::secret::Secret::new(
                common::multi_user_server::ENCRYPTION_KEY,
            ),
            &[],
        )
        .unwrap();
        let store = Store::open(&args, std::sync::Arc::new(keys)).await.unwrap();
        for at_ms in [1_000, 2_000, 3_000, 10_000, 11_000] {
            let event = AuditEvent {
                at_ms,
                user_id: Some("u".into()),
                client_id: None,
                tool: "pause_playback".into(),
                resource: "{}".into(),
                outcome: "ok".into(),
                http_status: None,
                duration_ms: 1,
            };
            store.record_audit(&event).await.unwrap();
        }
        assert_eq!(store.prune_audit(5_000, 2).await.unwrap(), 2, "one batch");
        assert_eq!(store.prune_audit(5_000, 2).await.unwrap(), 1, "the rest");
        assert_eq!(store.prune_audit(5_000, 2).await.unwrap(), 0);
        let left = store
            .audit_events(&AuditQuery {
                limit: 100,
                ..AuditQuery::default()
            })
            .await
            .unwrap();
        let times: Vec<i64> = left.iter().map(|e| e.at_ms).collect();
        assert_eq!(times, [10_000, 11_000], "newer records stay, oldest first");
        assert_eq!(
            spotify_mcp::app::audit::prune(&store, 20_000)
                .await
                .unwrap(),
            2
        );
        store.close().await;
    }
}

#[derive(Clone)]
struct NamedClient;

impl rmcp::ClientHandler for NamedClient {
    fn get_info(&self) -> rmcp::model::ClientConfig {
        let mut info = rmcp::model::ClientConfig::default();
        info.client_info = rmcp::model::Implementation::new("audit-test-client", "1.0");
        info
    }
}

#[tokio::test]
async fn single_user_mode_records_with_audit_under_the_clients_name() {
    use rmcp::ServiceExt;
    let fake = common::fake_spotify::FakeSpotify::start().await;
    let database = Database::new();
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_spotify-mcp"));
    command
        .args(["serve", "--audit"])
        .env_clear()
        .env("SPOTIFY_API_BASE_URL", format!("{}/v1", fake.url()))
        .env("SPOTIFY_ACCOUNTS_BASE_URL", fake.url())
        .env("SPOTIFY_ACCESS_TOKEN", "single-user-token")
        .env("SPOTIFY_MCP_DATABASE_URL", database.url())
        .env("SPOTIFY_MCP_LOG", "warn");
    let transport = rmcp::transport::TokioChildProcess::new(command).expect("the binary starts");
    let client = tokio::time::timeout(DEADLINE, NamedClient.serve(transport))
        .await
        .expect("handshake within 30 s")
        .expect("connects");
    for (tool, arguments) in [
        ("get_devices", json!({})),
        ("pause_playback", json!({})),
        ("get_playback_state", json!({})),
    ] {
        let request = CallToolRequestParams::new(tool)
            .with_arguments(arguments.as_object().cloned().unwrap_or_default());
        tokio::time::timeout(DEADLINE, client.call_tool(request))
            .await
            .expect("answers within 30 s")
            .expect("the call is answered");
    }
    // Another process writes the record: look until it is there, within a bound.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let records = loop {
        let records = audit_json(&database, &[]).await;
        if !records.is_empty() || tokio::time::Instant::now() > deadline {
            break records;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let _ = client.cancel().await;
    assert_eq!(records.len(), 1, "the write only: {records:#?}");
    assert_eq!(records[0]["tool"], "pause_playback");
    assert_eq!(records[0]["client"], "audit-test-client");
    assert_eq!(records[0]["user_id"], Value::Null);
    let stored = audit_table_text(&database).await;
    assert!(!stored.contains("single-user-token"));
}
