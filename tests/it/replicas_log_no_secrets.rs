//! No token reaches a log line of server processes sharing a Redis, at TRACE: seeding the grant
//! into Redis, one refresh under the shared lock, the other replica adopting it, then Redis
//! stopping and a rejected token refreshed without it.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::redis_server::RedisServer;
use common::{grants, replicas};
use serde_json::json;
use std::time::Duration;

const SECRETS: [&str; 5] = [
    "replica-access-secret",
    "replica-refresh-secret",
    "replica-fresh-secret",
    "replica-rotated-secret",
    "replica-outage-secret",
];

#[tokio::test]
async fn trace_logs_of_two_replicas_carry_no_token() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let fake = FakeSpotify::start().await;
    fake.respond_once_at(
        "/api/token",
        Canned::json(
            200,
            grants::token_answer("replica-fresh-secret", Some("replica-rotated-secret")),
        )
        .with_delay(Duration::from_millis(300)),
    );
    fake.respond_at(
        "/api/token",
        Canned::json(200, grants::token_answer("replica-outage-secret", None)),
    );
    fake.respond_at("/v1/albums/", Canned::json(200, grants::album("a")));
    let logs = tempfile::tempdir().unwrap();
    let login = replicas::login("replica-access-secret", "replica-refresh-secret", -10);
    let paths = [
        logs.path().join("first.log"),
        logs.path().join("second.log"),
    ];
    let first = replicas::start_logging(&fake, &login, &redis.url(), Some(&paths[0])).await;
    let second = replicas::start_logging(&fake, &login, &redis.url(), Some(&paths[1])).await;

    futures::future::join(
        first.ok("get_album", json!({ "id": "one0000000000000000000" })),
        second.ok("get_album", json!({ "id": "two0000000000000000000" })),
    )
    .await;
    assert_eq!(
        fake.requests_at("/api/token").len(),
        1,
        "one shared refresh"
    );
    redis.stop();
    fake.respond_once_at(
        "/v1/albums/",
        Canned::error(401, "The access token expired"),
    );
    second
        .ok("get_album", json!({ "id": "three00000000000000000" }))
        .await;
    assert_eq!(
        fake.requests_at("/api/token").len(),
        2,
        "a refresh without Redis"
    );
    // Let the processes write their last lines.
    first.client.cancel().await.unwrap();
    second.client.cancel().await.unwrap();

    for path in &paths {
        let log = std::fs::read_to_string(path).unwrap();
        assert!(
            log.contains("spotify_mcp") && log.contains("TRACE"),
            "{} holds the server's TRACE log",
            path.display()
        );
        for secret in SECRETS {
            assert!(
                !log.contains(secret),
                "{secret} in {}:\n{log}",
                path.display()
            );
        }
    }
}
