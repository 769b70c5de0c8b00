//! Wiring: the Spotify client with its middleware and credentials, built from the configuration.

use crate::credentials::oauth::OAuth;
use crate::credentials::redis_store::RedisTokenStore;
use crate::credentials::store::{FileTokenStore, StoreError, TokenStore, default_token_path};
use crate::credentials::token_source::{StartLogin, TokenSource};
use crate::foundation::config::{SpotifyArgs, TokenStoreKind};
use crate::foundation::redis_link::{RedisLink, RedisTransport};
use crate::foundation::sealed::GrantKeys;
use crate::middleware::cache::{Cache, Ttls};
use crate::middleware::governor::Governor;
use crate::middleware::pipeline::Middleware;
use crate::middleware::routes::RouteMemory;
use crate::spotify;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot set up the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
    #[error(transparent)]
    OAuth(#[from] crate::credentials::oauth::OAuthError),
    #[error(transparent)]
    Redis(#[from] crate::foundation::redis_link::RedisError),
    #[error(
        "--token-store redis needs a Redis: set --redis-url (SPOTIFY_MCP_REDIS_URL), or drop --token-store"
    )]
    TokenStoreWithoutRedis,
    #[error(
        "the stored login would be shared through Redis, which needs an encryption key: set \
         SPOTIFY_MCP_ENCRYPTION_KEY (32 random bytes as base64, e.g. `openssl rand -base64 32`, the same on \
         every server), or keep the login in the token file with --token-store file"
    )]
    GrantWithoutKey,
    #[error(
        "the Redis URL reaches another machine without TLS, so the stored login would cross the network \
         in clear text: use rediss:// (with --redis-ca-file for a private CA), or --token-store file, or \
         --allow-plaintext-redis if the network is trusted"
    )]
    PlaintextRedis,
    #[error(transparent)]
    Key(#[from] crate::foundation::sealed::KeyError),
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
        Ok(Some((store, grant))) => return user_source(args, redis, store, grant),
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

/// The credentials of the login `store` holds (`grant`), kept in Redis too when it is shared.
fn user_source(
    args: &SpotifyArgs,
    redis: Option<&Arc<RedisLink>>,
    store: FileTokenStore,
    grant: crate::credentials::Grant,
) -> Result<TokenSource, BuildError> {
    let timeout = Duration::from_secs(args.http_timeout_secs);
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
        Some((link, keys)) => Box::new(RedisTokenStore::new(link, keys, store, &grant, timeout)),
        None => Box::new(store),
    };
    Ok(TokenSource::user(store, oauth, grant, margin))
}

/// [`token_source`], but a server with no credentials at all and a token file waits for `auth
/// login` to write it, looking once per `login_recheck`: the login then serves as if it had been
/// there at start (in Redis too when the grant is shared). `None`: no waiting.
pub fn awaiting_token_source(
    args: &SpotifyArgs,
    redis: Option<&Arc<RedisLink>>,
    login_recheck: Option<Duration>,
) -> Result<TokenSource, BuildError> {
    let source = token_source(args, redis)?;
    let (TokenSource::None, Some(every), Ok(path)) = (&source, login_recheck, token_path(args))
    else {
        return Ok(source);
    };
    let (args, redis) = (args.clone(), redis.cloned());
    let start: StartLogin = Box::new(move |store, grant| {
        user_source(&args, redis.as_ref(), store, grant).map_err(|error| error.to_string())
    });
    Ok(TokenSource::awaiting_login(
        FileTokenStore::new(path),
        every,
        start,
    ))
}

/// A Redis link for the grant and the keys that seal it there.
type SharedStore = (Arc<RedisLink>, Arc<GrantKeys>);

/// The Redis to keep the grant in, and the keys that seal it: by default the one `--redis-url`
/// names; none with `--token-store file`; `--token-store redis` without a Redis URL is an error.
/// A grant goes to Redis only sealed, and over TLS or to this machine unless the operator
/// allows plain TCP.
fn shared_token_store(
    args: &SpotifyArgs,
    redis: Option<&Arc<RedisLink>>,
) -> Result<Option<SharedStore>, BuildError> {
    let options = &args.middleware;
    let link = match (options.token_store, redis) {
        (Some(TokenStoreKind::File), _) | (None, None) => return Ok(None),
        (Some(TokenStoreKind::Redis), None) => return Err(BuildError::TokenStoreWithoutRedis),
        (_, Some(link)) => link,
    };
    if link.transport() == RedisTransport::Plaintext && !options.allow_plaintext_redis {
        return Err(BuildError::PlaintextRedis);
    }
    let key = options
        .encryption_key
        .as_ref()
        .ok_or(BuildError::GrantWithoutKey)?;
    let keys = GrantKeys::new(key, &options.encryption_keys_old)?;
    Ok(Some((link.clone(), Arc::new(keys))))
}

/// Builds the Spotify side of the server from the configuration: the HTTP client, the
/// middleware, and the credentials calls use by default.
pub fn build_api(args: &SpotifyArgs) -> Result<spotify::SpotifyApi, BuildError> {
    build_single_user_api(args, redis_link(args)?, None)
}

/// [`build_api`] for a server that looks at its token file once per `login_recheck`: started
/// before `auth login`, it takes the login when it appears ([`awaiting_token_source`]). `redis`
/// is the server's one link to `--redis-url` ([`redis_link`]), shared with what else uses it.
pub fn build_single_user_api(
    args: &SpotifyArgs,
    redis: Option<Arc<RedisLink>>,
    login_recheck: Option<Duration>,
) -> Result<spotify::SpotifyApi, BuildError> {
    let credentials = Arc::new(awaiting_token_source(args, redis.as_ref(), login_recheck)?);
    assemble(args, credentials, redis)
}

/// Multi-user mode's Spotify side: every call brings its caller's credentials, so the default
/// ones are none at all (a call without a caller can never act as the operator's login).
/// `redis` is the server's one link to `--redis-url` ([`redis_link`]).
pub fn build_multi_user_api(
    args: &SpotifyArgs,
    redis: Option<Arc<RedisLink>>,
) -> Result<spotify::SpotifyApi, BuildError> {
    assemble(args, Arc::new(TokenSource::None), redis)
}

/// The Redis link `--redis-url` names, if any.
pub fn redis_link(args: &SpotifyArgs) -> Result<Option<Arc<RedisLink>>, BuildError> {
    let options = &args.middleware;
    Ok(match &options.redis_url {
        Some(url) => Some(Arc::new(RedisLink::with_ca(
            url,
            Duration::from_millis(options.redis_timeout_ms),
            options.redis_ca_file.as_deref(),
        )?)),
        None => None,
    })
}

fn assemble(
    args: &SpotifyArgs,
    credentials: Arc<TokenSource>,
    redis: Option<Arc<RedisLink>>,
) -> Result<spotify::SpotifyApi, BuildError> {
    let http = crate::foundation::tls::client_builder()
        .timeout(Duration::from_secs(args.http_timeout_secs))
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("spotify-mcp/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let options = &args.middleware;
    // Spotify's quota and its route rules are per app.
    let app = credentials
        .app()
        .map(String::from)
        .or(args.client_id.clone());
    let ttls = Ttls {
        catalog: Duration::from_secs(options.cache_ttl_catalog_secs),
        user: Duration::from_secs(options.cache_ttl_user_secs),
        playback: Duration::from_secs(options.cache_ttl_playback_secs),
    };
    let cache = (options.cache_max_bytes > 0)
        .then(|| Arc::new(Cache::new(options.cache_max_bytes, ttls, redis.clone())));
    let governor = Arc::new(
        Governor::new(
            Duration::from_secs(options.max_rate_limit_wait_secs),
            redis.clone(),
        )
        .for_app(app.as_deref()),
    );
    let middleware = Arc::new(Middleware {
        cache,
        governor,
        retries: options.retries,
        max_body_bytes: options.max_upstream_body_bytes,
        routes: RouteMemory::new(redis).for_app(app.as_deref()),
    });
    Ok(spotify::SpotifyApi::new(
        &args.api_base_url,
        http,
        middleware,
        credentials,
    ))
}
