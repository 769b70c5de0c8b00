//! Multi-user mode with its PostgreSQL stopped and started mid-test (a private cluster, crashed
//! with `pg_ctl stop -m immediate`):
//! - a user whose bearer token and grant are already resolved keeps calling tools meanwhile;
//! - a token exchange meanwhile fails within the acquire timeout with a clear 503, spends
//!   nothing, and works once PostgreSQL is back; the store holds no half-written sign-in;
//! - PostgreSQL and Redis down at once: `/readyz` is 503 naming both while `/healthz` stays
//!   200, and `/readyz` is 200 again once both are back, without restarting the server.
//!
//! Recovery times are printed (`cargo test --test it postgres_faults -- --nocapture`).

use crate::common;

use common::Client;
use common::auth_server::{CHALLENGE, VERIFIER, code_exchange};
use common::multi_user_server::{
    CLIENT_REDIRECT, Database, MultiUserServer, Options, TestUser, serve_args,
};
use common::postgres_cluster::{PostgresCluster, wait_until};
use common::redis_server::RedisServer;
use fake_spotify::{FakeSpotify, Kind, Knobs};
use serde_json::{Value, json};
use spotify_mcp::store::NewCode;
use std::time::{Duration, Instant};

/// How long the server waits for a database connection (`--database-acquire-timeout-secs`).
const ACQUIRE_TIMEOUT_SECS: u64 = 1;

/// A multi-user server on `cluster`, trusting resolved tokens for a minute.
async fn server(
    fake: &FakeSpotify,
    cluster: &PostgresCluster,
    redis: Option<String>,
) -> MultiUserServer {
    let options = Options {
        database: Database::at_url(&cluster.url()),
        token_cache_ttl: Duration::from_secs(60),
        redis_url: redis,
        ..Options::default()
    };
    let mut args = serve_args(fake, &options);
    args.multi_user.database.database_acquire_timeout_secs = ACQUIRE_TIMEOUT_SECS;
    MultiUserServer::start_with(args, options).await
}

/// Calls that reach Spotify for `user` (per-user, uncached) and a catalog read.
async fn calls_work(client: &Client, fake: &FakeSpotify) {
    common::call_ok(client, "get_playback_state", json!({})).await;
    let album = &fake.ids(Kind::Album)[0];
    common::call_ok(client, "get_album", json!({ "id": album })).await;
}

/// `POST /token` exchanging `code`; the status, the JSON body and how long it took.
async fn exchange(server: &MultiUserServer, code: &str) -> (u16, Value, Duration) {
    let form = code_exchange(code, CLIENT_REDIRECT, &server.client_id, VERIFIER);
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let started = Instant::now();
    let response = reqwest::Client::new()
        .post(server.url("/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .timeout(Duration::from_secs(15))
        .send()
        .await
        .expect("the token endpoint answers within 15 s");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or_default(),
        started.elapsed(),
    )
}

async fn issue_code(server: &MultiUserServer, user: &TestUser) -> String {
    let code = NewCode {
        client_id: server.client_id.clone(),
        user_id: user.id.clone(),
        code_challenge: CHALLENGE.to_string(),
        redirect_uri: CLIENT_REDIRECT.to_string(),
        resource: server.resource(),
        scopes: MultiUserServer::all_scopes(),
    };
    let issued = server
        .store
        .issue_code(&code, Duration::from_secs(600))
        .await
        .expect("a code is issued");
    issued.code.expose().to_string()
}

/// What a crash mid-sign-in could leave: a spent code without tokens, or a token family
/// without both its access and its refresh token.
async fn half_written(url: &str) -> (i64, i64) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url)
        .await
        .expect("PostgreSQL is back");
    let spent_without_tokens: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM authorization_codes c WHERE c.used_at IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM oauth_tokens t WHERE t.family_id = c.family_id)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let incomplete_families: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT family_id FROM oauth_tokens GROUP BY family_id \
         HAVING COUNT(DISTINCT kind) < 2) f",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    (spent_without_tokens, incomplete_families)
}

#[tokio::test]
async fn while_postgresql_is_down_resolved_users_call_and_sign_ins_fail_clearly() {
    let Some(mut cluster) = PostgresCluster::start() else {
        return;
    };
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let server = server(&fake, &cluster, None).await;
    let ada = server.add_user(&fake, "Ada").await;
    let client = server.client(Some(&ada.token)).await;
    calls_work(&client, &fake).await;
    let code = issue_code(&server, &ada).await;

    cluster.stop();
    for _ in 0..3 {
        calls_work(&client, &fake).await;
    }
    let (status, body, took) = exchange(&server, &code).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "server_error", "{body}");
    let description = body["error_description"].as_str().unwrap_or_default();
    assert!(description.contains("retry"), "{body}");
    let bound = Duration::from_secs(ACQUIRE_TIMEOUT_SECS + 3);
    assert!(took < bound, "the exchange took {took:?}, over {bound:?}");
    eprintln!("token exchange with PostgreSQL down: 503 after {took:?}");

    let restarted = Instant::now();
    cluster.restart();
    let up = restarted.elapsed();
    calls_work(&client, &fake).await;
    // The failed exchange spent nothing: the same code works now.
    let recovered = wait_until(Duration::from_secs(15), || async {
        exchange(&server, &code).await.0 != 503
    })
    .await
    .expect("the token endpoint recovers within 15 s");
    eprintln!(
        "PostgreSQL accepted connections {up:?} after pg_ctl start; the token endpoint \
         answered again {recovered:?} after that"
    );
    assert_eq!(half_written(&cluster.url()).await, (0, 0));
    server.stop().await;
}

/// `GET path` on the server: the status and the body.
async fn get(server: &MultiUserServer, path: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(format!("http://{}{path}", server.addr))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("the server answers within 10 s");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

#[tokio::test]
async fn with_postgresql_and_redis_down_readyz_names_both_and_recovers_by_itself() {
    let Some(mut cluster) = PostgresCluster::start() else {
        return;
    };
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let server = server(&fake, &cluster, Some(redis.url())).await;
    let (status, body) = get(&server, "/readyz").await;
    assert_eq!(status, 200, "{body}");
    let ready: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["checks"], json!({"database": "up", "redis": "up"}));

    cluster.stop();
    redis.stop();
    let both_down = |body: &str| {
        serde_json::from_str::<Value>(body)
            .is_ok_and(|v| v["down"] == json!(["database", "redis"]) && v["ready"] == false)
    };
    let noticed = wait_until(Duration::from_secs(10), || async {
        let (status, body) = get(&server, "/readyz").await;
        status == 503 && both_down(&body)
    })
    .await
    .expect("/readyz names both within 10 s");
    let (status, body) = get(&server, "/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert!(
        !body.contains("127.0.0.1") && !body.contains("postgres://"),
        "{body}"
    );
    assert_eq!(
        get(&server, "/healthz").await.0,
        200,
        "live while not ready"
    );

    let restarted = Instant::now();
    redis.restart();
    cluster.restart();
    let services_up = restarted.elapsed();
    let ready_after = wait_until(Duration::from_secs(20), || async {
        get(&server, "/readyz").await.0 == 200
    })
    .await
    .expect("/readyz is 200 within 20 s of both being back");
    eprintln!(
        "/readyz: both down noticed after {noticed:?}; PostgreSQL and Redis restarted in \
         {services_up:?}; ready {ready_after:?} after that"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_token_exchange_cut_short_before_its_tokens_are_written_leaves_the_code_unspent() {
    let Some(cluster) = PostgresCluster::start() else {
        return;
    };
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let options = Options {
        database: Database::at_url(&cluster.url()),
        ..Options::default()
    };
    let mut args = serve_args(&fake, &options);
    args.multi_user.database.database_statement_timeout_ms = 300;
    let server = MultiUserServer::start_with(args, options).await;
    let ada = server.add_user(&fake, "Ada").await;
    let code = issue_code(&server, &ada).await;

    // Another session holds the tokens table: spending the code goes through, writing the
    // tokens waits past the statement timeout and fails.
    sqlx::any::install_default_drivers();
    let mut holder = <sqlx::AnyConnection as sqlx::Connection>::connect(&cluster.url())
        .await
        .unwrap();
    let mut tx = sqlx::Connection::begin(&mut holder).await.unwrap();
    sqlx::query("LOCK TABLE oauth_tokens IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await
        .unwrap();
    let (status, body, took) = exchange(&server, &code).await;
    assert_eq!(status, 503, "{body}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    tx.rollback().await.unwrap();

    assert_eq!(
        half_written(&cluster.url()).await,
        (0, 0),
        "no spent code without tokens"
    );
    let (status, body, _) = exchange(&server, &code).await;
    assert_eq!(status, 200, "the retry redeems the code: {body}");
    assert!(body["access_token"].is_string(), "{body}");
    server.stop().await;
}
