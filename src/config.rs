//! Command-line flags and environment variables.

use crate::middleware::auth::Secret;
use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "spotify-mcp",
    version,
    about = "An MCP server for the Spotify Web API"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve MCP over stdio (for Claude Desktop, Claude Code and other local clients).
    Serve(ServeArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub spotify: SpotifyArgs,
    /// Also list tools for operations Spotify has deprecated or withdrawn for newer apps.
    #[arg(long, env = "SPOTIFY_MCP_INCLUDE_DEPRECATED")]
    pub include_deprecated: bool,
}

#[derive(Clone, Args)]
pub struct SpotifyArgs {
    /// Base URL of the Spotify Web API.
    #[arg(
        long,
        env = "SPOTIFY_API_BASE_URL",
        default_value = "https://api.spotify.com/v1"
    )]
    pub api_base_url: String,
    /// Base URL of Spotify's accounts service (token endpoint).
    #[arg(
        long,
        env = "SPOTIFY_ACCOUNTS_BASE_URL",
        default_value = "https://accounts.spotify.com"
    )]
    pub accounts_base_url: String,
    /// Client id of your Spotify app (with the secret: Client Credentials for catalog tools).
    #[arg(long, env = "SPOTIFY_CLIENT_ID")]
    pub client_id: Option<String>,
    /// Client secret of your Spotify app. Prefer the environment variable to the flag.
    #[arg(long, env = "SPOTIFY_CLIENT_SECRET", hide_env_values = true, value_parser = parse_secret)]
    pub client_secret: Option<Secret>,
    /// A user access token, used as is (it expires after an hour). Prefer the environment variable.
    #[arg(long, env = "SPOTIFY_ACCESS_TOKEN", hide_env_values = true, value_parser = parse_secret)]
    pub access_token: Option<Secret>,
    /// Seconds to wait for Spotify before a call fails.
    #[arg(long, env = "SPOTIFY_MCP_HTTP_TIMEOUT", default_value_t = 30)]
    pub http_timeout_secs: u64,
}

fn parse_secret(value: &str) -> Result<Secret, String> {
    if value.trim().is_empty() {
        return Err("must not be empty".into());
    }
    Ok(Secret::new(value.trim()))
}

impl std::fmt::Debug for SpotifyArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpotifyArgs")
            .field("api_base_url", &self.api_base_url)
            .field("accounts_base_url", &self.accounts_base_url)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "[redacted]"),
            )
            .field("http_timeout_secs", &self.http_timeout_secs)
            .finish()
    }
}
