//! `spotify-mcp users list | show | revoke | delete`, the real binary against a SQLite file
//! seeded through the store (and a real Redis for the shared cache, where there is one).

use crate::common::operator::{self, Run};
use crate::common::redis_server;
use spotify_mcp::credentials::per_user::user_identity as cache_identity;
use spotify_mcp::foundation::config::DatabaseArgs;
use spotify_mcp::foundation::redis_link::RedisLink;
use spotify_mcp::foundation::sealed::GrantKeys;
use spotify_mcp::foundation::secret::Secret;
use spotify_mcp::middleware::cache::{Cache, Ttls};
use spotify_mcp::store::{
    AccountKey, ClientRegistration, IssuedTokens, NewCode, NewGrant, Refused, Scopes, Store,
    StoreError, TokenLifetimes,
};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT: &str = "http://127.0.0.1:9999/callback";
const RESOURCE: &str = "http://127.0.0.1:8080/mcp";
const LIFETIMES: TokenLifetimes = TokenLifetimes {
    access: Duration::from_secs(3600),
    refresh: Duration::from_secs(30 * 24 * 3600),
};

/// A SQLite file in a temp dir, and the store the server would open on it.
struct Db {
    dir: tempfile::TempDir,
    store: Store,
}

/// A person after a whole sign-in: their grant, one client allowed, a token pair.
struct SignedIn {
    id: String,
    client_id: String,
    tokens: IssuedTokens,
}

impl Db {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&path_in(&dir)).await;
        Self { dir, store }
    }

    fn url(&self) -> String {
        format!("sqlite://{}", path_in(&self.dir).display())
    }

    async fn sign_in(&self, account: &str, name: &str, client_name: &str) -> SignedIn {
        let store = &self.store;
        let user = store
            .upsert_user(
                &AccountKey::from_profile(Some(account), "ignored"),
                Some(name),
            )
            .await
            .unwrap();
        let grant = NewGrant {
            access_token: Secret::new("spotify-access"),
            refresh_token: Some(Secret::new("spotify-refresh")),
            scopes: Scopes::parse("user-read-private user-library-read"),
            expires_at: 2_000_000_000,
            authorized_at: 1_900_000_000,
        };
        store.save_grant(&user.id, &grant, None).await.unwrap();
        let client = store
            .register_client(
                &ClientRegistration::Dynamic,
                &serde_json::json!({ "client_name": client_name }),
                &[REDIRECT.to_string()],
            )
            .await
            .unwrap();
        let scopes = Scopes::parse("spotify");
        store
            .record_consent(&user.id, &client.client_id, &scopes)
            .await
            .unwrap();
        let code = NewCode {
            client_id: client.client_id.clone(),
            user_id: user.id.clone(),
            code_challenge: CHALLENGE.to_string(),
            redirect_uri: REDIRECT.to_string(),
            resource: RESOURCE.to_string(),
            scopes,
        };
        let issued = store
            .issue_code(&code, Duration::from_secs(60))
            .await
            .unwrap();
        let redeemed = store
            .redeem_code(issued.code.expose(), &client.client_id, REDIRECT, VERIFIER)
            .await
            .unwrap();
        let tokens = store.issue_tokens(&redeemed, LIFETIMES).await.unwrap();
        SignedIn {
            id: user.id,
            client_id: client.client_id,
            tokens,
        }
    }
}

fn path_in(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("store.db")
}

async fn open(path: &std::path::Path) -> Store {
    let args = DatabaseArgs {
        database_url: Some(Secret::new(format!("sqlite://{}", path.display()))),
        ..DatabaseArgs::default()
    };
    let keys = GrantKeys::new(&Secret::new(KEY), &[]).unwrap();
    Store::open(&args, Arc::new(keys)).await.unwrap()
}

/// `spotify-mcp users ARGS` on the test's database.
async fn users(db: &Db, args: &[&str]) -> Run {
    let mut all = vec!["users"];
    all.extend_from_slice(args);
    operator::run(&db.url(), &all).await
}

fn refusal(result: Result<impl std::fmt::Debug, StoreError>) -> Refused {
    match result {
        Err(StoreError::Refused(reason)) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn list_shows_every_person_with_their_grant() {
    let db = Db::new().await;
    let alice = db.sign_in("acc-alice", "Alice", "Claude Code").await;
    let bob = db
        .store
        .upsert_user(&AccountKey::from_profile(None, "bob"), None)
        .await
        .unwrap();

    let table = users(&db, &["list"]).await;
    assert!(table.ok, "{}", table.stderr);
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        3,
        "a header and one row per user:\n{}",
        table.stdout
    );
    assert!(lines[0].starts_with("ID") && lines[0].contains("LAST SEEN"));
    let alice_row = lines.iter().find(|l| l.contains(&alice.id)).unwrap();
    assert!(
        alice_row.contains("acc-alice") && alice_row.contains("Alice") && alice_row.ends_with(" 2"),
        "id, account, name, scope count: {alice_row}"
    );
    let bob_row = lines.iter().find(|l| l.contains(&bob.id)).unwrap();
    assert!(bob_row.ends_with("no grant"), "{bob_row}");

    let json = users(&db, &["list", "--json"]).await;
    assert!(json.ok, "{}", json.stderr);
    let listed: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    // Both signed in within the same second: the order between them is the ids'.
    let entry = |id: &str| {
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == id)
            .unwrap_or_else(|| panic!("{id} listed: {listed}"))
            .clone()
    };
    let listed_alice = entry(&alice.id);
    assert_eq!(listed_alice["account"], "acc-alice");
    assert_eq!(listed_alice["display_name"], "Alice");
    assert_eq!(
        listed_alice["grant_scopes"],
        serde_json::json!(["user-library-read", "user-read-private"])
    );
    assert!(listed_alice["created_at"].as_str().unwrap().contains('T'));
    assert_eq!(entry(&bob.id)["grant_scopes"], serde_json::Value::Null);
}

#[tokio::test]
async fn an_empty_database_says_so() {
    let db = Db::new().await;
    let run = users(&db, &["list"]).await;
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(run.stdout, "No one has signed in yet.\n");
}

#[tokio::test]
async fn show_names_the_clients_allowed_and_the_live_tokens() {
    let db = Db::new().await;
    let alice = db.sign_in("acc-alice", "Alice", "Claude Code").await;

    for who in [alice.id.as_str(), "acc-alice"] {
        let text = users(&db, &["show", who]).await;
        assert!(text.ok, "{}", text.stderr);
        for expected in [
            alice.id.as_str(),
            "acc-alice",
            "Alice",
            "Claude Code",
            alice.client_id.as_str(),
            "Live tokens:     2",
        ] {
            assert!(
                text.stdout.contains(expected),
                "{expected} in:\n{}",
                text.stdout
            );
        }
    }
    let json = users(&db, &["show", "acc-alice", "--json"]).await;
    assert!(json.ok, "{}", json.stderr);
    let shown: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(shown["live_tokens"], 2);
    assert_eq!(shown["clients"][0]["client_name"], "Claude Code");
    assert_eq!(
        shown["clients"][0]["scopes"],
        serde_json::json!(["spotify"])
    );
    assert!(
        !json.stdout.contains(alice.tokens.access_token.expose()),
        "no token is ever printed"
    );
}

#[tokio::test]
async fn revoke_ends_every_token_but_keeps_the_grant() {
    let db = Db::new().await;
    let alice = db.sign_in("acc-alice", "Alice", "Claude Code").await;
    let bob = db.sign_in("acc-bob", "Bob", "Inspector").await;

    let run = users(&db, &["revoke", "acc-alice"]).await;
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.contains("Revoked 2 token(s)"), "{}", run.stdout);

    let store = &db.store;
    assert_eq!(
        refusal(
            store
                .resolve_access_token(alice.tokens.access_token.expose())
                .await
        ),
        Refused::TokenRevoked
    );
    assert!(
        store
            .rotate_refresh(
                alice.tokens.refresh_token.expose(),
                &alice.client_id,
                LIFETIMES
            )
            .await
            .is_err(),
        "the refresh token is revoked too"
    );
    assert!(
        store.load_grant(&alice.id).await.unwrap().is_some(),
        "the grant stays"
    );
    assert_eq!(
        store
            .resolve_access_token(bob.tokens.access_token.expose())
            .await
            .unwrap()
            .user_id,
        bob.id,
        "nobody else is touched"
    );
}

#[tokio::test]
async fn delete_removes_the_person_and_only_them() {
    let db = Db::new().await;
    let alice = db.sign_in("acc-alice", "Alice", "Claude Code").await;
    let bob = db.sign_in("acc-bob", "Bob", "Inspector").await;

    let run = users(&db, &["delete", &alice.id]).await;
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.contains("Deleted Alice"), "{}", run.stdout);
    assert!(run.stdout.contains("pass --redis-url"), "{}", run.stdout);

    let store = &db.store;
    assert!(store.find_user(&alice.id).await.unwrap().is_none());
    assert!(store.load_grant(&alice.id).await.unwrap().is_none());
    assert!(
        store
            .resolve_access_token(alice.tokens.access_token.expose())
            .await
            .is_err()
    );
    assert!(store.load_grant(&bob.id).await.unwrap().is_some());
    assert!(
        store
            .resolve_access_token(bob.tokens.access_token.expose())
            .await
            .is_ok()
    );
    let listed = users(&db, &["list", "--json"]).await;
    let listed: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], bob.id.as_str());
}

#[tokio::test]
async fn an_unknown_user_is_a_clear_error_and_a_failure() {
    let db = Db::new().await;
    db.sign_in("acc-alice", "Alice", "Claude Code").await;
    // A name starting with `-` is a person to look up, not a flag (ids were once base64url).
    for who in ["nobody", "-nobody"] {
        for command in ["show", "revoke", "delete"] {
            let run = users(&db, &[command, who]).await;
            assert!(!run.ok, "`users {command} {who}` fails");
            assert!(
                run.stderr.contains(&format!("no user `{who}`"))
                    && run.stderr.contains("users list"),
                "says what to do: {}",
                run.stderr
            );
        }
    }
    assert_eq!(
        db.store.list_users().await.unwrap().len(),
        1,
        "nothing changed"
    );
}

fn ttls() -> Ttls {
    Ttls {
        catalog: Duration::from_secs(600),
        user: Duration::from_secs(600),
        playback: Duration::ZERO,
    }
}

/// A user-scoped answer cached in Redis for `identity`, as a server would have stored it;
/// whether the cache still serves it.
async fn cached(cache: &Cache, identity: &str) -> bool {
    let op = spotify_mcp::spec::operation("get_users_saved_shows").unwrap();
    let url = reqwest::Url::parse("http://127.0.0.1/v1/me/shows?limit=20").unwrap();
    let key = cache.key(identity, &url, op).await;
    cache.get(&key).await.is_some()
}

async fn cache_for(cache: &Cache, identity: &str) {
    let op = spotify_mcp::spec::operation("get_users_saved_shows").unwrap();
    let url = reqwest::Url::parse("http://127.0.0.1/v1/me/shows?limit=20").unwrap();
    let key = cache.key(identity, &url, op).await;
    cache
        .put(
            key,
            bytes::Bytes::from_static(b"{\"items\":[]}"),
            Duration::from_secs(600),
        )
        .await;
}

#[tokio::test]
async fn delete_with_redis_stops_every_server_serving_the_person_s_cached_answers() {
    let Some((url, _guard)) = redis_server::shared() else {
        return;
    };
    let db = Db::new().await;
    let alice = db.sign_in("acc-alice", "Alice", "Claude Code").await;
    let bob = db.sign_in("acc-bob", "Bob", "Inspector").await;
    let link = Arc::new(RedisLink::new(&Secret::new(&url), Duration::from_secs(2)).unwrap());
    let writer = Cache::new(1 << 20, ttls(), Some(link.clone()));
    for user in [&alice, &bob] {
        cache_for(&writer, &cache_identity(&user.id)).await;
    }
    // Another replica, sharing only Redis.
    let reader = Cache::new(1 << 20, ttls(), Some(link));
    assert!(
        cached(&reader, &cache_identity(&alice.id)).await,
        "control: served from Redis"
    );

    let run = users(&db, &["delete", "acc-alice", "--redis-url", &url]).await;
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.contains("no longer served"), "{}", run.stdout);

    assert!(
        !cached(&reader, &cache_identity(&alice.id)).await,
        "alice's answers are gone"
    );
    assert!(!cached(&writer, &cache_identity(&alice.id)).await);
    assert!(
        cached(&reader, &cache_identity(&bob.id)).await,
        "bob's stay"
    );
}
