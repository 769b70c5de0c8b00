//! Multi-user mode's resource server, through a real MCP client over HTTP: each call acts as
//! the user its bearer token names, with that user's Spotify grant, cache entries and answer
//! memo; tokens that are missing, unknown, expired, revoked or for another resource get `401`
//! with the discovery challenge; a tool beyond the token's scopes gets `403`; one user's
//! refresh is single-flight; tokens survive a restart; one busy user does not block another.
//! The tests of users, refresh, restart and replicas run on PostgreSQL when
//! `SPOTIFY_MCP_TEST_DATABASE_URL` names one (as in CI), else on SQLite.

use crate::common;

use common::answers::{ok, refreshes};
use common::http_server::{ACCEPT, http_client, initialize};
use common::multi_user_server::{Database, MultiUserServer, Options};
use fake_spotify::{FakeSpotify, Knobs};
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};
use spotify_mcp::store::Scopes;
use std::time::Duration;

const CALL_DEADLINE: Duration = Duration::from_secs(30);

async fn fake() -> FakeSpotify {
    FakeSpotify::start(Knobs::default())
        .await
        .expect("fake starts")
}

/// A raw JSON-RPC POST to `/mcp` with `token` (if any).
async fn post(server: &MultiUserServer, token: Option<&str>, body: &Value) -> reqwest::Response {
    let mut request = http_client()
        .post(server.resource())
        .header("accept", ACCEPT)
        .json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("the server answers")
}

fn challenge(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("www-authenticate")
        .expect("a WWW-Authenticate header")
        .to_str()
        .unwrap()
        .to_string()
}

fn tool_call(tool: &str, arguments: Value) -> Value {
    json!({
        "jsonrpc": "2.0", "id": 7, "method": "tools/call",
        "params": { "name": tool, "arguments": arguments }
    })
}

#[tokio::test]
async fn two_users_at_once_get_their_own_library_player_and_cached_answers() {
    let fake = fake().await;
    let options = Options {
        database: Database::postgres_if_available().await,
        ..Options::default()
    };
    let server = MultiUserServer::start(&fake, options).await;
    let [(ada, ada_client), (bob, bob_client)] = server.ada_and_bob(&fake).await;

    // Twice each, at once: the second round is served from cache and memo, per user.
    for _round in 0..2 {
        let (ada_profile, bob_profile, ada_saved, bob_saved, ada_player, bob_player) = tokio::join!(
            ok(&ada_client, "get_my_profile", json!({})),
            ok(&bob_client, "get_my_profile", json!({})),
            ok(&ada_client, "get_saved_tracks", json!({"limit": 5})),
            ok(&bob_client, "get_saved_tracks", json!({"limit": 5})),
            ok(&ada_client, "get_playback_state", json!({})),
            ok(&bob_client, "get_playback_state", json!({})),
        );
        assert_eq!(ada_profile["id"], ada.fake.id.as_str());
        assert_eq!(bob_profile["id"], bob.fake.id.as_str());
        let first_saved = |saved: &Value| saved.to_string();
        assert_ne!(
            first_saved(&ada_saved),
            first_saved(&bob_saved),
            "each library is its owner's"
        );
        for id in fake.saved_ids(&ada.fake, "track").iter().take(5) {
            assert!(
                ada_saved.to_string().contains(id.as_str()),
                "Ada's track {id}"
            );
        }
        for id in fake.saved_ids(&bob.fake, "track").iter().take(5) {
            assert!(
                bob_saved.to_string().contains(id.as_str()),
                "Bob's track {id}"
            );
        }
        assert_ne!(ada_player, Value::Null);
        assert_ne!(bob_player, Value::Null);
    }
    for record in fake
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/v1/"))
    {
        assert!(
            record.user.as_deref() == Some(ada.fake.id.as_str())
                || record.user.as_deref() == Some(bob.fake.id.as_str()),
            "every Spotify request acts for one of the two: {record:?}"
        );
    }
    let profile_reads = |user: &str| {
        fake.requests()
            .iter()
            .filter(|r| r.path == "/v1/me" && r.user.as_deref() == Some(user))
            .count()
    };
    assert_eq!(
        profile_reads(&ada.fake.id),
        1,
        "Ada's second read is cached"
    );
    assert_eq!(
        profile_reads(&bob.fake.id),
        1,
        "Bob's second read is cached"
    );
}

#[tokio::test]
async fn no_token_or_a_bad_one_gets_401_with_the_discovery_challenge() {
    let fake = fake().await;
    let server = MultiUserServer::start(&fake, Options::default()).await;
    let metadata = format!(
        "resource_metadata=\"{}/.well-known/oauth-protected-resource/mcp\"",
        server.issuer
    );

    let missing = post(&server, None, &initialize(1)).await;
    assert_eq!(missing.status(), 401);
    let header = challenge(&missing);
    assert!(header.starts_with("Bearer "), "{header}");
    assert!(header.contains(&metadata), "{header}");
    assert!(header.contains("scope=\""), "{header}");
    assert!(header.contains("user-library-read"), "{header}");
    assert!(
        !header.contains("error="),
        "no token, no error code: {header}"
    );

    let made_up = post(
        &server,
        Some("not-a-token-this-server-issued"),
        &initialize(1),
    )
    .await;
    assert_eq!(made_up.status(), 401);
    let header = challenge(&made_up);
    assert!(header.contains("error=\"invalid_token\""), "{header}");
    assert!(header.contains(&metadata), "{header}");

    let health = http_client()
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "health checks need no token");
    let metrics = http_client()
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_ne!(
        metrics.status(),
        200,
        "no metrics on the public listener in multi-user mode"
    );
    assert!(server.try_client(None).await.is_err());
}

#[tokio::test]
async fn expired_revoked_and_foreign_tokens_get_401() {
    let fake = fake().await;
    let options = Options::default();
    let ttl = options.token_cache_ttl;
    let server = MultiUserServer::start(&fake, options).await;
    let ada = server.add_user(&fake, "Ada").await;
    let all = MultiUserServer::all_scopes();

    let expired = server
        .issue_token(&ada.id, &all, &server.resource(), Duration::ZERO)
        .await;
    let answer = post(&server, Some(&expired), &initialize(1)).await;
    assert_eq!(answer.status(), 401, "an expired token");
    assert!(challenge(&answer).contains("invalid_token"));

    for resource in [
        "http://127.0.0.1:1/mcp".to_string(),
        server.url("/other"),
        server.issuer.clone(),
    ] {
        let foreign = server
            .issue_token(&ada.id, &all, &resource, Duration::from_secs(3600))
            .await;
        let answer = post(&server, Some(&foreign), &initialize(1)).await;
        assert_eq!(answer.status(), 401, "a token for {resource}");
        assert!(challenge(&answer).contains("invalid_token"));
    }

    // Revoked: honoured once the token cache's time is up (30 s in production).
    let client = server.client(Some(&ada.token)).await;
    ok(&client, "get_my_profile", json!({})).await;
    server.revoke(&ada.token).await;
    tokio::time::sleep(ttl + Duration::from_millis(200)).await;
    let answer = post(&server, Some(&ada.token), &initialize(1)).await;
    assert_eq!(answer.status(), 401, "a revoked token");
    assert!(challenge(&answer).contains("invalid_token"));
    let after = tokio::time::timeout(
        CALL_DEADLINE,
        client.call_tool(CallToolRequestParams::new("get_my_profile")),
    )
    .await
    .expect("an answer");
    assert!(after.is_err(), "the session's calls stop with the token");
}

#[tokio::test]
async fn a_tool_beyond_the_tokens_scopes_gets_403_insufficient_scope() {
    let fake = fake().await;
    let server = MultiUserServer::start(&fake, Options::default()).await;
    let ada = server.add_user(&fake, "Ada").await;
    let library_only = server
        .issue_token(
            &ada.id,
            &Scopes::parse("user-library-read"),
            &server.resource(),
            Duration::from_secs(3600),
        )
        .await;

    let refused = post(
        &server,
        Some(&library_only),
        &tool_call("pause_playback", json!({})),
    )
    .await;
    assert_eq!(refused.status(), 403);
    let header = challenge(&refused);
    assert!(header.contains("error=\"insufficient_scope\""), "{header}");
    assert!(header.contains("user-modify-playback-state"), "{header}");
    assert!(
        header.contains("user-library-read"),
        "what it had stays: {header}"
    );
    assert!(header.contains("resource_metadata=\""), "{header}");

    // Through dynamic mode's call_tool too.
    let dynamic = tool_call(
        "call_tool",
        json!({ "name": "pause_playback", "arguments": {} }),
    );
    assert_eq!(
        post(&server, Some(&library_only), &dynamic).await.status(),
        403
    );

    // A tool the token covers goes on to the MCP layer.
    let client = server.client(Some(&library_only)).await;
    ok(&client, "get_saved_tracks", json!({"limit": 1})).await;
    let refused = tokio::time::timeout(
        CALL_DEADLINE,
        client.call_tool(CallToolRequestParams::new("get_queue")),
    )
    .await
    .expect("an answer");
    assert!(refused.is_err(), "the client sees the refusal: {refused:?}");
    assert!(
        fake.requests().iter().all(|r| !r.path.contains("/player")),
        "nothing reached Spotify's player"
    );
}

#[tokio::test]
async fn concurrent_calls_on_an_expiring_grant_refresh_it_once() {
    let fake = fake().await;
    let options = Options {
        max_inflight_per_user: 16,
        cache_max_bytes: 0,
        database: Database::postgres_if_available().await,
        ..Options::default()
    };
    let server = MultiUserServer::start(&fake, options).await;
    // The server believes Ada's access token expired a minute ago.
    let ada = server.add_user_expiring(&fake, "Ada", -60).await;
    let client = server.client(Some(&ada.token)).await;
    fake.clear_requests();

    let calls = (0..8).map(|_| ok(&client, "get_my_profile", json!({})));
    for profile in futures::future::join_all(calls).await {
        assert_eq!(profile["id"], ada.fake.id.as_str());
    }
    assert_eq!(refreshes(&fake), 1, "eight calls, one refresh");
    let stored = server.store.load_grant(&ada.id).await.unwrap().unwrap();
    assert!(stored.version > 1, "the refreshed grant is stored");
    assert!(stored.expires_at > common_now() + 600);
}

fn common_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn after_a_restart_on_the_same_database_the_same_token_still_works() {
    let fake = fake().await;
    let options = Options {
        database: Database::postgres_if_available().await,
        ..Options::default()
    };
    let server = MultiUserServer::start(&fake, options.clone()).await;
    let ada = server.add_user(&fake, "Ada").await;
    let client = server.client(Some(&ada.token)).await;
    ok(&client, "get_my_profile", json!({})).await;
    drop(client);
    let bind = server.addr;
    let database = server.stop().await;

    let again = MultiUserServer::start(
        &fake,
        Options {
            database,
            bind,
            ..options
        },
    )
    .await;
    let client = again.client(Some(&ada.token)).await;
    let profile = ok(&client, "get_my_profile", json!({})).await;
    assert_eq!(profile["id"], ada.fake.id.as_str(), "nobody signs in again");
}

#[tokio::test]
async fn a_user_at_their_limit_does_not_block_another() {
    let fake = fake().await;
    let options = Options {
        max_inflight_per_user: 1,
        cache_max_bytes: 0,
        ..Options::default()
    };
    let server = MultiUserServer::start(&fake, options).await;
    let [(ada, ada_client), (bob, bob_client)] = server.ada_and_bob(&fake).await;
    fake.update(|k| k.latency_ms = 1500);

    // Ada's first call holds her one place while Spotify is slow.
    let slow = ok(&ada_client, "get_my_profile", json!({}));
    let second = async {
        // Until her first call has reached Spotify (a bounded wait on the fake's log).
        for _ in 0..200 {
            if fake
                .requests()
                .iter()
                .any(|r| r.user.as_deref() == Some(ada.fake.id.as_str()))
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let busy = post(
            &server,
            Some(&ada.token),
            &tool_call("get_my_profile", json!({})),
        )
        .await;
        let bob_profile = ok(&bob_client, "get_my_profile", json!({})).await;
        (busy, bob_profile)
    };
    let (ada_profile, (busy, bob_profile)) = tokio::join!(slow, second);
    assert_eq!(
        busy.status(),
        429,
        "Ada's second call waits briefly, then 429"
    );
    assert!(busy.headers().contains_key("retry-after"));
    assert_eq!(ada_profile["id"], ada.fake.id.as_str());
    assert_eq!(
        bob_profile["id"],
        bob.fake.id.as_str(),
        "Bob's call runs meanwhile"
    );
}

#[tokio::test]
async fn a_session_belongs_to_the_user_who_opened_it() {
    let fake = fake().await;
    let server = MultiUserServer::start(&fake, Options::default()).await;
    let ada = server.add_user(&fake, "Ada").await;
    let bob = server.add_user(&fake, "Bob").await;

    let opened = post(&server, Some(&ada.token), &initialize(1)).await;
    assert_eq!(opened.status(), 200);
    let session = common::http_server::session_of(&opened);
    let initialized = json!({ "jsonrpc": "2.0", "method": "notifications/initialized" });
    let in_session = |token: &str| {
        http_client()
            .post(server.resource())
            .header("accept", ACCEPT)
            .header("mcp-session-id", session.as_str())
            .bearer_auth(token.to_string())
            .json(&initialized)
            .send()
    };
    let foreign = in_session(&bob.token).await.unwrap();
    assert_eq!(foreign.status(), 404, "Bob cannot use Ada's session");
    let own = in_session(&ada.token).await.unwrap();
    assert!(own.status().is_success(), "{}", own.status());
}

#[tokio::test]
async fn a_session_whose_owner_was_forgotten_is_refused_to_everyone() {
    let fake = fake().await;
    let options = Options {
        session_owner_idle: Duration::from_millis(200),
        ..Options::default()
    };
    let server = MultiUserServer::start(&fake, options).await;
    let ada = server.add_user(&fake, "Ada").await;
    let bob = server.add_user(&fake, "Bob").await;

    let opened = post(&server, Some(&ada.token), &initialize(1)).await;
    assert_eq!(opened.status(), 200);
    let session = common::http_server::session_of(&opened);
    // The transport keeps the session open far longer than its owner is remembered here.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let initialized = json!({ "jsonrpc": "2.0", "method": "notifications/initialized" });
    for token in [&bob.token, &ada.token] {
        let answer = http_client()
            .post(server.resource())
            .header("accept", ACCEPT)
            .header("mcp-session-id", session.as_str())
            .bearer_auth(token.to_string())
            .json(&initialized)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 404, "the session must be opened again");
    }
}

#[tokio::test]
async fn replicas_sharing_a_redis_refresh_a_users_grant_once() {
    let Some(redis) = common::redis_server::RedisServer::start() else {
        return;
    };
    let fake = fake().await;
    let first = Options {
        redis_url: Some(redis.url()),
        max_inflight_per_user: 16,
        cache_max_bytes: 0,
        database: Database::postgres_if_available().await,
        ..Options::default()
    };
    let one = MultiUserServer::start(&fake, first.clone()).await;
    // The second replica: the same database, Redis and public URL, its own port.
    let two = MultiUserServer::start(
        &fake,
        Options {
            public_url: Some(one.issuer.clone()),
            ..first
        },
    )
    .await;
    let ada = one.add_user_expiring(&fake, "Ada", -60).await;
    let (client_one, client_two) =
        tokio::join!(one.client(Some(&ada.token)), two.client(Some(&ada.token)));
    fake.clear_requests();

    let calls = (0..8).map(|i| {
        let client = if i % 2 == 0 { &client_one } else { &client_two };
        ok(client, "get_my_profile", json!({}))
    });
    for profile in futures::future::join_all(calls).await {
        assert_eq!(profile["id"], ada.fake.id.as_str());
    }
    assert_eq!(
        refreshes(&fake),
        1,
        "two replicas, eight calls, one refresh"
    );
}
