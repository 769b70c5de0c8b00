use clap::Parser;
use progenitor_client::ClientInfo;
use rmcp::ServiceExt;
use spotify_mcp::auth::commands;
use spotify_mcp::config::{AuthCommand, Cli, Command, ServeArgs, ToolsCommand};
use spotify_mcp::mcp::projection::ResponseOptions;
use spotify_mcp::mcp::selection::Selection;
use spotify_mcp::mcp::{Catalog, CatalogOptions, SpotifyServer, all_tools};
use spotify_mcp::middleware::auth::AuthMode;
use std::process::ExitCode;
use std::sync::Arc;

#[tokio::main]
async fn main() -> ExitCode {
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
        Command::Auth(AuthCommand::Login(args)) => commands::run_login(args).await,
        Command::Auth(AuthCommand::Status(args)) => commands::run_status(args).await,
        Command::Auth(AuthCommand::Logout(args)) => commands::run_logout(args).await,
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
    // Held for as long as the server runs: dropping it stops the fake.
    let _demo = demo(&mut args).await?;
    if let Some(addr) = args.metrics_addr {
        spotify_mcp::middleware::metrics::serve(addr)?;
        tracing::info!(%addr, "serving Prometheus metrics at /metrics");
    }
    let client = spotify_mcp::build_client(&args.spotify)?;
    let mode = client.inner().tokens.mode().await;
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
    tracing::info!(tools = catalog.len(), api = %args.spotify.api_base_url, auth = ?mode_label(&mode), "serving MCP over stdio");
    let server = SpotifyServer::new(Arc::new(client), Arc::new(catalog));
    let running = server.serve(rmcp::transport::stdio()).await?;
    running.waiting().await?;
    Ok(())
}

#[cfg(feature = "demo")]
async fn demo(
    args: &mut ServeArgs,
) -> Result<Option<fake_spotify::FakeSpotify>, Box<dyn std::error::Error>> {
    if !args.demo {
        return Ok(None);
    }
    Ok(Some(spotify_mcp::demo::start(&mut args.spotify).await?))
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
        AuthMode::RawToken => "access token",
        AuthMode::App => "client credentials",
        AuthMode::User(_) => "stored login",
        AuthMode::Broken(_) => "broken token store",
    }
}
