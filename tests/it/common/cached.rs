//! Servers with the cache on, for the cache and governor tests.

use super::fake_spotify::FakeSpotify;
use spotify_mcp::foundation::config::SpotifyArgs;
use spotify_mcp::foundation::secret::Secret;
use std::time::{Duration, Instant};

/// The catalog TTL of tests that wait for an entry to expire: the calls meant to be answered
/// from the cache fit in it many times over on a loaded machine, and the test sleeps it out once.
pub const SHORT_TTL: Duration = Duration::from_secs(3);

/// Arguments for a server with a raw `token`, the memory cache on, and `redis` when given.
pub fn args(fake: &FakeSpotify, token: &str, redis: Option<&str>) -> SpotifyArgs {
    let mut args = super::spotify_args(fake, Some(token));
    args.middleware.cache_max_bytes = 16 << 20;
    args.middleware.redis_url = redis.map(Secret::new);
    args
}

/// Like [`args`], with the catalog TTL [`SHORT_TTL`].
pub fn short_ttl_args(fake: &FakeSpotify, token: &str) -> SpotifyArgs {
    let mut args = args(fake, token, None);
    args.middleware.cache_ttl_catalog_secs = SHORT_TTL.as_secs();
    args
}

/// Sleeps until an entry stored before `stored` has outlived [`SHORT_TTL`] (a sleep lasts at
/// least as long as asked, so this holds however busy the machine is).
pub async fn outlive_short_ttl(stored: Instant) {
    tokio::time::sleep_until((stored + SHORT_TTL + Duration::from_millis(100)).into()).await;
}
