//! Servers with the cache on, for the cache and governor tests.

use super::fake_spotify::FakeSpotify;
use spotify_mcp::config::SpotifyArgs;
use spotify_mcp::middleware::auth::Secret;

/// Arguments for a server with a raw `token`, the memory cache on, and `redis` when given.
pub fn args(fake: &FakeSpotify, token: &str, redis: Option<&str>) -> SpotifyArgs {
    let mut args = super::spotify_args(fake, Some(token));
    args.middleware.cache_max_bytes = 16 << 20;
    args.middleware.redis_url = redis.map(Secret::new);
    args
}
