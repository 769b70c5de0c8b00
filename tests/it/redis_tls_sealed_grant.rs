//! The shared grant on a Redis reached over TLS (`rediss://`, a private CA named with
//! `--redis-ca-file`): what Redis holds never shows a token, every server with the key (or the
//! previous key, while rotating) reads it, a server with another key leaves it alone; without an
//! encryption key, or over plain TCP to another machine, the grant is not put in Redis at all.

use crate::common;

use common::fake_spotify::FakeSpotify;
use common::grants;
use common::redis_server::TlsRedisServer;
use spotify_mcp::app::wiring::BuildError;
use spotify_mcp::credentials::grant::Grant;
use spotify_mcp::credentials::redis_store::RedisTokenStore;
use spotify_mcp::credentials::store::{FileTokenStore, TokenStore};
use spotify_mcp::foundation::redis_link::RedisLink;
use spotify_mcp::foundation::sealed::GrantKeys;
use spotify_mcp::foundation::secret::Secret;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const NEXT_KEY: &str = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
const OTHER_KEY: &str = "b3RoZXIgc2VydmVyLCB3aXRoIGFub3RoZXIga2V5ISE=";

fn link(server: &TlsRedisServer) -> Arc<RedisLink> {
    Arc::new(
        RedisLink::with_ca(
            &Secret::new(server.url()),
            Duration::from_secs(2),
            Some(&server.ca_file),
        )
        .expect("a rediss:// link with the test CA"),
    )
}

/// A server's store: its own login file holding `grant`, sealing with `key` (reading `old`).
fn store(
    link: &Arc<RedisLink>,
    grant: &Grant,
    key: &str,
    old: &[&str],
) -> (RedisTokenStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = FileTokenStore::new(dir.path().join("token.json"));
    file.save_sync(grant).unwrap();
    let old: Vec<Secret> = old.iter().map(|k| Secret::new(*k)).collect();
    let keys = GrantKeys::new(&Secret::new(key), &old).unwrap();
    let store = RedisTokenStore::new(
        link.clone(),
        Arc::new(keys),
        file,
        grant,
        Duration::from_secs(5),
    );
    (store, dir)
}

/// Every key and value in Redis, as text.
async fn everything(link: &RedisLink) -> String {
    let keys: Vec<String> = link
        .run(&redis::cmd("KEYS").arg("*").to_owned())
        .await
        .unwrap();
    let mut dump = String::new();
    for key in keys {
        let kind: String = link
            .run(&redis::cmd("TYPE").arg(&key).to_owned())
            .await
            .unwrap();
        let value: Vec<String> = match kind.as_str() {
            "hash" => link
                .run(&redis::cmd("HGETALL").arg(&key).to_owned())
                .await
                .unwrap(),
            "string" => vec![
                link.run(&redis::cmd("GET").arg(&key).to_owned())
                    .await
                    .unwrap(),
            ],
            other => vec![format!("<{other}>")],
        };
        dump.push_str(&format!("{key} = {value:?}\n"));
    }
    dump
}

fn secret_grant() -> Grant {
    let mut grant = grants::grant(
        "access-TOKEN-d4e5f6",
        Some("refresh-TOKEN-a1b2c3"),
        3600,
        &["user-library-read"],
    );
    grant.user_id = Some(format!("tls-user-{}", std::process::id()));
    grant
}

#[tokio::test]
async fn the_grant_travels_over_tls_and_rests_sealed() {
    let Some(server) = TlsRedisServer::start() else {
        return;
    };
    let link = link(&server);
    let grant = secret_grant();
    let (first, _dir) = store(&link, &grant, KEY, &[]);
    assert_eq!(first.load().await.unwrap().unwrap(), grant, "seeded");

    let dump = everything(&link).await;
    assert!(dump.contains(first.key()), "the grant is in Redis: {dump}");
    for token in ["access-TOKEN-d4e5f6", "refresh-TOKEN-a1b2c3"] {
        assert!(!dump.contains(token), "{token} readable in Redis: {dump}");
    }

    // Another server with the key, starting from an older file, reads the shared grant.
    let mut older = grant.clone();
    older.authorized_at -= 3600;
    older.access_token = Secret::new("older-access");
    let (second, second_dir) = store(&link, &older, KEY, &[]);
    assert_eq!(second.load().await.unwrap().unwrap(), grant);
    assert_eq!(grants::load(&second_dir.path().join("token.json")), grant);

    // Rotation: the new key with the old one among the old keys reads it; the next write
    // (a refresh) seals with the new key, which alone then opens it.
    let (rotated, _dir3) = store(&link, &older, NEXT_KEY, &[KEY]);
    assert_eq!(rotated.load().await.unwrap().unwrap(), grant);
    let mut refreshed = grant.clone();
    refreshed.revision += 1;
    refreshed.access_token = Secret::new("refreshed-TOKEN-778899");
    rotated.save(&refreshed).await.unwrap();
    let (only_new, _dir4) = store(&link, &older, NEXT_KEY, &[]);
    assert_eq!(only_new.load().await.unwrap().unwrap(), refreshed);
    assert!(!everything(&link).await.contains("refreshed-TOKEN-778899"));

    // A server with another key cannot read it, and does not overwrite it with its own file.
    let before = everything(&link).await;
    let (stranger, _dir5) = store(&link, &older, OTHER_KEY, &[]);
    assert_eq!(
        stranger.load().await.unwrap().unwrap(),
        older,
        "its login file serves it"
    );
    assert_eq!(everything(&link).await, before, "Redis unchanged");
}

#[tokio::test]
async fn tls_is_verified_against_the_ca_given() {
    let Some(server) = TlsRedisServer::start() else {
        return;
    };
    let ping = redis::cmd("PING").to_owned();
    let trusted = link(&server);
    assert_eq!(trusted.run::<String>(&ping).await.unwrap(), "PONG");
    // The system's roots do not know the test CA: no connection.
    let untrusted = RedisLink::new(&Secret::new(server.url()), Duration::from_secs(2)).unwrap();
    assert!(untrusted.run::<String>(&ping).await.is_err());
    // A CA file asks for TLS: with a redis:// URL it is a configuration error.
    let plain = format!("redis://127.0.0.1:{}/", server.port);
    let error = RedisLink::with_ca(
        &Secret::new(plain),
        Duration::from_secs(2),
        Some(&server.ca_file),
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("rediss://"), "{error}");
}

/// Server arguments with a stored login, `redis_url` and the key given.
fn args(
    fake: &FakeSpotify,
    dir: &Path,
    redis_url: &str,
    key: Option<&str>,
) -> spotify_mcp::foundation::config::SpotifyArgs {
    let mut args = common::spotify_args(fake, None);
    let path = dir.join("token.json");
    FileTokenStore::new(path.clone())
        .save_sync(&secret_grant())
        .unwrap();
    args.token_file = Some(path);
    args.middleware.redis_url = Some(Secret::new(redis_url));
    args.middleware.encryption_key = key.map(Secret::new);
    args
}

#[tokio::test]
async fn no_grant_goes_to_redis_without_a_key_or_over_plain_tcp_to_another_machine() {
    let fake = FakeSpotify::start().await;
    let dir = tempfile::tempdir().unwrap();
    // Building connects to nothing: these addresses are never reached.
    let local = "redis://127.0.0.1:1/";
    let remote = "redis://192.0.2.10:6379/";

    let refused =
        spotify_mcp::build_api(&args(&fake, dir.path(), local, None)).expect_err("refused");
    assert!(matches!(refused, BuildError::GrantWithoutKey), "{refused}");
    assert!(
        refused.to_string().contains("SPOTIFY_MCP_ENCRYPTION_KEY"),
        "{refused}"
    );
    spotify_mcp::build_api(&args(&fake, dir.path(), local, Some(KEY))).expect("with a key");
    let mut file_only = args(&fake, dir.path(), local, None);
    file_only.middleware.token_store = Some(spotify_mcp::foundation::config::TokenStoreKind::File);
    spotify_mcp::build_api(&file_only).expect("the token file needs no key");

    let refused =
        spotify_mcp::build_api(&args(&fake, dir.path(), remote, Some(KEY))).expect_err("refused");
    assert!(matches!(refused, BuildError::PlaintextRedis), "{refused}");
    assert!(refused.to_string().contains("rediss://"), "{refused}");
    let mut allowed = args(&fake, dir.path(), remote, Some(KEY));
    allowed.middleware.allow_plaintext_redis = true;
    spotify_mcp::build_api(&allowed).expect("allowed explicitly");
    spotify_mcp::build_api(&args(
        &fake,
        dir.path(),
        "rediss://192.0.2.10:6380/",
        Some(KEY),
    ))
    .expect("TLS to another machine");
    assert!(
        spotify_mcp::build_api(&args(&fake, dir.path(), local, Some("too-short"))).is_err(),
        "a malformed key is refused"
    );
}
