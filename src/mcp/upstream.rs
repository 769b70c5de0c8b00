//! Tool calls the server makes on its own behalf (the reads before a destructive write, the
//! writes of an undo): the generated dispatch with route fallback, no catalog, no projection.

use super::errors::CallError;
use super::fallback;
use crate::middleware::routes::RouteMemory;
use crate::spotify::SpotifyCall;
use serde_json::{Map, Value, json};

/// Most playlist items read before a write that may need them back (200 pages of 50).
pub const MAX_PLAYLIST_ITEMS: usize = 10_000;
const PAGE: usize = 50;
/// How many things a question names before it counts the rest.
pub const NAMED: usize = 10;

/// One user's Spotify, for calls the server makes itself.
pub struct Upstream<'a> {
    pub spotify: &'a SpotifyCall,
    pub routes: &'a RouteMemory,
}

/// A playlist as it was: its name, version and items in order.
#[derive(Debug, Clone)]
pub struct PlaylistNow {
    pub name: String,
    pub snapshot_id: Option<String>,
    pub uris: Vec<String>,
    /// The item names, index for index with `uris` (the URI when nameless).
    pub names: Vec<String>,
}

impl Upstream<'_> {
    /// Calls tool `name` with `arguments` (an object); the raw answer, `null` when empty.
    pub async fn call(&self, name: &str, arguments: Value) -> Result<Value, CallError> {
        let arguments = match arguments {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        fallback::dispatch(self.spotify, self.routes, name, arguments)
            .await
            .unwrap_or_else(|| {
                Err(CallError::BadRequest(format!(
                    "no dispatch code for {name}"
                )))
            })
            .map(Option::unwrap_or_default)
    }

    /// The playlist's name, snapshot id and every item (up to [`MAX_PLAYLIST_ITEMS`]).
    pub async fn playlist(&self, id: &str) -> Result<PlaylistNow, CallError> {
        let head = self
            .call(
                "get_playlist",
                json!({ "playlist_id": id, "fields": "name,snapshot_id" }),
            )
            .await?;
        let mut now = PlaylistNow {
            name: head["name"].as_str().unwrap_or(id).to_string(),
            snapshot_id: head["snapshot_id"].as_str().map(String::from),
            uris: Vec::new(),
            names: Vec::new(),
        };
        while now.uris.len() < MAX_PLAYLIST_ITEMS {
            let page = self
                .call(
                    "get_playlist_items",
                    json!({ "playlist_id": id, "limit": PAGE, "offset": now.uris.len() }),
                )
                .await?;
            let items = page["items"].as_array().cloned().unwrap_or_default();
            for entry in &items {
                let item = if entry["item"].is_object() {
                    &entry["item"]
                } else {
                    &entry["track"]
                };
                let uri = item["uri"].as_str().unwrap_or_default().to_string();
                now.names
                    .push(item["name"].as_str().unwrap_or(&uri).to_string());
                now.uris.push(uri);
            }
            let total = page["total"].as_u64().unwrap_or(0) as usize;
            if items.is_empty() || now.uris.len() >= total {
                return Ok(now);
            }
        }
        Err(CallError::BadRequest(format!(
            "the playlist has more than {MAX_PLAYLIST_ITEMS} items, too many to keep for undo"
        )))
    }

    /// Which of `uris` are in the user's library (followed, for playlists, artists and users).
    pub async fn saved(&self, uris: &[String]) -> Result<Vec<bool>, CallError> {
        let mut saved = Vec::with_capacity(uris.len());
        for chunk in uris.chunks(40) {
            let answer = self
                .call("check_library_contains", json!({ "uris": chunk }))
                .await?;
            let flags = answer.as_array().cloned().unwrap_or_default();
            saved.extend(
                (0..chunk.len()).map(|i| flags.get(i).and_then(Value::as_bool) == Some(true)),
            );
        }
        Ok(saved)
    }

    /// The display name of what a Spotify URI names, if a read finds one.
    pub async fn name_of(&self, uri: &str) -> Option<String> {
        let mut parts = uri.splitn(3, ':');
        let (kind, id) = (parts.nth(1)?, parts.next()?);
        let (tool, key) = match kind {
            "track" => ("get_track", "id"),
            "album" => ("get_album", "id"),
            "artist" => ("get_artist", "id"),
            "show" => ("get_show", "id"),
            "episode" => ("get_episode", "id"),
            "audiobook" => ("get_audiobook", "id"),
            "playlist" => ("get_playlist", "playlist_id"),
            "user" => ("get_user_profile", "user_id"),
            _ => return None,
        };
        let mut arguments = json!({ key: id });
        if kind == "playlist" {
            arguments["fields"] = json!("name");
        }
        let answer = self.call(tool, arguments).await.ok()?;
        answer["name"]
            .as_str()
            .or(answer["display_name"].as_str())
            .map(String::from)
    }
}
