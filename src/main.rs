use clap::Parser;
use rmcp::ServiceExt;
use spotify_mcp::config::{Cli, Command, ServeArgs};
use spotify_mcp::mcp::{Catalog, SpotifyServer, all_tools};
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
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("spotify-mcp: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> Result<(), Box<dyn std::error::Error>> {
    let client = spotify_mcp::build_client(&args.spotify)?;
    let catalog = Catalog::new(all_tools(), args.include_deprecated);
    tracing::info!(tools = catalog.len(), api = %args.spotify.api_base_url, "serving MCP over stdio");
    let server = SpotifyServer::new(Arc::new(client), Arc::new(catalog));
    let running = server.serve(rmcp::transport::stdio()).await?;
    running.waiting().await?;
    Ok(())
}
