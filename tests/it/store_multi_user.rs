//! The multi-user store, against SQLite in a temp dir and, when `SPOTIFY_MCP_TEST_DATABASE_URL`
//! names a PostgreSQL server (`.ci/run` starts one), against PostgreSQL too: each scenario runs
//! on every backend there is.

use crate::common::multi_user_server::Database;
use spotify_mcp::foundation::config::DatabaseArgs;
use spotify_mcp::foundation::sealed::GrantKeys;
use spotify_mcp::foundation::secret::Secret;
use spotify_mcp::store::{
    AccountKey, ClientRegistration, NewCode, NewGrant, Redeemed, Refused, Revoked, Scopes, Store,
    StoreError, TokenLifetimes,
};
use sqlx::Row;
use std::sync::Arc;
use std::time::Duration;

const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const OTHER_KEY: &str = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT: &str = "http://127.0.0.1:9999/callback";
const RESOURCE: &str = "http://127.0.0.1:8080/mcp";
const HOUR: TokenLifetimes = TokenLifetimes {
    access: Duration::from_secs(3600),
    refresh: Duration::from_secs(30 * 24 * 3600),
};

/// A database a test has to itself (SQLite, or a fresh PostgreSQL database), opened as the store.
struct TestDb(Database);

impl TestDb {
    async fn open(&self) -> Store {
        self.open_with(KEY).await
    }

    async fn open_with(&self, key: &str) -> Store {
        let args = DatabaseArgs {
            database_url: Some(Secret::new(self.0.url())),
            ..DatabaseArgs::default()
        };
        let keys = GrantKeys::new(&Secret::new(key), &[]).unwrap();
        Store::open(&args, Arc::new(keys)).await.unwrap()
    }

    /// A connection of the test's own, to look at the tables behind the store's back.
    async fn raw(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.0.url()).await.unwrap()
    }
}

/// Every backend available: SQLite always; PostgreSQL when the environment names one. In CI it
/// must (`.ci/run` starts one); elsewhere its absence is reported as skipped.
async fn backends() -> Vec<TestDb> {
    Database::every_backend()
        .await
        .into_iter()
        .map(TestDb)
        .collect()
}

fn grant(access: &str, refresh: &str) -> NewGrant {
    NewGrant {
        access_token: Secret::new(access),
        refresh_token: Some(Secret::new(refresh)),
        scopes: Scopes::parse("user-read-private playlist-read-private"),
        expires_at: 2_000_000_000,
        authorized_at: 1_900_000_000,
    }
}

async fn user(store: &Store, account: &str) -> String {
    store
        .upsert_user(
            &AccountKey::from_profile(Some(account), "ignored"),
            Some(account),
        )
        .await
        .unwrap()
        .id
}

async fn client(store: &Store) -> String {
    store
        .register_client(
            &ClientRegistration::Dynamic,
            &serde_json::json!({"client_name": "Test client"}),
            &[REDIRECT.to_string()],
        )
        .await
        .unwrap()
        .client_id
}

fn new_code(client_id: &str, user_id: &str) -> NewCode {
    NewCode {
        client_id: client_id.to_string(),
        user_id: user_id.to_string(),
        code_challenge: CHALLENGE.to_string(),
        redirect_uri: REDIRECT.to_string(),
        resource: RESOURCE.to_string(),
        scopes: Scopes::parse("spotify"),
    }
}

/// A user with a client's tokens, as after a whole sign-in.
async fn signed_in(store: &Store, account: &str) -> (String, String, Redeemed) {
    let user_id = user(store, account).await;
    let client_id = client(store).await;
    let code = store
        .issue_code(&new_code(&client_id, &user_id), Duration::from_secs(60))
        .await
        .unwrap();
    let redeemed = store
        .redeem_code(code.code.expose(), &client_id, REDIRECT, VERIFIER)
        .await
        .unwrap();
    (user_id, client_id, redeemed)
}

/// Whether `store` accepts the access token `token` now: `Ok`, or why not.
async fn access(store: &Store, token: &Secret) -> Result<(), Refused> {
    let result = store.resolve_access_token(token.expose()).await;
    result.map(drop).map_err(|e| refused(Err::<(), _>(e)))
}

/// Whether `store` rotates the refresh token `token` for `client_id` now: `Ok`, or why not.
async fn refresh(store: &Store, token: &Secret, client_id: &str) -> Result<(), Refused> {
    let result = store.rotate_refresh(token.expose(), client_id, HOUR).await;
    result.map(drop).map_err(|e| refused(Err::<(), _>(e)))
}

fn refused(result: Result<impl std::fmt::Debug, StoreError>) -> Refused {
    match result {
        Err(StoreError::Refused(reason)) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn users_are_keyed_by_account_and_listed_with_their_grant() {
    for db in backends().await {
        let store = db.open().await;
        assert_eq!(
            AccountKey::from_profile(Some("acc-1"), "u1").as_str(),
            "acc-1"
        );
        assert_eq!(AccountKey::from_profile(Some(" "), "u1").as_str(), "u1");
        assert_eq!(AccountKey::from_profile(None, "u1").as_str(), "u1");

        let first = store
            .upsert_user(&AccountKey::from_profile(None, "alice"), Some("Alice"))
            .await
            .unwrap();
        let again = store
            .upsert_user(&AccountKey::from_profile(None, "alice"), Some("Alice B."))
            .await
            .unwrap();
        assert_eq!(first.id, again.id, "the same account is the same user");
        assert_eq!(again.display_name.as_deref(), Some("Alice B."));
        assert_eq!(again.created_at, first.created_at);
        let bob = user(&store, "bob").await;
        assert_ne!(bob, first.id);
        assert_eq!(
            store.find_user(&bob).await.unwrap().unwrap().account_key,
            "bob"
        );
        assert!(store.find_user("nobody").await.unwrap().is_none());

        store
            .save_grant(&bob, &grant("a", "r"), None)
            .await
            .unwrap();
        let listed = store.list_users().await.unwrap();
        assert_eq!(listed.len(), 2);
        let scopes_of = |id: &str| {
            listed
                .iter()
                .find(|s| s.user.id == id)
                .unwrap()
                .grant_scopes
                .clone()
        };
        assert_eq!(scopes_of(&first.id), None);
        assert_eq!(
            scopes_of(&bob),
            Some(Scopes::parse("playlist-read-private user-read-private"))
        );
    }
}

#[tokio::test]
async fn a_grant_is_saved_by_compare_and_set_and_loads_back_opened() {
    for db in backends().await {
        let store = db.open().await;
        let id = user(&store, "carol").await;
        assert!(store.load_grant(&id).await.unwrap().is_none());
        assert_eq!(
            store
                .save_grant(&id, &grant("a1", "r1"), None)
                .await
                .unwrap(),
            1
        );
        // A second first write, or a write naming a version that is gone, loses.
        assert!(matches!(
            store
                .save_grant(&id, &grant("access-token-two", "refresh-token-two"), None)
                .await,
            Err(StoreError::GrantChanged)
        ));
        assert_eq!(
            store
                .save_grant(
                    &id,
                    &grant("access-token-two", "refresh-token-two"),
                    Some(1)
                )
                .await
                .unwrap(),
            2
        );
        assert!(matches!(
            store.save_grant(&id, &grant("a3", "r3"), Some(1)).await,
            Err(StoreError::GrantChanged)
        ));
        let loaded = store.load_grant(&id).await.unwrap().unwrap();
        assert_eq!(loaded.access_token.expose(), "access-token-two");
        assert_eq!(
            loaded.refresh_token.as_ref().unwrap().expose(),
            "refresh-token-two"
        );
        assert_eq!(loaded.version, 2);
        assert_eq!(loaded.expires_at, 2_000_000_000);
        assert_eq!(loaded.authorized_at, 1_900_000_000);
        assert!(
            loaded
                .scopes
                .contains_all(&Scopes::parse("user-read-private"))
        );
        // Tokens that cannot occur by chance in the random user id the Debug text shows.
        let shown = format!("{loaded:?}");
        assert!(
            !shown.contains("access-token-two") && !shown.contains("refresh-token-two"),
            "{shown}"
        );

        assert!(matches!(
            store
                .save_grant("no-such-user", &grant("a", "r"), None)
                .await,
            Err(StoreError::UnknownUser)
        ));
        // Another key cannot open it, and says what to do.
        store.close().await;
        let error = db
            .open_with(OTHER_KEY)
            .await
            .load_grant(&id)
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::GrantKey), "{error}");
        assert!(error.to_string().contains("SPOTIFY_MCP_ENCRYPTION_KEY"));
    }
}

#[tokio::test]
async fn a_sealed_grant_moved_to_another_user_does_not_open() {
    for db in backends().await {
        let store = db.open().await;
        let (eve, victim) = (user(&store, "eve").await, user(&store, "victim").await);
        store
            .save_grant(&victim, &grant("victim-access", "victim-refresh"), None)
            .await
            .unwrap();
        store
            .save_grant(&eve, &grant("eve-access", "eve-refresh"), None)
            .await
            .unwrap();
        let raw = db.raw().await;
        sqlx::query(
            "UPDATE spotify_grants SET sealed_tokens = \
             (SELECT sealed_tokens FROM spotify_grants WHERE user_id = $1) WHERE user_id = $2",
        )
        .bind(&victim)
        .bind(&eve)
        .execute(&raw)
        .await
        .unwrap();
        assert!(matches!(
            store.load_grant(&eve).await,
            Err(StoreError::GrantKey)
        ));
    }
}

#[tokio::test]
async fn clients_register_dynamically_or_by_metadata_document() {
    for db in backends().await {
        let store = db.open().await;
        let uris = vec![REDIRECT.to_string()];
        let meta = serde_json::json!({"client_name": "A"});
        let a = store
            .register_client(&ClientRegistration::Dynamic, &meta, &uris)
            .await
            .unwrap();
        let b = store
            .register_client(&ClientRegistration::Dynamic, &meta, &uris)
            .await
            .unwrap();
        assert_ne!(a.client_id, b.client_id);
        assert_eq!(a.registration, "dcr");
        assert_eq!(store.load_client(&a.client_id).await.unwrap().unwrap(), a);

        let url = "https://client.example/meta.json".to_string();
        let cimd = ClientRegistration::MetadataDocument { url: url.clone() };
        let first = store.register_client(&cimd, &meta, &uris).await.unwrap();
        assert_eq!(
            (first.client_id.as_str(), first.registration.as_str()),
            (url.as_str(), "cimd")
        );
        let newer = serde_json::json!({"client_name": "A v2"});
        let moved = vec!["http://127.0.0.1:7777/cb".to_string()];
        let second = store.register_client(&cimd, &newer, &moved).await.unwrap();
        assert_eq!(second.created_at, first.created_at);
        let loaded = store.load_client(&url).await.unwrap().unwrap();
        assert_eq!((loaded.metadata, loaded.redirect_uris), (newer, moved));
        assert!(
            store
                .load_client("https://unknown.example/")
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn a_code_is_redeemed_once_by_its_client_with_its_verifier() {
    for db in backends().await {
        let store = db.open().await;
        let (user_id, client_id) = (user(&store, "dave").await, client(&store).await);
        let code_request = new_code(&client_id, &user_id);
        let issue = |ttl| store.issue_code(&code_request, ttl);

        let code = issue(Duration::from_secs(60)).await.unwrap();
        assert!(!format!("{code:?}").contains(code.code.expose()));
        let redeemed = store
            .redeem_code(code.code.expose(), &client_id, REDIRECT, VERIFIER)
            .await
            .unwrap();
        assert_eq!(
            (redeemed.user_id.as_str(), redeemed.resource.as_str()),
            (user_id.as_str(), RESOURCE)
        );
        let tokens = store.issue_tokens(&redeemed, HOUR).await.unwrap();
        // Presented again: refused, and the tokens of its first redemption are revoked.
        let again = store
            .redeem_code(code.code.expose(), &client_id, REDIRECT, VERIFIER)
            .await;
        assert_eq!(refused(again), Refused::CodeReused);
        assert_eq!(
            access(&store, &tokens.access_token).await,
            Err(Refused::TokenRevoked)
        );

        let cases: [(&str, &str, &str, Refused); 3] = [
            ("another-client", REDIRECT, VERIFIER, Refused::CodeMismatch),
            (
                &client_id,
                "http://127.0.0.1:9999/other",
                VERIFIER,
                Refused::CodeMismatch,
            ),
            (
                &client_id,
                REDIRECT,
                "wrong-verifier-wrong-verifier-wrong-verifier-x",
                Refused::PkceMismatch,
            ),
        ];
        for (who, redirect, verifier, expected) in cases {
            let code = issue(Duration::from_secs(60)).await.unwrap();
            let result = store
                .redeem_code(code.code.expose(), who, redirect, verifier)
                .await;
            assert_eq!(refused(result), expected);
            // A failed attempt uses the code up.
            let retry = store
                .redeem_code(code.code.expose(), &client_id, REDIRECT, VERIFIER)
                .await;
            assert_eq!(refused(retry), Refused::CodeReused);
        }
        let expired = issue(Duration::ZERO).await.unwrap();
        let result = store
            .redeem_code(expired.code.expose(), &client_id, REDIRECT, VERIFIER)
            .await;
        assert_eq!(refused(result), Refused::CodeExpired);
        let unknown = store
            .redeem_code("made-up", &client_id, REDIRECT, VERIFIER)
            .await;
        assert_eq!(refused(unknown), Refused::UnknownCode);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_redemptions_at_once_exactly_one_wins() {
    for db in backends().await {
        let store = db.open().await;
        let (user_id, client_id) = (user(&store, "erin").await, client(&store).await);
        for _ in 0..15 {
            let code = store
                .issue_code(&new_code(&client_id, &user_id), Duration::from_secs(60))
                .await
                .unwrap();
            let barrier = Arc::new(tokio::sync::Barrier::new(2));
            let racers = (0..2).map(|_| {
                let (store, barrier) = (store.clone(), barrier.clone());
                let (code, client_id) = (code.code.expose().to_string(), client_id.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    store
                        .redeem_code(&code, &client_id, REDIRECT, VERIFIER)
                        .await
                })
            });
            let results = futures::future::join_all(racers).await;
            let won = results.iter().filter(|r| matches!(r, Ok(Ok(_)))).count();
            assert_eq!(won, 1, "{results:?}");
            for lost in results.into_iter().filter_map(|r| r.unwrap().err()) {
                assert!(
                    matches!(lost, StoreError::Refused(Refused::CodeReused)),
                    "{lost}"
                );
            }
        }
    }
}

#[tokio::test]
async fn access_tokens_resolve_to_their_user_until_revoked_or_expired() {
    for db in backends().await {
        let store = db.open().await;
        let (user_id, client_id, redeemed) = signed_in(&store, "frank").await;
        let tokens = store.issue_tokens(&redeemed, HOUR).await.unwrap();
        let debug = format!("{tokens:?}");
        assert!(
            !debug.contains(tokens.access_token.expose())
                && !debug.contains(tokens.refresh_token.expose())
        );
        let who = store
            .resolve_access_token(tokens.access_token.expose())
            .await
            .unwrap();
        assert_eq!(
            (who.user_id.as_str(), who.client_id.as_str()),
            (user_id.as_str(), client_id.as_str())
        );
        assert_eq!(who.resource, RESOURCE);
        assert_eq!(who.scopes, Scopes::parse("spotify"));
        // A refresh token is not an access token.
        assert_eq!(
            access(&store, &tokens.refresh_token).await,
            Err(Refused::UnknownToken)
        );
        assert_eq!(
            refused(store.resolve_access_token("made-up").await),
            Refused::UnknownToken
        );

        // Another client cannot revoke it; its own can, and only that token.
        assert_eq!(
            store
                .revoke(tokens.access_token.expose(), "someone-else")
                .await
                .unwrap(),
            Revoked::Nothing
        );
        assert!(access(&store, &tokens.access_token).await.is_ok());
        assert_eq!(
            store
                .revoke(tokens.access_token.expose(), &client_id)
                .await
                .unwrap(),
            Revoked::AccessToken
        );
        assert_eq!(
            access(&store, &tokens.access_token).await,
            Err(Refused::TokenRevoked)
        );
        assert_eq!(
            store.revoke("made-up", &client_id).await.unwrap(),
            Revoked::Nothing
        );
        let fresh = store
            .rotate_refresh(tokens.refresh_token.expose(), &client_id, HOUR)
            .await
            .unwrap();
        assert!(access(&store, &fresh.access_token).await.is_ok());

        let short = TokenLifetimes {
            access: Duration::ZERO,
            refresh: Duration::ZERO,
        };
        let expired = store.issue_tokens(&redeemed, short).await.unwrap();
        assert_eq!(
            access(&store, &expired.access_token).await,
            Err(Refused::TokenExpired)
        );
        assert_eq!(
            refresh(&store, &expired.refresh_token, &client_id).await,
            Err(Refused::TokenExpired)
        );
    }
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_its_whole_family() {
    for db in backends().await {
        let store = db.open().await;
        let (_, client_id, redeemed) = signed_in(&store, "grace").await;
        let first = store.issue_tokens(&redeemed, HOUR).await.unwrap();
        let second = store
            .rotate_refresh(first.refresh_token.expose(), &client_id, HOUR)
            .await
            .unwrap();
        assert_eq!(second.family_id, first.family_id);
        assert_ne!(second.refresh_token.expose(), first.refresh_token.expose());
        assert!(access(&store, &second.access_token).await.is_ok());
        // Another client presenting it is refused without spending anything.
        assert_eq!(
            refresh(&store, &second.refresh_token, "other").await,
            Err(Refused::ClientMismatch)
        );
        // A second family of the same user and client is not touched by the first's reuse.
        let other_grant = Redeemed {
            family_id: "other-family".into(),
            ..redeemed.clone()
        };
        let bystander = store.issue_tokens(&other_grant, HOUR).await.unwrap();

        let replay = store
            .rotate_refresh(first.refresh_token.expose(), &client_id, HOUR)
            .await;
        assert_eq!(refused(replay), Refused::RefreshReused);
        for token in [&second.access_token, &first.access_token] {
            assert_eq!(access(&store, token).await, Err(Refused::TokenRevoked));
        }
        assert_eq!(
            refresh(&store, &second.refresh_token, &client_id).await,
            Err(Refused::TokenRevoked)
        );
        assert!(access(&store, &bystander.access_token).await.is_ok());

        // Revoking a refresh token (RFC 7009) takes the access tokens of its family along.
        assert_eq!(
            store
                .revoke(bystander.refresh_token.expose(), &client_id)
                .await
                .unwrap(),
            Revoked::Family
        );
        assert_eq!(
            access(&store, &bystander.access_token).await,
            Err(Refused::TokenRevoked)
        );
    }
}

#[tokio::test]
async fn revoking_a_user_s_tokens_signs_them_out_of_every_client_and_no_one_else() {
    for db in backends().await {
        let store = db.open().await;
        let (user_id, client_id, redeemed) = signed_in(&store, "olga").await;
        let first = store.issue_tokens(&redeemed, HOUR).await.unwrap();
        let (_, _, other_client) = signed_in(&store, "olga").await;
        let second = store.issue_tokens(&other_client, HOUR).await.unwrap();
        let (_, _, bystander) = signed_in(&store, "pat").await;
        let kept = store.issue_tokens(&bystander, HOUR).await.unwrap();

        assert_eq!(store.revoke_user_tokens(&user_id).await.unwrap(), 4);
        for token in [&first.access_token, &second.access_token] {
            assert_eq!(access(&store, token).await, Err(Refused::TokenRevoked));
        }
        assert_eq!(
            refresh(&store, &first.refresh_token, &client_id).await,
            Err(Refused::TokenRevoked)
        );
        assert!(access(&store, &kept.access_token).await.is_ok());
        assert_eq!(store.revoke_user_tokens(&user_id).await.unwrap(), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_rotations_of_one_refresh_token_at_once_exactly_one_wins() {
    for db in backends().await {
        let store = db.open().await;
        let (_, client_id, redeemed) = signed_in(&store, "heidi").await;
        for _ in 0..10 {
            let tokens = store.issue_tokens(&redeemed, HOUR).await.unwrap();
            let barrier = Arc::new(tokio::sync::Barrier::new(2));
            let racers = (0..2).map(|_| {
                let (store, barrier) = (store.clone(), barrier.clone());
                let (token, client_id) =
                    (tokens.refresh_token.expose().to_string(), client_id.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    store.rotate_refresh(&token, &client_id, HOUR).await
                })
            });
            let results = futures::future::join_all(racers).await;
            let won = results.iter().filter(|r| matches!(r, Ok(Ok(_)))).count();
            assert_eq!(won, 1, "{results:?}");
        }
    }
}

#[tokio::test]
async fn consent_is_remembered_per_user_and_client_and_grows() {
    for db in backends().await {
        let store = db.open().await;
        let (user_id, client_id) = (user(&store, "ivan").await, client(&store).await);
        let other_client = client(&store).await;
        let read = Scopes::parse("tools:read");
        let both = Scopes::parse("tools:read tools:write");
        assert!(
            !store
                .has_consent(&user_id, &client_id, &read)
                .await
                .unwrap()
        );
        store
            .record_consent(&user_id, &client_id, &read)
            .await
            .unwrap();
        assert!(
            store
                .has_consent(&user_id, &client_id, &read)
                .await
                .unwrap()
        );
        assert!(
            !store
                .has_consent(&user_id, &client_id, &both)
                .await
                .unwrap()
        );
        assert!(
            !store
                .has_consent(&user_id, &other_client, &read)
                .await
                .unwrap()
        );
        store
            .record_consent(&user_id, &client_id, &Scopes::parse("tools:write"))
            .await
            .unwrap();
        assert!(
            store
                .has_consent(&user_id, &client_id, &both)
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn delete_user_leaves_nothing_of_them_and_all_of_the_others() {
    for db in backends().await {
        let store = db.open().await;
        let mut signed = Vec::new();
        for account in ["judy", "kim"] {
            let (user_id, client_id, redeemed) = signed_in(&store, account).await;
            let tokens = store.issue_tokens(&redeemed, HOUR).await.unwrap();
            store
                .save_grant(&user_id, &grant("a", "r"), None)
                .await
                .unwrap();
            store
                .record_consent(&user_id, &client_id, &Scopes::parse("x"))
                .await
                .unwrap();
            store
                .issue_code(&new_code(&client_id, &user_id), Duration::from_secs(60))
                .await
                .unwrap();
            signed.push((user_id, tokens));
        }
        let (kim, kim_tokens) = signed.pop().unwrap();
        let judy = signed.pop().unwrap().0;
        let raw = db.raw().await;
        let rows_of = |id: String| {
            let raw = raw.clone();
            async move {
                let mut total = 0;
                for (table, column) in [
                    ("users", "id"),
                    ("spotify_grants", "user_id"),
                    ("authorization_codes", "user_id"),
                    ("oauth_tokens", "user_id"),
                    ("consents", "user_id"),
                ] {
                    let row = sqlx::query(&format!(
                        "SELECT COUNT(*) AS n FROM {table} WHERE {column} = $1"
                    ))
                    .bind(&id)
                    .fetch_one(&raw)
                    .await
                    .unwrap();
                    total += row.get::<i64, _>("n");
                }
                total
            }
        };
        assert_eq!(
            rows_of(judy.clone()).await,
            1 + 1 + 2 + 2 + 1,
            "judy's rows before"
        );
        assert!(store.delete_user(&judy).await.unwrap());
        assert_eq!(rows_of(judy.clone()).await, 0, "judy's rows after");
        assert!(!store.delete_user(&judy).await.unwrap());
        assert!(store.load_grant(&judy).await.unwrap().is_none());

        assert_eq!(rows_of(kim.clone()).await, 7, "kim keeps everything");
        assert!(store.load_grant(&kim).await.unwrap().is_some());
        assert!(access(&store, &kim_tokens.access_token).await.is_ok());
    }
}

#[tokio::test]
async fn a_reopened_store_keeps_everything_and_migrates_once() {
    for db in backends().await {
        let store = db.open().await;
        let (user_id, client_id, redeemed) = signed_in(&store, "leo").await;
        let tokens = store.issue_tokens(&redeemed, HOUR).await.unwrap();
        store
            .save_grant(&user_id, &grant("leo-a", "leo-r"), None)
            .await
            .unwrap();
        store
            .record_consent(&user_id, &client_id, &Scopes::parse("x"))
            .await
            .unwrap();
        store.close().await;

        // A restart: the migrations run again (a no-op), and nobody has to sign in again.
        for _ in 0..2 {
            let store = db.open().await;
            let who = store
                .resolve_access_token(tokens.access_token.expose())
                .await
                .unwrap();
            assert_eq!(who.user_id, user_id);
            assert_eq!(
                store
                    .load_grant(&user_id)
                    .await
                    .unwrap()
                    .unwrap()
                    .access_token
                    .expose(),
                "leo-a"
            );
            assert!(store.load_client(&client_id).await.unwrap().is_some());
            assert!(
                store
                    .has_consent(&user_id, &client_id, &Scopes::parse("x"))
                    .await
                    .unwrap()
            );
            store.close().await;
        }
        let migrations = sqlx::query("SELECT COUNT(*) AS n FROM _sqlx_migrations")
            .fetch_one(&db.raw().await)
            .await
            .unwrap()
            .get::<i64, _>("n");
        let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
            .unwrap()
            .count();
        assert_eq!(migrations, files as i64);
    }
}
