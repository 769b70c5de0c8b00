//! MCP over streamable HTTP (rmcp's server on axum): `/mcp`, plus `/healthz` (live), `/readyz`
//! (ready: see [`super::readiness`]) and `/metrics` on the same listener. Safe by default:
//! loopback unless told otherwise, and a bearer token required for anything else.

use super::admission::Admission;
use super::auth_guard::{BearerGuard, require_bearer};
use super::catalog_headers::narrow_catalog;
use super::connections::{self, ConnectionLimits};
use super::limits::{Limits, enforce};
use super::origin_guard::{HostOriginPolicy, PolicyError, check_host, check_host_and_origin};
use super::readiness::{Readiness, readyz};
use super::shutdown::track;
use super::user_bearer::{MultiUser, UserBearer, authenticate, authorize_call};
use crate::foundation::config::TransportArgs;
use crate::mcp::SpotifyServer;
use crate::mcp::in_flight::InFlight;
use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error(
        "refusing to listen on {0} without a bearer token: that address is reachable from other machines. Set \
         SPOTIFY_MCP_AUTH_TOKEN (or --auth-token) to a long random secret, or bind a loopback address such as \
         127.0.0.1:8080"
    )]
    TokenRequired(SocketAddr),
    #[error(
        "the bearer token (SPOTIFY_MCP_AUTH_TOKEN or --auth-token) is shorter than {0} characters, so it \
         could be guessed; make one with `openssl rand -hex 32`"
    )]
    TokenTooShort(usize),
    #[error("{0} must be at least 1")]
    ZeroLimit(&'static str),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(
        "--multi-user and --auth-token (SPOTIFY_MCP_AUTH_TOKEN) cannot be used together: in multi-user \
         mode every person signs in and gets a token of their own; drop the auth token"
    )]
    TokenWithMultiUser,
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("the HTTP server failed: {0}")]
    Serve(std::io::Error),
}

/// Checks the flags before anything starts: a public address needs a token, a token must be
/// long enough not to be guessed, and no limit may be zero.
pub fn check(args: &TransportArgs) -> Result<(), HttpError> {
    if !args.bind.ip().is_loopback() && args.auth_token.is_none() {
        return Err(HttpError::TokenRequired(args.bind));
    }
    if args
        .auth_token
        .as_ref()
        .is_some_and(|token| token.expose().chars().count() < TransportArgs::MIN_AUTH_TOKEN_CHARS)
    {
        return Err(HttpError::TokenTooShort(
            TransportArgs::MIN_AUTH_TOKEN_CHARS,
        ));
    }
    check_limits(args)
}

/// The checks of multi-user mode: each person's token guards `/mcp` (so any address may be
/// bound), and the single shared token has no place.
pub fn check_multi_user(args: &TransportArgs) -> Result<(), HttpError> {
    if args.auth_token.is_some() {
        return Err(HttpError::TokenWithMultiUser);
    }
    check_limits(args)
}

fn check_limits(args: &TransportArgs) -> Result<(), HttpError> {
    let limits = [
        (args.max_sessions, "--max-sessions"),
        (args.max_inflight_per_session, "--max-inflight-per-session"),
        (args.max_inflight, "--max-inflight"),
        (args.max_connections, "--max-connections"),
        (args.max_body_bytes, "--max-body-bytes"),
    ];
    let timeouts = [
        (args.header_timeout_secs, "--header-timeout-secs"),
        (args.body_timeout_secs, "--body-timeout-secs"),
    ];
    let zero = limits
        .iter()
        .find(|(value, _)| *value == 0)
        .map(|(_, flag)| *flag)
        .or_else(|| {
            timeouts
                .iter()
                .find(|(value, _)| *value == 0)
                .map(|(_, flag)| *flag)
        });
    match zero {
        Some(flag) => Err(HttpError::ZeroLimit(flag)),
        None => Ok(()),
    }
}

/// The connection bounds every listener of this server applies.
pub fn connection_limits(args: &TransportArgs) -> ConnectionLimits {
    ConnectionLimits {
        header_timeout: Duration::from_secs(args.header_timeout_secs),
        max_connections: args.max_connections,
    }
}

/// Binds `--bind`.
pub async fn bind(args: &TransportArgs) -> Result<tokio::net::TcpListener, HttpError> {
    tokio::net::TcpListener::bind(args.bind)
        .await
        .map_err(|source| HttpError::Bind {
            addr: args.bind,
            source,
        })
}

/// Serves until `shutdown` fires, then stops accepting, lets running requests finish within the
/// grace period, closes the sessions and returns.
/// `/readyz` checks what `readiness` names.
pub async fn serve(
    server: SpotifyServer,
    args: &TransportArgs,
    metrics: PrometheusHandle,
    readiness: Arc<Readiness>,
    shutdown: CancellationToken,
) -> Result<(), HttpError> {
    check(args)?;
    let listener = bind(args).await?;
    let multi_user = None;
    serve_ready(
        listener,
        server,
        args,
        Some(metrics),
        (multi_user, readiness),
        shutdown,
    )
    .await
}

/// [`serve`] on a bound listener; with `multi_user`, `/mcp` takes the tokens this server
/// issues (see [`super::user_bearer`]) and the authorization server's routes are served
/// beside it. `/metrics` is served here only in single-user mode with `metrics` given.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    server: SpotifyServer,
    args: &TransportArgs,
    metrics: Option<PrometheusHandle>,
    multi_user: Option<MultiUser>,
    shutdown: CancellationToken,
) -> Result<(), HttpError> {
    let readiness = match &multi_user {
        Some(multi_user) => multi_user.readiness.clone(),
        None => Arc::default(),
    };
    serve_ready(
        listener,
        server,
        args,
        metrics,
        (multi_user, readiness),
        shutdown,
    )
    .await
}

/// [`serve_on`] with what `/readyz` checks.
async fn serve_ready(
    listener: tokio::net::TcpListener,
    server: SpotifyServer,
    args: &TransportArgs,
    metrics: Option<PrometheusHandle>,
    (multi_user, readiness): (Option<MultiUser>, Arc<Readiness>),
    shutdown: CancellationToken,
) -> Result<(), HttpError> {
    let bound = listener.local_addr().map_err(|source| HttpError::Bind {
        addr: args.bind,
        source,
    })?;
    let mut policy = HostOriginPolicy::new(&args.allowed_hosts, &args.allowed_origins, bound)?;
    if let Some(multi_user) = &multi_user {
        // People and clients reach the server by its public URL.
        policy.allow_host_of(&multi_user.authorization.settings.issuer);
    }
    let policy = Arc::new(policy);

    let mut sessions = LocalSessionManager::default();
    sessions.session_config.keep_alive = Some(Duration::from_secs(args.session_idle_secs.max(1)));
    let sessions = Arc::new(sessions);
    let sessions_closed = CancellationToken::new();
    let mut config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(policy.rmcp_hosts())
        .with_allowed_origins(policy.rmcp_origins())
        .with_max_request_body_bytes(args.max_body_bytes)
        .with_cancellation_token(sessions_closed.clone());
    if policy.rmcp_origins().is_empty() {
        // No list means "check nothing" to rmcp; here it means "no browser page may call".
        config = config.enforce_origin_validation();
    }
    let mcp = StreamableHttpService::new(move || Ok(server.clone()), sessions.clone(), config);

    let requests = Arc::new(InFlight::default());
    let limits = Arc::new(Limits {
        max_body_bytes: args.max_body_bytes,
        body_timeout: Duration::from_secs(args.body_timeout_secs),
        admission: Arc::new(Admission::new(
            args.max_sessions,
            args.max_inflight_per_session,
            args.max_inflight,
            sessions,
        )),
    });
    let mcp_routes = Router::new()
        .route_service("/mcp", mcp)
        .layer(from_fn_with_state(requests.clone(), track))
        .layer(axum::middleware::from_fn(narrow_catalog));
    let multi = multi_user.is_some();
    let app = match multi_user {
        Some(multi_user) => multi_user_routes(mcp_routes, limits, multi_user, policy),
        None => single_user_routes(mcp_routes, limits, args, metrics, policy),
    }
    // Load balancers probe these without credentials or a known Host.
    .route("/healthz", get(|| async { "ok\n" }))
    .route("/readyz", get(readyz).with_state(readiness));

    // On the signal, the listener stops accepting and open connections finish their requests.
    let server = connections::serve(listener, app, connection_limits(args), shutdown.clone());
    let mut server = tokio::spawn(server);
    tracing::info!(addr = %bound, auth = args.auth_token.is_some(), multi_user = multi, "serving MCP over HTTP at /mcp");

    tokio::select! {
        finished = &mut server => {
            return Err(HttpError::Serve(match finished {
                Ok(()) => std::io::Error::other("the listener stopped"),
                Err(join) => std::io::Error::other(join),
            }));
        }
        () = shutdown.cancelled() => {}
    }
    let grace = Duration::from_secs(args.shutdown_grace_secs);
    if !requests.drain(grace).await {
        tracing::warn!(
            running = requests.running(),
            "shutdown grace over: requests still running are dropped"
        );
    }
    // Ends the sessions and their event streams, so the remaining connections close.
    sessions_closed.cancel();
    if tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the shutdown; exiting anyway");
    }
    tracing::info!("HTTP transport stopped");
    Ok(())
}

/// `/mcp` behind the limits and, with `--auth-token`, the shared bearer token; `/metrics` too.
fn single_user_routes(
    mcp_routes: Router,
    limits: Arc<Limits>,
    args: &TransportArgs,
    metrics: Option<PrometheusHandle>,
    policy: Arc<HostOriginPolicy>,
) -> Router {
    let mut guarded = mcp_routes.layer(from_fn_with_state(limits, enforce));
    if let Some(metrics) = metrics {
        guarded = guarded.route("/metrics", get(move || async move { metrics.render() }));
    }
    if let Some(token) = &args.auth_token {
        let guard = Arc::new(BearerGuard::new(token.clone()));
        guarded = guarded.layer(from_fn_with_state(guard, require_bearer));
    }
    guarded.layer(from_fn_with_state(policy, check_host_and_origin))
}

/// Multi-user mode: `/mcp` takes each person's token (checked before the body is read; the
/// scope check and the per-user limit inside the body limits, where the body is at hand),
/// and the authorization server's routes are served beside it. Its pages are for browsers:
/// a same-origin form POST carries `Origin`, so they get the Host check (DNS rebinding) but
/// not the Origin check that keeps browser pages off `/mcp`. No `/metrics` here: no operator
/// token guards it in this mode; `--metrics-addr` serves it on a listener of its own.
fn multi_user_routes(
    mcp_routes: Router,
    limits: Arc<Limits>,
    multi_user: MultiUser,
    policy: Arc<HostOriginPolicy>,
) -> Router {
    let authorization = multi_user.authorization.clone();
    let bearer = Arc::new(UserBearer::new(multi_user));
    let mcp_routes = mcp_routes
        .layer(from_fn_with_state(bearer.clone(), authorize_call))
        .layer(from_fn_with_state(limits, enforce))
        .layer(from_fn_with_state(bearer, authenticate))
        .layer(from_fn_with_state(policy.clone(), check_host_and_origin));
    // Cross-origin access (CORS) for the metadata and token endpoints, if any, is the
    // authorization router's own layer: it knows which of its routes browsers may call.
    let oauth_routes =
        crate::authorization::router(authorization).layer(from_fn_with_state(policy, check_host));
    mcp_routes.merge(oauth_routes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::secret::Secret;

    fn with_token(token: &str) -> TransportArgs {
        TransportArgs {
            auth_token: Some(Secret::new(token)),
            ..TransportArgs::default()
        }
    }

    #[test]
    fn tokens_under_32_characters_are_refused() {
        let error = check(&with_token(&"x".repeat(31))).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("openssl rand -hex 32"), "{message}");
        assert!(
            !message.contains("xxx"),
            "the token is not echoed: {message}"
        );
        assert!(check(&with_token(&"x".repeat(32))).is_ok());
    }

    #[test]
    fn zero_limits_and_timeouts_are_refused() {
        let zero_timeout = TransportArgs {
            header_timeout_secs: 0,
            ..TransportArgs::default()
        };
        assert!(matches!(
            check(&zero_timeout),
            Err(HttpError::ZeroLimit("--header-timeout-secs"))
        ));
        let zero_connections = TransportArgs {
            max_connections: 0,
            ..TransportArgs::default()
        };
        assert!(matches!(
            check(&zero_connections),
            Err(HttpError::ZeroLimit("--max-connections"))
        ));
        assert!(check(&TransportArgs::default()).is_ok());
    }
}
