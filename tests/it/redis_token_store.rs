//! The token store on a real Redis: a login file seeds it when Redis holds no grant or an older
//! one and follows a newer one, a grant never replaces a newer one (refreshes ordered by revision,
//! whatever the refreshing servers' clocks say), the refresh lock is held by one owner at a time (and freed when a holder is dropped), and
//! while Redis is down the login file serves. Nothing secret shows in `Debug`.

use crate::common;

use common::grants;
use common::redis_server::{self, RedisServer};
use spotify_mcp::credentials::grant::Grant;
use spotify_mcp::credentials::redis_store::RedisTokenStore;
use spotify_mcp::credentials::refresh_lock::LockAttempt;
use spotify_mcp::credentials::store::{FileTokenStore, TokenStore};
use spotify_mcp::foundation::redis_link::RedisLink;
use spotify_mcp::foundation::sealed::GrantKeys;
use spotify_mcp::foundation::secret::Secret;
use std::sync::Arc;
use std::time::Duration;

fn login(access: &str, expires_in: i64) -> Grant {
    common::replicas::login(access, &format!("refresh-of-{access}"), expires_in)
}

/// A store for `login` on `url`, its login file holding `in_file`.
fn store(url: &str, login: &Grant, in_file: &Grant) -> (RedisTokenStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = FileTokenStore::new(dir.path().join("token.json"));
    file.save_sync(in_file).unwrap();
    let link = Arc::new(RedisLink::new(&Secret::new(url), Duration::from_millis(250)).unwrap());
    let keys = GrantKeys::new(&Secret::new(common::replicas::ENCRYPTION_KEY), &[]).unwrap();
    (
        RedisTokenStore::new(link, Arc::new(keys), file, login, Duration::from_secs(5)),
        dir,
    )
}

async fn shared(url: &str, login: &Grant) -> Option<Grant> {
    common::replicas::shared_grant(url, login).await
}

#[tokio::test]
async fn the_login_file_seeds_redis_and_never_replaces_a_newer_grant() {
    let Some((url, _guard)) = redis_server::shared() else {
        return;
    };
    let older = login("older", 600);
    let mut newer = older.clone();
    newer.access_token = Secret::new("newer");
    newer.expires_at += 1800;
    newer.revision += 1;

    // Redis holds nothing: the file's grant goes in.
    let (first, _dir) = store(&url, &older, &older);
    assert_eq!(first.load().await.unwrap().unwrap(), older);
    assert_eq!(shared(&url, &older).await.unwrap(), older, "seeded");

    // A refresh elsewhere stored a newer grant: a server started from the old file uses it.
    first.save(&newer).await.unwrap();
    let (second, second_dir) = store(&url, &older, &older);
    assert_eq!(second.load().await.unwrap().unwrap(), newer);
    assert_eq!(
        grants::load(&second_dir.path().join("token.json")),
        newer,
        "its login file follows, rotated refresh token included"
    );
    assert_eq!(
        shared(&url, &older).await.unwrap(),
        newer,
        "not overwritten"
    );

    // Saving the older grant again changes nothing in Redis.
    second.save(&older).await.unwrap();
    assert_eq!(shared(&url, &older).await.unwrap(), newer);

    // A new login (authorized later) in a server's file replaces what Redis holds.
    let mut relogin = older.clone();
    relogin.access_token = Secret::new("relogin");
    relogin.refresh_token = Some(Secret::new("refresh-of-relogin"));
    relogin.authorized_at += 60;
    relogin.expires_at = older.expires_at;
    let (third, _dir3) = store(&url, &older, &relogin);
    assert_eq!(third.load().await.unwrap().unwrap(), relogin);
    assert_eq!(
        shared(&url, &older)
            .await
            .unwrap()
            .refresh_token
            .unwrap()
            .expose(),
        "refresh-of-relogin"
    );
}

#[tokio::test]
async fn one_owner_holds_the_refresh_lock_until_it_releases_or_drops_it() {
    let Some((url, _guard)) = redis_server::shared() else {
        return;
    };
    let grant = login("lock", 600);
    let (first, _dir) = store(&url, &grant, &grant);
    let (second, _dir2) = store(&url, &grant, &grant);

    let LockAttempt::Acquired(owner) = first.try_lock_refresh().await else {
        panic!("the first attempt takes the lock");
    };
    assert!(matches!(
        second.try_lock_refresh().await,
        LockAttempt::HeldElsewhere(_)
    ));
    let LockAttempt::HeldElsewhere(_) = first.try_lock_refresh().await else {
        panic!("not even its holder takes it twice");
    };
    first.unlock_refresh(owner).await;
    let LockAttempt::Acquired(next) = second.try_lock_refresh().await else {
        panic!("released: the second store takes it");
    };
    // A holder dropped unreleased (its call was cancelled) still frees the lock, well before
    // the TTL (5 s + 2 s here).
    drop(next);
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    loop {
        match first.try_lock_refresh().await {
            LockAttempt::Acquired(owner) => {
                first.unlock_refresh(owner).await;
                break;
            }
            _ => assert!(
                std::time::Instant::now() < deadline,
                "a dropped holder released the lock"
            ),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn while_redis_is_down_the_login_file_serves() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let grant = login("file", 600);
    let (degraded, dir) = store(&redis.url(), &grant, &grant);
    redis.stop();

    assert_eq!(degraded.load().await.unwrap().unwrap(), grant);
    assert!(matches!(
        degraded.try_lock_refresh().await,
        LockAttempt::Unavailable
    ));
    let mut refreshed = grant.clone();
    refreshed.access_token = Secret::new("refreshed-without-redis");
    refreshed.expires_at += 3600;
    degraded.save(&refreshed).await.unwrap();
    assert_eq!(grants::load(&dir.path().join("token.json")), refreshed);

    // A Redis password never shows either.
    let url = redis
        .url()
        .replace("redis://", "redis://:hunter2-password@");
    let (with_password, _dir2) = store(&url, &grant, &grant);
    let debug = format!("{degraded:?} {with_password:?}");
    assert!(
        !debug.contains("hunter2")
            && !debug.contains("refresh-of-file")
            && !debug.contains("Secret("),
        "{debug}"
    );
}

#[tokio::test]
async fn refreshes_are_ordered_by_revision_not_by_a_servers_clock() {
    let Some((url, _guard)) = redis_server::shared() else {
        return;
    };
    let grant = login("clock", 600);
    let (fast, _dir) = store(&url, &grant, &grant);
    assert_eq!(fast.load().await.unwrap().unwrap(), grant, "seeded");

    // This server's clock runs 20 minutes ahead: its refresh seems to expire late.
    let mut by_fast_clock = grant.clone();
    by_fast_clock.revision = 1;
    by_fast_clock.access_token = Secret::new("by-fast-clock");
    by_fast_clock.refresh_token = Some(Secret::new("rotated-by-fast-clock"));
    by_fast_clock.expires_at = spotify_mcp::credentials::grant::now() + 3600 + 1200;
    fast.save(&by_fast_clock).await.unwrap();

    // The next refresh, by a server with the right time, starts from that grant.
    let mut next = by_fast_clock.clone();
    next.revision = 2;
    next.access_token = Secret::new("next");
    next.refresh_token = Some(Secret::new("rotated-next"));
    next.expires_at = spotify_mcp::credentials::grant::now() + 3600;
    let (right, _dir2) = store(&url, &grant, &by_fast_clock);
    right.save(&next).await.unwrap();

    assert_eq!(
        shared(&url, &grant).await.unwrap(),
        next,
        "the later refresh is kept, its rotated refresh token with it"
    );
    assert_eq!(fast.load().await.unwrap().unwrap(), next);
    // And the earlier one cannot come back.
    right.save(&by_fast_clock).await.unwrap();
    assert_eq!(shared(&url, &grant).await.unwrap(), next);
}
