//! `all_pages` tasks on replicas that share a Redis: a task made on one is polled to its end on
//! another with the same result; `tasks/cancel` on another stops the creating replica's paging
//! (the fake's request log stops growing) and both then report `cancelled`; another user cannot
//! read a task through the other replica; and while Redis is down a task of another replica is
//! "unreachable", not "unknown", while local tasks keep working. Real `redis-server`: SKIPPED
//! locally without it, failing under CI.

use crate::common::multi_user_replicas::{Backends, Replicas};
use crate::common::multi_user_server::Options;
use crate::common::redis_server::{self, RedisServer};
use crate::tasks_all_pages::{
    Client, big_library, completed, connect, get, http_client, mcp_error, page_requests, server,
    start_task, stateless, until_done, until_paging,
};
use ::fake_spotify::{FakeSpotify, Knobs};
use rmcp::ErrorData;
use rmcp::model::{CancelTaskParams, ErrorCode, TaskStatus};
use serde_json::json;
use spotify_mcp::foundation::redis_link::RedisLink;
use spotify_mcp::foundation::secret::Secret;
use spotify_mcp::mcp::SpotifyServer;
use std::sync::Arc;
use std::time::Duration;

/// The Redis database these tests use (task ids are unique; this keeps them out of the way).
const DB: u8 = 10;

/// The shared Redis's URL and the private server keeping it alive; `None` locally without
/// `redis-server`, a failure under CI.
fn redis() -> Option<(String, Option<RedisServer>)> {
    match redis_server::shared() {
        Some((url, server)) => Some((redis_server::database(&url, DB), server)),
        None if std::env::var_os("CI").is_some() => {
            panic!("CI is set but no Redis: .ci/run must start one")
        }
        None => None,
    }
}

fn link(url: &str) -> Arc<RedisLink> {
    Arc::new(RedisLink::new(&Secret::new(url), Duration::from_millis(500)).unwrap())
}

/// One single-user replica acting for the fake's default user, sharing tasks through `url`.
fn replica(fake: &FakeSpotify, url: &str) -> SpotifyServer {
    server(fake).with_tasks_redis(Some(link(url)))
}

async fn two_replicas(fake: &FakeSpotify, url: &str) -> (Client, Client) {
    let a = connect(replica(fake, url), stateless(true)).await;
    let b = connect(replica(fake, url), stateless(true)).await;
    (a, b)
}

#[tokio::test]
async fn with_redis_a_task_made_on_one_replica_is_polled_to_its_end_on_another() {
    let Some((url, _redis)) = redis() else {
        return;
    };
    let fake = big_library(10).await;
    let (a, b) = two_replicas(&fake, &url).await;
    let id = start_task(&a, 1000).await.task.task_id;
    // B sees it at once, before A read a page.
    let early = get(&b, &id).await.expect("B finds A's task");
    assert_eq!(early.task.task.task_id, id);

    let (_, on_b) = until_done(&b, &id).await;
    let (_, on_a) = until_done(&a, &id).await;
    assert_eq!(on_b.task.status(), TaskStatus::Completed);
    assert_eq!(completed(&on_b), completed(&on_a), "the same result");
    assert_ne!(completed(&on_b)["isError"], json!(true));
    assert_eq!(page_requests(&fake), 20);

    // Cancelling the finished task on B is acknowledged and changes nothing.
    b.cancel_task(CancelTaskParams::new(id.clone()))
        .await
        .expect("tasks/cancel of a finished task is acknowledged");
    assert_eq!(
        get(&b, &id).await.unwrap().task.status(),
        TaskStatus::Completed
    );
}

#[tokio::test]
async fn with_redis_cancel_on_another_replica_stops_the_paging() {
    let Some((url, _redis)) = redis() else {
        return;
    };
    let fake = big_library(150).await;
    let (a, b) = two_replicas(&fake, &url).await;
    let id = start_task(&a, 1000).await.task.task_id;
    until_paging(&a, &id).await;
    b.cancel_task(CancelTaskParams::new(id.clone()))
        .await
        .expect("tasks/cancel on B is acknowledged");

    let (_, on_a) = until_done(&a, &id).await;
    assert_eq!(on_a.task.status(), TaskStatus::Cancelled);
    let (_, on_b) = until_done(&b, &id).await;
    assert_eq!(on_b.task.status(), TaskStatus::Cancelled);
    let pages = page_requests(&fake);
    assert!(pages < 20, "stopped before the 20th page: {pages}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(page_requests(&fake), pages, "no request after the cancel");
}

#[tokio::test]
async fn while_redis_is_down_another_replicas_task_is_unreachable_and_local_tasks_work() {
    // A port nothing listens on: Redis is configured but down.
    let port = crate::common::free_port();
    let fake = big_library(0).await;
    let client = connect(
        replica(&fake, &format!("redis://127.0.0.1:{port}/")),
        stateless(true),
    )
    .await;
    let elsewhere = "6f1c2d3e-0000-4000-8000-000000000000";
    let error = mcp_error(get(&client, elsewhere).await);
    assert_ne!(error.code, ErrorCode::INVALID_PARAMS, "{error:?}");
    assert!(
        error.message.contains("unreachable") && error.message.contains("retry"),
        "{error:?}"
    );
    let id = start_task(&client, 120).await.task.task_id;
    let (_, state) = until_done(&client, &id).await;
    let items = &completed(&state)["structuredContent"]["items"];
    assert_eq!(items.as_array().unwrap().len(), 120);
}

#[tokio::test]
async fn another_user_cannot_reach_a_task_through_the_other_replica() {
    let Some(backends) = Backends::required().await else {
        return;
    };
    let fake = FakeSpotify::start(Knobs {
        latency_ms: 100,
        ..Knobs::default()
    })
    .await
    .expect("fake starts");
    let replicas = Replicas::start(&fake, &backends, Options::default()).await;
    let ada = replicas.a.add_user(&fake, "Ada").await;
    let bob = replicas.a.add_user(&fake, "Bob").await;
    fake.save_many_tracks(&ada.fake, usize::MAX);
    let ada_on_a = http_client(&replicas.a, &ada.token).await;
    let ada_on_b = http_client(&replicas.b, &ada.token).await;
    let bob_on_b = http_client(&replicas.b, &bob.token).await;

    let id = start_task(&ada_on_a, 1000).await.task.task_id;
    get(&ada_on_b, &id).await.expect("Ada reads her task on B");
    let made_up = "00000000-0000-4000-8000-000000000000";
    let unknown = mcp_error(get(&bob_on_b, made_up).await);
    assert_eq!(unknown.code, ErrorCode::INVALID_PARAMS);
    let as_unknown = |error: ErrorData| {
        assert_eq!(error.code, unknown.code);
        assert_eq!(error.message, unknown.message.replace(made_up, &id));
        assert_eq!(error.data, unknown.data);
    };
    as_unknown(mcp_error(get(&bob_on_b, &id).await));
    as_unknown(mcp_error(
        bob_on_b
            .cancel_task(CancelTaskParams::new(id.clone()))
            .await,
    ));

    // Bob's cancel did nothing: Ada's task reads every page.
    let (_, state) = until_done(&ada_on_b, &id).await;
    assert_ne!(completed(&state)["isError"], json!(true));
    assert_eq!(page_requests(&fake), 20, "every page was read");
    replicas.stop().await;
}
