//! Redis keys that must not be shared across what they describe: the rate-limit cooldown and the
//! route memory are per Spotify app (Spotify counts quota, and decides routes, per client id),
//! and a cache generation counter that expired never starts again at a value it had before.

use crate::common;

use common::redis_server;
use spotify_mcp::foundation::redis_link::RedisLink;
use spotify_mcp::foundation::secret::Secret;
use spotify_mcp::middleware::cache::redis::RedisStore;
use spotify_mcp::middleware::governor::{Decision, Governor};
use spotify_mcp::middleware::routes::RouteMemory;
use spotify_mcp::spec::Side;
use std::sync::Arc;
use std::time::Duration;

fn unique(name: &str) -> String {
    format!("{name}-{}-{:x}", std::process::id(), fastrand::u64(..))
}

fn link(url: &str) -> Arc<RedisLink> {
    Arc::new(RedisLink::new(&Secret::new(url), Duration::from_secs(2)).unwrap())
}

fn governor(link: &Arc<RedisLink>, app: &str) -> Governor {
    Governor::new(Duration::from_secs(1), Some(link.clone())).for_app(Some(app))
}

#[tokio::test]
async fn a_cooldown_holds_back_the_same_app_only() {
    let Some((url, _guard)) = redis_server::shared() else {
        return;
    };
    let link = link(&url);
    let (limited, other) = (unique("app-limited"), unique("app-other"));
    governor(&link, &limited)
        .record(Some(Duration::from_secs(120)), None)
        .await;

    assert!(
        matches!(
            governor(&link, &limited).check().await,
            Decision::Reject { .. }
        ),
        "a replica of the same app is held back"
    );
    assert_eq!(
        governor(&link, &other).check().await,
        Decision::Go,
        "another app on the same Redis has its own quota"
    );
    let _: i64 = link
        .run(
            &redis::cmd("DEL")
                .arg(format!("spotify-mcp:v1:cooldown:app:{limited}"))
                .to_owned(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn routes_are_remembered_per_app_not_per_user() {
    let Some((url, _guard)) = redis_server::shared() else {
        return;
    };
    let link = link(&url);
    let (app, other_app) = (unique("app"), unique("other-app"));
    let family = "test-family";
    RouteMemory::new(Some(link.clone()))
        .for_app(Some(&app))
        .set(family, "user:alice", Side::Legacy)
        .await;

    let fresh = |app: &str| RouteMemory::new(Some(link.clone())).for_app(Some(app));
    assert_eq!(
        fresh(&app).get(family, "user:bob").await,
        Some(Side::Legacy),
        "another user of the same app skips the trial"
    );
    assert_eq!(
        fresh(&other_app).get(family, "user:alice").await,
        None,
        "the same user in another app learns on its own"
    );
}

#[tokio::test]
async fn an_expired_generation_counter_never_repeats_a_value() {
    let Some((url, _guard)) = redis_server::shared() else {
        return;
    };
    let link = link(&url);
    let store = RedisStore::new(link.clone(), Duration::from_secs(60));
    let scope = vec![unique("res:playlists/p")];
    let counter = format!("spotify-mcp:v1:g:{}", scope[0]);
    let mut seen = vec![store.generations(&scope).await.unwrap()[0]];
    for _ in 0..3 {
        store.bump(&scope).await.unwrap();
        let generation = store.generations(&scope).await.unwrap()[0];
        assert!(
            !seen.contains(&generation),
            "{generation} again after {seen:?}"
        );
        seen.push(generation);
        let ttl: i64 = link
            .run(&redis::cmd("PTTL").arg(&counter).to_owned())
            .await
            .unwrap();
        assert!(ttl > 0, "the counter still expires: {ttl}");
        // The counter expires (no write for longer than any entry lives): entries of the
        // generation it had may still be cached.
        let _: i64 = link
            .run(&redis::cmd("DEL").arg(&counter).to_owned())
            .await
            .unwrap();
    }
}
