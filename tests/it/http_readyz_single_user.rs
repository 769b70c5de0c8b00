//! Single-user mode's `/readyz` checks what that server has: nothing without Redis (always
//! ready), its Redis when `--redis-url` names one — 503 naming it while it is down (the server
//! keeps serving from memory, `/healthz` stays 200), 200 again once it is back.

use crate::common;

use common::fake_spotify::FakeSpotify;
use common::http_server::{HttpServer, http_client};
use common::postgres_cluster::wait_until;
use common::redis_server::RedisServer;
use serde_json::{Value, json};
use std::time::Duration;

async fn readyz(server: &HttpServer) -> (u16, Value) {
    let response = http_client()
        .get(server.url("/readyz"))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("/readyz answers within 10 s");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn without_redis_a_single_user_server_is_ready() {
    let fake = FakeSpotify::start().await;
    let server = HttpServer::start(&fake, &[]).await;
    assert_eq!(
        readyz(&server).await,
        (200, json!({"ready": true, "down": [], "checks": {}}))
    );
}

#[tokio::test]
async fn a_single_user_server_is_not_ready_while_its_redis_is_down() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let fake = FakeSpotify::start().await;
    let url = redis.url();
    let server = HttpServer::start(&fake, &["--redis-url", &url]).await;
    let (status, body) = readyz(&server).await;
    assert_eq!(
        (status, &body["checks"]),
        (200, &json!({"redis": "up"})),
        "{body}"
    );

    redis.stop();
    wait_until(Duration::from_secs(10), || async {
        readyz(&server).await
            == (
                503,
                json!({"ready": false, "down": ["redis"], "checks": {"redis": "down"}}),
            )
    })
    .await
    .expect("/readyz names Redis within 10 s");
    let health = http_client()
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    redis.restart();
    let recovered = wait_until(Duration::from_secs(15), || async {
        readyz(&server).await.0 == 200
    })
    .await
    .expect("/readyz is 200 within 15 s of Redis being back");
    eprintln!("single-user /readyz ready {recovered:?} after Redis restarted");
}
