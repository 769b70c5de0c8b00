#![doc = "spotify-mcp: the Spotify Web API as MCP tools, derived from `openapi/spotify.yaml`."]

pub mod config;
pub mod mcp;
pub mod middleware;
pub mod spotify;

use config::SpotifyArgs;
use middleware::auth::TokenSource;
use std::time::Duration;

/// Builds the typed Spotify client with its middleware from the configuration.
pub fn build_client(args: &SpotifyArgs) -> Result<spotify::Client, reqwest::Error> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(args.http_timeout_secs))
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("spotify-mcp/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let tokens = match (&args.access_token, &args.client_id, &args.client_secret) {
        (Some(token), _, _) => TokenSource::Static(token.clone()),
        (None, Some(id), Some(secret)) => TokenSource::client_credentials(
            http.clone(),
            &args.accounts_base_url,
            id.clone(),
            secret.clone(),
        ),
        _ => TokenSource::None,
    };
    let base = args.api_base_url.trim_end_matches('/');
    Ok(spotify::Client::new_with_client(
        base,
        http,
        spotify::Inner {
            tokens: std::sync::Arc::new(tokens),
        },
    ))
}
