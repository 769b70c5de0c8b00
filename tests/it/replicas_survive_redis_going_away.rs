//! Two server processes on one Redis, which stops mid-run: both keep answering every call
//! (from memory, refreshing a rejected token on their own), and use Redis again once it is back.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::redis_server::RedisServer;
use common::{grants, replicas};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn both_replicas_keep_answering_while_redis_is_down() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let url = redis.url();
    let fake = FakeSpotify::start().await;
    fake.respond_at(
        "/api/token",
        Canned::json(200, grants::token_answer("refreshed", Some("r2"))),
    );
    fake.respond_at("/v1/albums/", Canned::json(200, grants::album("a")));
    let login = replicas::login("access", "r1", 3600);
    let first = replicas::start(&fake, &login, &url).await;
    let second = replicas::start(&fake, &login, &url).await;
    let both = [&first, &second];

    for replica in both {
        replica
            .ok("get_album", json!({ "id": "before0000000000000000" }))
            .await;
    }
    assert_eq!(
        fake.requests_at("/v1/albums/before0000000000000000").len(),
        1,
        "shared cache"
    );

    redis.stop();
    for (n, replica) in both.iter().enumerate() {
        for round in 0..3 {
            replica
                .ok(
                    "get_album",
                    json!({ "id": common::samples::spotify_id(&format!("down{n}x{round}")) }),
                )
                .await;
        }
    }
    // Spotify rejects the token once: the replica refreshes without Redis.
    fake.respond_once_at(
        "/v1/albums/",
        Canned::error(401, "The access token expired"),
    );
    first
        .ok("get_album", json!({ "id": "rejected00000000000000" }))
        .await;
    assert_eq!(fake.requests_at("/api/token").len(), 1, "one local refresh");
    second
        .ok("get_album", json!({ "id": "downagain0000000000000" }))
        .await;
    assert_eq!(
        grants::load(&first.token_file).access_token.expose(),
        "refreshed",
        "the refresh was kept in the login file"
    );

    assert!(redis.restart());
    // Each replica tries Redis again at most once a second: a few (bounded) rounds until one
    // replica's read is answered from Redis for the other.
    let deadline = Instant::now() + Duration::from_secs(10);
    for round in 0.. {
        let path = format!(
            "/v1/albums/{}",
            common::samples::spotify_id(&format!("back{round}"))
        );
        for replica in both {
            replica
                .ok(
                    "get_album",
                    json!({ "id": common::samples::spotify_id(&format!("back{round}")) }),
                )
                .await;
        }
        if fake.requests_at(&path).len() == 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the replicas did not share through Redis again after it came back"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}
