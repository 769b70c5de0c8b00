//! Stored logins for tests: a grant written to a token file in a temporary directory.

use super::fake_spotify::FakeSpotify;
use serde_json::{Value, json};
use spotify_mcp::credentials::grant::{GRANT_VERSION, Grant, now};
use spotify_mcp::credentials::store::FileTokenStore;
use spotify_mcp::foundation::config::SpotifyArgs;
use spotify_mcp::foundation::secret::Secret;
use std::path::{Path, PathBuf};

pub fn grant(access: &str, refresh: Option<&str>, expires_in: i64, scopes: &[&str]) -> Grant {
    Grant {
        version: GRANT_VERSION,
        client_id: "test-client".into(),
        access_token: Secret::new(access),
        refresh_token: refresh.map(Secret::new),
        expires_at: (now() as i64 + expires_in).max(0) as u64,
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        authorized_at: now() - 86400,
        user_id: Some("u1".into()),
        user_name: Some("Agnetha".into()),
        revision: 0,
    }
}

/// Every scope any tool needs.
pub fn all_scopes() -> Vec<&'static str> {
    let mut scopes: Vec<&str> = spotify_mcp::mcp::all_tools()
        .iter()
        .flat_map(|t| t.operation.scopes.iter().copied())
        .collect();
    scopes.sort();
    scopes.dedup();
    scopes
}

/// Writes `grant` to `dir/token.json` and points `args` at it.
pub fn store(dir: &tempfile::TempDir, args: &mut SpotifyArgs, grant: &Grant) -> PathBuf {
    let path = dir.path().join("token.json");
    FileTokenStore::new(path.clone())
        .save_sync(grant)
        .expect("token file written");
    args.token_file = Some(path.clone());
    path
}

pub fn load(path: &Path) -> Grant {
    FileTokenStore::new(path.to_path_buf())
        .load_sync()
        .expect("readable")
        .expect("present")
}

pub fn token_answer(access: &str, refresh: Option<&str>) -> Value {
    let mut body = json!({ "access_token": access, "token_type": "Bearer", "expires_in": 3600, "scope": "user-library-read" });
    if let Some(refresh) = refresh {
        body["refresh_token"] = json!(refresh);
    }
    body
}

pub fn album(id: &str) -> Value {
    json!({
        "id": id, "name": "Arrival", "type": "album", "uri": format!("spotify:album:{id}"),
        "href": format!("https://api.spotify.com/v1/albums/{id}"),
        "external_urls": { "spotify": format!("https://open.spotify.com/album/{id}") }
    })
}

#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A fake Spotify, and server arguments whose token file (in the returned temporary directory)
/// holds `grant`.
pub async fn logged_in(grant: Grant) -> (FakeSpotify, tempfile::TempDir, SpotifyArgs, PathBuf) {
    let fake = FakeSpotify::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut args = super::spotify_args(&fake, None);
    let path = store(&dir, &mut args, &grant);
    (fake, dir, args, path)
}

/// [`logged_in`] with a grant of every scope (`access`, `refresh`, expiring in `expires_in` s),
/// and a client connected to a server on it: the fake, the directory, the client, the file.
pub async fn connected(
    access: &str,
    refresh: Option<&str>,
    expires_in: i64,
) -> (FakeSpotify, tempfile::TempDir, super::Client, PathBuf) {
    let grant = grant(access, refresh, expires_in, &all_scopes());
    let (fake, dir, args, path) = logged_in(grant).await;
    let client = super::connect(&args, false).await;
    (fake, dir, client, path)
}
