//! The fake Spotify and how to launch each server against it, shared by every phase of a run.

use super::binaries::Binaries;
use super::error::BenchError;
use super::measure::Call;
use super::process::Launch;
use fake_spotify::{FakeSpotify, Kind, Knobs};
use serde_json::json;

pub struct Servers<'a> {
    pub fake: FakeSpotify,
    token: String,
    pub album: String,
    pub playlist: String,
    binaries: &'a Binaries,
}

impl<'a> Servers<'a> {
    /// Starts the fake and picks the album and playlist the calls ask for.
    pub async fn start(binaries: &'a Binaries) -> Result<Self, BenchError> {
        let fake = FakeSpotify::start(Knobs::default())
            .await
            .map_err(BenchError::Fake)?;
        let token = fake.issue_user_token().access_token;
        let album = fake
            .ids(Kind::Album)
            .into_iter()
            .next()
            .ok_or_else(|| no_data("album"))?;
        let playlist = fake
            .own_playlist_ids()
            .into_iter()
            .next()
            .ok_or_else(|| no_data("playlist"))?;
        Ok(Servers {
            fake,
            token,
            album,
            playlist,
            binaries,
        })
    }

    /// spotify-mcp serving the fake with a raw token (never a stored login), plus `extra` flags.
    pub fn ours(&self, extra: &[&str]) -> Launch {
        Launch::new("spotify-mcp", self.binaries.server.clone())
            .args(["serve"])
            .args(extra.iter().copied())
            .env("SPOTIFY_ACCESS_TOKEN", self.token.clone())
            .env("SPOTIFY_API_BASE_URL", self.fake.api_url())
            .env("SPOTIFY_ACCOUNTS_BASE_URL", self.fake.url())
            .env(
                "SPOTIFY_MCP_TOKEN_FILE",
                std::env::temp_dir()
                    .join("spotify-mcp-bench-no-login/token.json")
                    .display()
                    .to_string(),
            )
    }

    pub fn floor(&self) -> Launch {
        Launch::new("floor", self.binaries.floor.clone())
    }

    /// The call most rows time: one album, about the size of the floor's album tool's answer.
    pub fn get_album(&self) -> Call {
        Call::new("get_album", json!({ "id": self.album }))
    }

    /// The floor's fixed ~14 KB answer, its counterpart of `get_album`.
    pub fn floor_album(&self) -> Call {
        Call::new("album", json!({}))
    }
}

fn no_data(kind: &str) -> BenchError {
    BenchError::Protocol(format!("the fake Spotify has no {kind}"))
}
