//! `spotify-mcp-fake`: the fake Spotify on its own, for benchmarks and manual runs.

use clap::Parser;
use fake_spotify::{FakeSpotify, Knobs, RouteMode, Trigger};
use std::net::SocketAddr;

/// A realistic fake of the Spotify Web API and accounts service on 127.0.0.1, with fault knobs.
/// Prints its address and a user token, then serves until interrupted. Knobs can also be
/// changed while it runs: POST /__fake/knobs with JSON; the request log is at
/// GET /__fake/requests. Triggers take `off`, `every`, or N (the Nth API request only).
#[derive(Debug, Parser)]
#[command(name = "spotify-mcp-fake", version)]
struct Flags {
    /// Address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// Seed of the generated catalog.
    #[arg(long, default_value_t = Knobs::default().seed)]
    seed: u64,
    /// Milliseconds added to every answer.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Lifetime of issued access tokens, in seconds.
    #[arg(long, default_value_t = 3600)]
    token_lifetime_secs: u64,
    /// Which routes the app may use (Spotify's 2026 change).
    #[arg(long, value_enum, default_value = "both")]
    route_mode: RouteMode,
    /// Player commands answer 404 NO_ACTIVE_DEVICE.
    #[arg(long)]
    no_active_device: bool,
    /// Faults apply to requests whose path starts with this (default: every /v1 request).
    #[arg(long)]
    fault_path_prefix: Option<String>,
    /// 429 with Retry-After.
    #[arg(long, default_value = "off")]
    rate_limit: Trigger,
    /// Retry-After of a 429, in seconds.
    #[arg(long, default_value_t = 1)]
    retry_after_secs: u64,
    /// `reason` of a 429 (e.g. QUOTA_EXCEEDED).
    #[arg(long)]
    rate_limit_reason: Option<String>,
    /// A 5xx answer.
    #[arg(long, default_value = "off")]
    server_error: Trigger,
    /// Status of the 5xx answer.
    #[arg(long, default_value_t = 503)]
    server_error_status: u16,
    /// Carry the request out, then reset the connection.
    #[arg(long, default_value = "off")]
    connection_reset: Trigger,
    /// Carry the request out, then send half the declared body and close.
    #[arg(long, default_value = "off")]
    truncated_body: Trigger,
    /// Carry the request out, then trickle the body.
    #[arg(long, default_value = "off")]
    slow_body: Trigger,
    /// Bytes per trickled chunk.
    #[arg(long, default_value_t = 256)]
    slow_body_chunk_bytes: usize,
    /// Milliseconds between trickled chunks.
    #[arg(long, default_value_t = 50)]
    slow_body_chunk_delay_ms: u64,
    /// Carry the request out, then answer invalid JSON.
    #[arg(long, default_value = "off")]
    malformed_json: Trigger,
    /// Carry the request out, then pad the JSON answer to --huge-body-bytes.
    #[arg(long, default_value = "off")]
    huge_body: Trigger,
    /// Size of a padded answer, in bytes.
    #[arg(long, default_value_t = 10 << 20)]
    huge_body_bytes: usize,
    /// Never answer requests whose path starts with this.
    #[arg(long)]
    never_answer_path: Option<String>,
    /// Development Mode: API calls of users beyond the first N of a client id get 403.
    #[arg(long)]
    development_mode_user_limit: Option<usize>,
    /// A registered redirect URI (repeatable); none: any URI Spotify allows.
    #[arg(long = "redirect-uri")]
    redirect_uris: Vec<String>,
    /// Another user to create, by display name (repeatable); their tokens are printed too.
    #[arg(long = "user")]
    users: Vec<String>,
}

impl Flags {
    fn knobs(&self) -> Knobs {
        Knobs {
            seed: self.seed,
            latency_ms: self.latency_ms,
            token_lifetime_secs: self.token_lifetime_secs,
            route_mode: self.route_mode,
            no_active_device: self.no_active_device,
            fault_path_prefix: self.fault_path_prefix.clone(),
            rate_limit: self.rate_limit,
            retry_after_secs: self.retry_after_secs,
            rate_limit_reason: self.rate_limit_reason.clone(),
            server_error: self.server_error,
            server_error_status: self.server_error_status,
            connection_reset: self.connection_reset,
            truncated_body: self.truncated_body,
            slow_body: self.slow_body,
            slow_body_chunk_bytes: self.slow_body_chunk_bytes,
            slow_body_chunk_delay_ms: self.slow_body_chunk_delay_ms,
            malformed_json: self.malformed_json,
            huge_body: self.huge_body,
            huge_body_bytes: self.huge_body_bytes,
            never_answer_path: self.never_answer_path.clone(),
            development_mode_user_limit: self.development_mode_user_limit,
            redirect_uris: self.redirect_uris.clone(),
        }
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let flags = Flags::parse();
    let fake = match FakeSpotify::start_on(flags.addr, flags.knobs()).await {
        Ok(fake) => fake,
        Err(error) => {
            eprintln!("spotify-mcp-fake: cannot listen on {}: {error}", flags.addr);
            return std::process::ExitCode::FAILURE;
        }
    };
    let token = fake.issue_user_token();
    // One line a script can parse, then the details.
    println!("listening on {}", fake.addr());
    println!("api base url:      {}", fake.api_url());
    println!("accounts base url: {}", fake.url());
    println!("user access token: {}", token.access_token);
    println!(
        "refresh token:     {}",
        token.refresh_token.unwrap_or_default()
    );
    for name in &flags.users {
        let user = fake.add_user(name);
        let token = fake.issue_token(&user);
        println!("user {}: access token {}", user.id, token.access_token);
    }
    println!(
        "knobs: {}/__fake/knobs   request log: {}/__fake/requests",
        fake.url(),
        fake.url()
    );
    let _ = tokio::signal::ctrl_c().await;
    std::process::ExitCode::SUCCESS
}
