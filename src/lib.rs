#![doc = "spotify-mcp: the Spotify Web API as MCP tools, derived from `openapi/spotify.yaml`."]

pub mod auth;
pub mod config;
#[cfg(feature = "demo")]
pub mod demo;
pub mod mcp;
pub mod middleware;
pub mod spec;
pub mod spotify;
pub mod transport;

use auth::oauth::OAuth;
use auth::redis_store::RedisTokenStore;
use auth::store::{FileTokenStore, StoreError, TokenStore, default_token_path};
use config::{SpotifyArgs, TokenStoreKind};
use middleware::auth::TokenSource;
use middleware::cache::{Cache, Ttls};
use middleware::governor::Governor;
use middleware::pipeline::Middleware;
use middleware::redis_link::RedisLink;
use middleware::routes::RouteMemory;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot set up the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
    #[error(transparent)]
    OAuth(#[from] auth::oauth::OAuthError),
    #[error(transparent)]
    Redis(#[from] middleware::redis_link::RedisError),
    #[error(
        "--token-store redis needs a Redis: set --redis-url (SPOTIFY_MCP_REDIS_URL), or drop --token-store"
    )]
    TokenStoreWithoutRedis,
}

/// The token file from the flags, or the platform default.
pub fn token_path(args: &SpotifyArgs) -> Result<PathBuf, StoreError> {
    store_path_or_default(args.token_file.clone())
}

pub fn store_path_or_default(path: Option<PathBuf>) -> Result<PathBuf, StoreError> {
    match path {
        Some(path) => Ok(path),
        None => default_token_path(),
    }
}

/// Where calls get their token: a raw token wins, then a stored login, then Client Credentials.
/// With `redis` (and `--token-store` not `file`) the login's grant is shared through it.
pub fn token_source(
    args: &SpotifyArgs,
    redis: Option<&Arc<RedisLink>>,
) -> Result<TokenSource, BuildError> {
    let timeout = Duration::from_secs(args.http_timeout_secs);
    if let Some(token) = &args.access_token {
        return Ok(TokenSource::Static(token.clone()));
    }
    let stored = token_path(args).and_then(|path| {
        let store = FileTokenStore::new(path);
        store
            .load_sync()
            .map(|grant| grant.map(|grant| (store, grant)))
    });
    match stored {
        Ok(Some((store, grant))) => {
            // Refresh tokens are bound to the app that obtained them.
            let oauth = OAuth::new(
                &args.accounts_base_url,
                &grant.client_id,
                args.client_secret.as_ref(),
                None,
                timeout,
            )?;
            let margin = Duration::from_secs(args.refresh_margin_secs);
            let store: Box<dyn TokenStore> = match shared_token_store(args, redis)? {
                Some(link) => Box::new(RedisTokenStore::new(link, store, &grant, timeout)),
                None => Box::new(store),
            };
            return Ok(TokenSource::user(store, oauth, grant, margin));
        }
        // Without a config dir there is no default store, hence no stored login.
        Ok(None) | Err(StoreError::NoConfigDir) => {}
        Err(error) => {
            tracing::error!(error = %error, "the stored login is unusable");
            return Ok(TokenSource::Broken(error.to_string()));
        }
    }
    match (&args.client_id, &args.client_secret) {
        (Some(id), Some(secret)) => {
            let oauth = OAuth::new(&args.accounts_base_url, id, Some(secret), None, timeout)?;
            Ok(TokenSource::client_credentials(oauth, id.clone()))
        }
        _ => Ok(TokenSource::None),
    }
}

/// The Redis to keep the grant in: by default the one `--redis-url` names; none with
/// `--token-store file`; `--token-store redis` without a Redis URL is an error.
fn shared_token_store(
    args: &SpotifyArgs,
    redis: Option<&Arc<RedisLink>>,
) -> Result<Option<Arc<RedisLink>>, BuildError> {
    match (args.middleware.token_store, redis) {
        (Some(TokenStoreKind::File), _) => Ok(None),
        (Some(TokenStoreKind::Redis), None) => Err(BuildError::TokenStoreWithoutRedis),
        (_, redis) => Ok(redis.cloned()),
    }
}

/// Builds the typed Spotify client with its middleware from the configuration.
pub fn build_client(args: &SpotifyArgs) -> Result<spotify::Client, BuildError> {
    let http = crate::spotify::tls::client_builder()
        .timeout(Duration::from_secs(args.http_timeout_secs))
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("spotify-mcp/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let options = &args.middleware;
    let redis = match &options.redis_url {
        Some(url) => Some(Arc::new(RedisLink::new(
            url,
            Duration::from_millis(options.redis_timeout_ms),
        )?)),
        None => None,
    };
    let tokens = Arc::new(token_source(args, redis.as_ref())?);
    let ttls = Ttls {
        catalog: Duration::from_secs(options.cache_ttl_catalog_secs),
        user: Duration::from_secs(options.cache_ttl_user_secs),
        playback: Duration::from_secs(options.cache_ttl_playback_secs),
    };
    let cache = (options.cache_max_bytes > 0)
        .then(|| Arc::new(Cache::new(options.cache_max_bytes, ttls, redis.clone())));
    let governor = Arc::new(Governor::new(
        Duration::from_secs(options.max_rate_limit_wait_secs),
        redis.clone(),
    ));
    let middleware = Arc::new(Middleware {
        tokens: tokens.clone(),
        cache,
        governor,
        retries: options.retries,
        max_body_bytes: options.max_upstream_body_bytes,
        routes: RouteMemory::new(redis),
    });
    let base = args.api_base_url.trim_end_matches('/');
    Ok(spotify::Client::new_with_client(
        base,
        http,
        spotify::Inner { tokens, middleware },
    ))
}
