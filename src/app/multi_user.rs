//! `serve --transport http --multi-user`: the checks before anything starts, the public URL,
//! and the parts multi-user mode adds to the HTTP transport — the store, the authorization
//! server and every user's credentials.

use crate::app::auth_commands::default_scopes;
use crate::app::wiring::{BuildError, redis_link};
use crate::authorization::{AuthorizationServer, Settings};
use crate::credentials::oauth::{OAuth, OAuthError};
use crate::credentials::per_user::{GrantSettings, UserGrants};
use crate::foundation::config::{ServeArgs, Transport};
use crate::foundation::sealed::{GrantKeys, KeyError};
use crate::mcp::all_tools;
use crate::mcp::audit::AuditTrail;
use crate::mcp::selection::{Selection, SelectionError};
use crate::store::{Scopes, Store, StoreError, TokenLifetimes};
use crate::transport::http::{self, HttpError};
use crate::transport::readiness::Readiness;
use crate::transport::user_bearer::MultiUser;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum MultiUserError {
    #[error("--multi-user needs the HTTP transport: add --transport http")]
    NeedsHttp,
    #[error(
        "--multi-user needs your Spotify app's client id (people sign in with it): set \
         SPOTIFY_CLIENT_ID or pass --client-id"
    )]
    NeedsClientId,
    #[error(
        "--multi-user needs an encryption key to seal people's Spotify grants in the database: \
         set SPOTIFY_MCP_ENCRYPTION_KEY to 32 random bytes as base64 (`openssl rand -base64 32`) \
         and keep it: without it the stored grants cannot be read"
    )]
    NeedsEncryptionKey,
    #[error(
        "--public-url `{0}` is not usable: give the URL people reach this server at, http:// or \
         https:// with a host and no path, query or fragment (e.g. https://mcp.example.com)"
    )]
    PublicUrl(String),
    #[error(
        "--bind {0} is not an address clients can reach: pass --public-url with the URL they \
         use (e.g. https://mcp.example.com)"
    )]
    NoPublicUrl(SocketAddr),
    #[error("{0} must be at least 1")]
    Zero(&'static str),
    #[error(transparent)]
    Transport(#[from] HttpError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    Selection(#[from] SelectionError),
}

/// Everything `--multi-user` needs, checked before anything starts.
pub fn check(args: &ServeArgs) -> Result<(), MultiUserError> {
    if args.transport.transport != Transport::Http {
        return Err(MultiUserError::NeedsHttp);
    }
    http::check_multi_user(&args.transport)?;
    if args.spotify.client_id.is_none() {
        return Err(MultiUserError::NeedsClientId);
    }
    if args.spotify.middleware.encryption_key.is_none() {
        return Err(MultiUserError::NeedsEncryptionKey);
    }
    let multi_user = &args.multi_user;
    for (value, flag) in [
        (multi_user.access_token_ttl_secs, "--access-token-ttl-secs"),
        (
            multi_user.refresh_token_ttl_secs,
            "--refresh-token-ttl-secs",
        ),
        (
            multi_user.max_inflight_per_user as u64,
            "--max-inflight-per-user",
        ),
    ] {
        if value == 0 {
            return Err(MultiUserError::Zero(flag));
        }
    }
    if let Some(url) = &multi_user.public_url {
        public_url(url)?;
    }
    Ok(())
}

/// The public URL as the issuer and base of every endpoint: scheme, host and port only.
pub fn public_url(text: &str) -> Result<String, MultiUserError> {
    let refused = || MultiUserError::PublicUrl(text.to_string());
    let url = url::Url::parse(text.trim()).map_err(|_| refused())?;
    let plain = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some_and(|h| !h.is_empty())
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    if !plain {
        return Err(refused());
    }
    let origin = url.origin().ascii_serialization();
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if url.scheme() == "http" && !loopback {
        tracing::warn!(
            public_url = %origin,
            "the public URL is plain http on a non-loopback host: tokens and sign-ins cross the \
             network in clear text; put TLS in front and use https://"
        );
    }
    Ok(origin)
}

/// `--public-url`, or `http://<the bound address>`.
fn issuer(args: &ServeArgs, bound: SocketAddr) -> Result<String, MultiUserError> {
    match &args.multi_user.public_url {
        Some(url) => public_url(url),
        None if bound.ip().is_unspecified() => Err(MultiUserError::NoPublicUrl(bound)),
        None => public_url(&format!("http://{bound}")),
    }
}

/// What multi-user mode adds to the HTTP transport, the audit trail the MCP server records in
/// (flush it, then close the store, at the end).
pub struct Prepared {
    pub multi_user: MultiUser,
    pub store: Store,
    pub audit: AuditTrail,
}

/// Opens the store and builds the authorization server and the users' credentials, for a
/// server listening at `bound`. The scopes people grant are every scope the served tools need.
pub async fn prepare(args: &ServeArgs, bound: SocketAddr) -> Result<Prepared, MultiUserError> {
    check(args)?;
    let spotify = &args.spotify;
    let client_id = spotify
        .client_id
        .as_deref()
        .ok_or(MultiUserError::NeedsClientId)?;
    let key = spotify
        .middleware
        .encryption_key
        .as_ref()
        .ok_or(MultiUserError::NeedsEncryptionKey)?;
    let keys = Arc::new(GrantKeys::new(
        key,
        &spotify.middleware.encryption_keys_old,
    )?);
    let issuer = issuer(args, bound)?;
    let store = Store::open(&args.multi_user.database, keys.clone()).await?;
    let timeout = Duration::from_secs(spotify.http_timeout_secs);
    let oauth = |redirect: Option<&str>| {
        OAuth::new(
            &spotify.accounts_base_url,
            client_id,
            spotify.client_secret.as_ref(),
            redirect,
            timeout,
        )
    };
    let selection = Selection::from_args(&args.catalog, all_tools())?;
    let settings = Settings {
        scopes: default_scopes(&selection).into_iter().collect::<Scopes>(),
        lifetimes: TokenLifetimes {
            access: Duration::from_secs(args.multi_user.access_token_ttl_secs),
            refresh: Duration::from_secs(args.multi_user.refresh_token_ttl_secs),
        },
        allow_private_client_metadata: args.multi_user.allow_private_client_metadata,
        api_base_url: spotify.api_base_url.clone(),
        issuer,
    };
    let redirect = settings.url(crate::authorization::paths::SPOTIFY_CALLBACK);
    let authorization = Arc::new(AuthorizationServer {
        spotify: oauth(Some(&redirect))?,
        settings,
        store: store.clone(),
        keys,
        on_disconnect: Default::default(),
    });
    let redis = redis_link(spotify)?;
    let grants = Arc::new(UserGrants::new(GrantSettings {
        store: store.clone(),
        oauth: Arc::new(oauth(None)?),
        refresh_margin: Duration::from_secs(spotify.refresh_margin_secs),
        redis: redis.clone(),
        refresh_timeout: timeout,
    }));
    tracing::info!(
        issuer = %authorization.settings.issuer,
        database = ?store.backend(),
        "multi-user mode: people sign in with Spotify; register {redirect} as a redirect URI of the Spotify app"
    );
    let audit = crate::app::audit::start(&store, &args.audit);
    let mut multi_user =
        MultiUser::new(authorization, grants, args.multi_user.max_inflight_per_user);
    multi_user.readiness = Arc::new(Readiness::new(Some(store.clone()), redis));
    Ok(Prepared {
        multi_user,
        store,
        audit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::config::{Cli, Command};
    use crate::foundation::secret::Secret;
    use clap::Parser;

    /// `serve --transport http --multi-user` with a client id and a key, whatever the
    /// environment says.
    fn args() -> ServeArgs {
        let Command::Serve(mut args) = Cli::parse_from(["spotify-mcp", "serve"]).command else {
            unreachable!("serve parses")
        };
        args.transport.transport = Transport::Http;
        args.transport.auth_token = None;
        args.multi_user.multi_user = true;
        args.multi_user.public_url = None;
        args.spotify.client_id = Some("app".into());
        args.spotify.middleware.encryption_key = Some(Secret::new("00".repeat(32)));
        args
    }

    #[test]
    fn what_multi_user_mode_cannot_run_without_is_refused_with_what_to_do() {
        assert!(check(&args()).is_ok());
        let mut stdio = args();
        stdio.transport.transport = Transport::Stdio;
        assert!(matches!(check(&stdio), Err(MultiUserError::NeedsHttp)));
        let mut no_client = args();
        no_client.spotify.client_id = None;
        let error = check(&no_client).unwrap_err();
        assert!(error.to_string().contains("SPOTIFY_CLIENT_ID"), "{error}");
        let mut no_key = args();
        no_key.spotify.middleware.encryption_key = None;
        let error = check(&no_key).unwrap_err();
        assert!(
            error.to_string().contains("SPOTIFY_MCP_ENCRYPTION_KEY"),
            "{error}"
        );
        let mut shared_token = args();
        shared_token.transport.auth_token = Some(Secret::new("x".repeat(40)));
        let error = check(&shared_token).unwrap_err();
        assert!(matches!(
            error,
            MultiUserError::Transport(HttpError::TokenWithMultiUser)
        ));
        assert!(
            !error.to_string().contains("xxxx"),
            "the token is not echoed"
        );
        let mut zero = args();
        zero.multi_user.max_inflight_per_user = 0;
        assert!(matches!(
            check(&zero),
            Err(MultiUserError::Zero("--max-inflight-per-user"))
        ));
    }

    #[test]
    fn public_urls_are_an_origin_and_nothing_else() {
        assert_eq!(
            public_url("https://mcp.example.com/").unwrap(),
            "https://mcp.example.com"
        );
        assert_eq!(
            public_url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            public_url("https://mcp.example.com:443").unwrap(),
            "https://mcp.example.com"
        );
        for refused in [
            "mcp.example.com",
            "ftp://mcp.example.com",
            "https://mcp.example.com/mcp",
            "https://mcp.example.com/?a=b",
            "https://mcp.example.com/#top",
            "https://user:pw@mcp.example.com",
            "file:///tmp/x",
        ] {
            assert!(public_url(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn the_default_public_url_is_the_bound_address_but_not_an_unspecified_one() {
        let bound: SocketAddr = "127.0.0.1:8123".parse().unwrap();
        assert_eq!(issuer(&args(), bound).unwrap(), "http://127.0.0.1:8123");
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert!(matches!(
            issuer(&args(), any),
            Err(MultiUserError::NoPublicUrl(_))
        ));
    }
}
