//! `serve --demo`: the fake Spotify (`fake-spotify`) started in this process, and the server
//! pointed at it with a demo login, so every tool can be tried without a Spotify account.

use crate::foundation::config::SpotifyArgs;
use crate::foundation::secret::Secret;
use fake_spotify::{FakeSpotify, Knobs};

/// Long enough that the demo login never expires during a session.
const DEMO_TOKEN_LIFETIME_SECS: u64 = 30 * 24 * 3600;

/// Starts the fake on 127.0.0.1 and rewrites `args` to use it: its URLs, a token it issued,
/// and no shared Redis (demo answers must never mix with real ones). Keep the returned fake
/// alive for as long as the server runs.
pub async fn start(args: &mut SpotifyArgs) -> std::io::Result<FakeSpotify> {
    let fake = FakeSpotify::start(Knobs {
        token_lifetime_secs: DEMO_TOKEN_LIFETIME_SECS,
        ..Knobs::default()
    })
    .await?;
    args.api_base_url = fake.api_url();
    args.accounts_base_url = fake.url();
    args.access_token = Some(Secret::new(fake.issue_user_token().access_token));
    args.client_id = None;
    args.client_secret = None;
    args.middleware.redis_url = None;
    tracing::warn!(
        api = %fake.api_url(),
        "DEMO MODE: answers come from a fake Spotify with made-up artists, albums and playlists; nothing reaches a real Spotify account"
    );
    Ok(fake)
}
