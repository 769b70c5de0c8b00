use clap::Parser;
use spotify_mcp::app::{audit, auth_commands, users_commands};
use spotify_mcp::credentials::AuthMode;
use spotify_mcp::foundation::config::{
    AuthCommand, Cli, Command, ServeArgs, ToolsCommand, Transport,
};
use spotify_mcp::mcp::catalog_watch;
use spotify_mcp::mcp::confirm::Guard;
use spotify_mcp::mcp::projection::ResponseOptions;
use spotify_mcp::mcp::selection::Selection;
use spotify_mcp::mcp::undo::store::UndoStore;
use spotify_mcp::mcp::{Catalog, CatalogOptions, SpotifyServer, all_tools};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("spotify-mcp: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(run());
    // After a signal, stdin's reader thread still blocks in read(2): do not wait for it.
    runtime.shutdown_timeout(Duration::from_millis(200));
    code
}

async fn run() -> ExitCode {
    // stdout carries the protocol, so logs go to stderr.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SPOTIFY_MCP_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Auth(AuthCommand::Login(args)) => auth_commands::run_login(args).await,
        Command::Auth(AuthCommand::Status(args)) => auth_commands::run_status(args).await,
        Command::Auth(AuthCommand::Logout(args)) => auth_commands::run_logout(args).await,
        Command::Users(command) => users_commands::run(command).await,
        Command::Audit(args) => audit::run(args).await,
        Command::Tools(ToolsCommand::List(args)) => {
            match spotify_mcp::mcp::listing::report(&args) {
                Ok(report) => {
                    print!("{report}");
                    Ok(())
                }
                Err(error) => Err(error.into()),
            }
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("spotify-mcp: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(mut args: ServeArgs) -> Result<(), Box<dyn std::error::Error>> {
    // Listen for SIGTERM/SIGINT from the start, so even an early one ends the process cleanly.
    let shutdown = spotify_mcp::transport::shutdown::on_signal();
    // Held for as long as the server runs: dropping it stops the fake.
    let _demo = demo(&mut args).await?;
    let http = args.transport.transport == Transport::Http;
    let multi_user = args.multi_user.multi_user;
    if multi_user {
        // Refuse what multi-user mode cannot run with before anything listens.
        spotify_mcp::app::multi_user::check(&args)?;
    } else if http {
        // Refuse a public address without a token before anything listens.
        spotify_mcp::transport::http::check(&args.transport)?;
    }
    // The HTTP transport serves /metrics itself; --metrics-addr adds a listener of its own.
    let metrics = if http || args.metrics_addr.is_some() {
        Some(spotify_mcp::foundation::metrics::install()?)
    } else {
        None
    };
    if let (Some(addr), Some(handle)) = (args.metrics_addr, &metrics) {
        spotify_mcp::transport::metrics_listener::spawn(
            addr,
            handle.clone(),
            &args.transport,
            shutdown.clone(),
        )
        .await?;
    }
    // One link to Redis for the cache, the token store, undo, tasks and readiness.
    let redis = spotify_mcp::app::wiring::redis_link(&args.spotify)?;
    let api = if multi_user {
        spotify_mcp::app::wiring::build_multi_user_api(&args.spotify, redis.clone())?
    } else {
        spotify_mcp::app::wiring::build_single_user_api(
            &args.spotify,
            redis.clone(),
            args.login_recheck(),
        )?
    };
    let mode = api.default_credentials().mode().await;
    let granted_scopes = match &mode {
        AuthMode::User(scopes) => Some(scopes.clone()),
        _ => None,
    };
    let options = CatalogOptions {
        selection: Selection::from_args(&args.catalog, all_tools())?,
        granted_scopes,
        show_unavailable: args.show_unavailable_tools,
        mode: args.catalog.tool_mode,
        responses: ResponseOptions {
            raw: args.raw_responses,
            max_bytes: args.max_response_bytes,
        },
    };
    let catalog = Catalog::new(all_tools(), &options);
    // Only a stored login's scopes can change while the server runs (`auth login` again), or
    // the first login arrive.
    let watched = match (&mode, args.login_recheck()) {
        (AuthMode::User(_) | AuthMode::AwaitingLogin, Some(every)) if !multi_user => {
            Some((options, every))
        }
        _ => None,
    };
    // In multi-user mode each caller brings their own grant; the server itself has none.
    let auth = if multi_user {
        "each caller's own Spotify sign-in"
    } else {
        mode_label(&mode)
    };
    tracing::info!(tools = catalog.len(), api = %args.spotify.api_base_url, auth, transport = ?args.transport.transport, "serving MCP");
    // Undo plans and tasks live in Redis when there is one, so any replica serves them.
    let undo = UndoStore::new(redis.clone());
    let guard = Guard::new(
        args.confirm_destructive,
        args.spotify.middleware.encryption_key.as_ref(),
        undo,
    );
    let server = SpotifyServer::new(api, Arc::new(catalog))
        .with_guard(guard)
        .with_tasks_redis(redis.clone())
        .with_now_playing_poll(args.resources.now_playing_poll());
    if multi_user {
        return serve_multi_user(server, &args, shutdown).await;
    }
    // Held while serving: dropping it stops the watcher.
    let _watch = watched.map(|(options, every)| catalog_watch::spawn(&server, options, every));
    // Single-user mode records only when asked, in the database of --database-url.
    let audited = match args.audit.audit {
        true => Some(audit::start_single_user(&args).await?),
        false => None,
    };
    let server = match &audited {
        Some((_, trail)) => server.with_audit(trail.clone()),
        None => server,
    };
    // /readyz checks what this server depends on: Redis when configured, the audit database.
    let readiness = spotify_mcp::transport::readiness::Readiness::new(
        audited.as_ref().map(|(store, _)| store.clone()),
        redis,
    );
    let served = serve_single_user(server, &args, metrics, readiness, shutdown).await;
    if let Some((store, trail)) = audited {
        trail.flush(AUDIT_FLUSH).await;
        store.close().await;
    }
    served
}

/// How long a stopping server waits for its audit records to be written.
const AUDIT_FLUSH: Duration = Duration::from_secs(5);

async fn serve_single_user(
    server: SpotifyServer,
    args: &ServeArgs,
    metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    readiness: spotify_mcp::transport::readiness::Readiness,
    shutdown: tokio_util::sync::CancellationToken,
) -> Result<(), Box<dyn std::error::Error>> {
    let http = args.transport.transport == Transport::Http;
    match metrics {
        Some(metrics) if http => {
            let ready = Arc::new(readiness);
            spotify_mcp::transport::http::serve(server, &args.transport, metrics, ready, shutdown)
                .await?
        }
        _ => {
            let grace = Duration::from_secs(args.transport.shutdown_grace_secs);
            spotify_mcp::transport::stdio::serve(server, shutdown, grace).await?
        }
    }
    Ok(())
}

/// Multi-user mode: the public URL defaults to the bound address, so the listener comes first.
async fn serve_multi_user(
    server: SpotifyServer,
    args: &ServeArgs,
    shutdown: tokio_util::sync::CancellationToken,
) -> Result<(), Box<dyn std::error::Error>> {
    let listener = spotify_mcp::transport::http::bind(&args.transport).await?;
    let prepared = spotify_mcp::app::multi_user::prepare(args, listener.local_addr()?).await?;
    let server = server.with_audit(prepared.audit.clone());
    let served = spotify_mcp::transport::http::serve_on(
        listener,
        server,
        &args.transport,
        None,
        Some(prepared.multi_user),
        shutdown,
    )
    .await;
    prepared.audit.flush(AUDIT_FLUSH).await;
    prepared.store.close().await;
    Ok(served?)
}

#[cfg(feature = "demo")]
async fn demo(
    args: &mut ServeArgs,
) -> Result<Option<fake_spotify::FakeSpotify>, Box<dyn std::error::Error>> {
    if !args.demo {
        return Ok(None);
    }
    Ok(Some(
        spotify_mcp::app::demo::start(&mut args.spotify).await?,
    ))
}

#[cfg(not(feature = "demo"))]
async fn demo(args: &mut ServeArgs) -> Result<Option<()>, Box<dyn std::error::Error>> {
    if args.demo {
        return Err("this build has no demo mode: build with the default `demo` feature".into());
    }
    Ok(None)
}

fn mode_label(mode: &AuthMode) -> &'static str {
    match mode {
        AuthMode::None => "none",
        AuthMode::AwaitingLogin => "none yet: waiting for `spotify-mcp auth login`",
        AuthMode::RawToken => "access token",
        AuthMode::App => "client credentials",
        AuthMode::User(_) => "stored login",
        AuthMode::Broken(_) => "broken token store",
    }
}
