//! Undo for the edits people regret: removing or replacing playlist items, removing from the
//! library, unfollowing. Before such a write runs, [`capture`] reads what it will change; after
//! it succeeded, the [`Plan`] is kept under a short handle ([`store`]) that the `undo` tool
//! redeems ([`restore`]).

pub mod store;
mod tool;

use super::errors::CallError;
use super::upstream::{PlaylistNow, Upstream};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

pub use tool::{UNDO, tool};

/// How to put back what one write changed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Plan {
    /// Items removed from a playlist: each URI goes back at its old index.
    Removed {
        playlist_id: String,
        playlist: String,
        /// (index in the old list, URI), in ascending index order.
        items: Vec<(usize, String)>,
        /// The snapshot the write answered with: a different one at undo means someone else
        /// changed the playlist since.
        after: Option<String>,
    },
    /// A playlist replaced or reordered: its old items, in order.
    Replaced {
        playlist_id: String,
        playlist: String,
        uris: Vec<String>,
        after: Option<String>,
    },
    /// Items removed from the library (or unfollowed) that were in it before.
    Unsaved { uris: Vec<String> },
}

/// What a destructive write is about to change, read before it runs.
#[derive(Debug, Clone)]
pub struct Before {
    pub plan: Plan,
    /// Names of the things the write changes, for the question.
    pub names: Vec<String>,
    /// The playlist's name, when the write is to one.
    pub playlist: Option<String>,
    /// How many items the playlist held (replace and reorder).
    pub held: usize,
}

/// The library URIs a library-removing tool names, by tool (legacy tools take ids of a kind).
pub fn library_uris(tool: &str, arguments: &Map<String, Value>) -> Option<Vec<String>> {
    let strings = |key: &str| -> Vec<String> {
        arguments
            .get(key)
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    };
    let ids_as = |kind: &str| -> Vec<String> {
        let mut ids = strings("ids");
        ids.extend(strings("body_ids"));
        ids.dedup();
        ids.iter()
            .map(|id| format!("spotify:{kind}:{id}"))
            .collect()
    };
    Some(match tool {
        "remove_library_items" => strings("uris"),
        "remove_saved_tracks_legacy" => ids_as("track"),
        "remove_saved_albums_legacy" => ids_as("album"),
        "remove_shows_legacy" => ids_as("show"),
        "remove_episodes_legacy" => ids_as("episode"),
        "remove_audiobooks_legacy" => ids_as("audiobook"),
        "unfollow_artists_or_users_legacy" => ids_as(
            arguments
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("artist"),
        ),
        "unfollow_playlist_legacy" => {
            let id = arguments.get("playlist_id").and_then(Value::as_str)?;
            vec![format!("spotify:playlist:{id}")]
        }
        _ => return None,
    })
}

/// Whether `undo` can reverse tool `tool`.
pub fn reversible(tool: &str) -> bool {
    matches!(
        tool,
        "remove_playlist_items"
            | "remove_playlist_tracks_legacy"
            | "reorder_or_replace_playlist_items"
            | "update_playlist_tracks_legacy"
    ) || LIBRARY_REMOVALS.contains(&tool)
}

/// The tools that take things out of the library (or unfollow), whose undo saves them again.
const LIBRARY_REMOVALS: [&str; 8] = [
    "remove_library_items",
    "remove_saved_tracks_legacy",
    "remove_saved_albums_legacy",
    "remove_shows_legacy",
    "remove_episodes_legacy",
    "remove_audiobooks_legacy",
    "unfollow_artists_or_users_legacy",
    "unfollow_playlist_legacy",
];

/// Reads what `tool` (a reversible one) is about to change; `None` for other tools. The
/// arguments are the checked ones (ids reduced).
pub async fn capture(
    upstream: &Upstream<'_>,
    tool: &str,
    arguments: &Map<String, Value>,
) -> Option<Result<Before, CallError>> {
    let playlist_id = arguments.get("playlist_id").and_then(Value::as_str);
    let text = |v: &Value| v.as_str().map(String::from);
    match (tool, playlist_id) {
        ("remove_playlist_items" | "remove_playlist_tracks_legacy", Some(id)) => {
            let key = if tool == "remove_playlist_items" {
                "items"
            } else {
                "tracks"
            };
            let gone: Vec<String> = arguments
                .get(key)
                .and_then(Value::as_array)
                .map(|l| l.iter().filter_map(|i| text(&i["uri"])).collect())
                .unwrap_or_default();
            Some(
                upstream
                    .playlist(id)
                    .await
                    .map(|now| removed(id, now, &gone)),
            )
        }
        ("reorder_or_replace_playlist_items" | "update_playlist_tracks_legacy", Some(id)) => {
            Some(upstream.playlist(id).await.map(|now| replaced(id, now)))
        }
        _ => {
            let uris = library_uris(tool, arguments)?;
            Some(unsaved(upstream, uris).await)
        }
    }
}

fn removed(id: &str, now: PlaylistNow, gone: &[String]) -> Before {
    let picked: Vec<usize> = (0..now.uris.len())
        .filter(|&i| gone.contains(&now.uris[i]))
        .collect();
    let mut names: Vec<String> = Vec::new();
    for &i in &picked {
        if !names.contains(&now.names[i]) {
            names.push(now.names[i].clone());
        }
    }
    Before {
        names,
        playlist: Some(now.name.clone()),
        held: now.uris.len(),
        plan: Plan::Removed {
            playlist_id: id.to_string(),
            playlist: now.name,
            items: picked.iter().map(|&i| (i, now.uris[i].clone())).collect(),
            after: None,
        },
    }
}

fn replaced(id: &str, now: PlaylistNow) -> Before {
    Before {
        names: Vec::new(),
        playlist: Some(now.name.clone()),
        held: now.uris.len(),
        plan: Plan::Replaced {
            playlist_id: id.to_string(),
            playlist: now.name,
            uris: now.uris,
            after: None,
        },
    }
}

async fn unsaved(upstream: &Upstream<'_>, uris: Vec<String>) -> Result<Before, CallError> {
    let saved = upstream.saved(&uris).await?;
    let kept: Vec<String> = uris
        .into_iter()
        .zip(saved)
        .filter_map(|(uri, saved)| saved.then_some(uri))
        .collect();
    let mut names = Vec::new();
    for uri in kept.iter().take(super::upstream::NAMED) {
        names.push(upstream.name_of(uri).await.unwrap_or_else(|| uri.clone()));
    }
    Ok(Before {
        names,
        playlist: None,
        held: kept.len(),
        plan: Plan::Unsaved { uris: kept },
    })
}

impl Plan {
    /// Records the snapshot id the write answered with.
    pub fn written(&mut self, answer: Option<&Value>) {
        let snapshot = answer
            .and_then(|a| a["snapshot_id"].as_str())
            .map(String::from);
        if let Plan::Removed { after, .. } | Plan::Replaced { after, .. } = self {
            *after = snapshot;
        }
    }

    /// What the audit trail records as the undo's resource.
    pub fn resource(&self) -> Value {
        match self {
            Plan::Removed {
                playlist_id, items, ..
            } => {
                json!({ "playlist_id": playlist_id, "uri_count": items.len() })
            }
            Plan::Replaced {
                playlist_id, uris, ..
            } => {
                json!({ "playlist_id": playlist_id, "uri_count": uris.len() })
            }
            Plan::Unsaved { uris } => json!({ "uri_count": uris.len() }),
        }
    }
}

/// The outcome of an undo: what came back and what did not (with why).
#[derive(Debug, Default, Serialize)]
pub struct Restored {
    pub restored: Vec<String>,
    pub not_restored: Vec<String>,
    pub notes: Vec<String>,
}

/// Puts back what the plan names, as far as Spotify lets it.
pub async fn restore(upstream: &Upstream<'_>, plan: &Plan) -> Restored {
    let mut out = Restored::default();
    match plan {
        Plan::Removed {
            playlist_id,
            items,
            after,
            ..
        } => {
            changed_since(upstream, playlist_id, after, &mut out).await;
            // Ascending order: every earlier item is back before a later one goes in.
            for run in runs(items) {
                let uris: Vec<&String> = run.iter().map(|(_, u)| u).collect();
                let arguments =
                    json!({ "playlist_id": playlist_id, "uris": uris, "position": run[0].0 });
                settle(
                    &mut out,
                    upstream.call("add_playlist_items", arguments).await,
                    &uris,
                );
            }
            added_dates(&mut out);
        }
        Plan::Replaced {
            playlist_id,
            uris,
            after,
            ..
        } => {
            changed_since(upstream, playlist_id, after, &mut out).await;
            let first: Vec<&String> = uris.iter().take(100).collect();
            let arguments = json!({ "playlist_id": playlist_id, "uris": first });
            let outcome = upstream
                .call("reorder_or_replace_playlist_items", arguments)
                .await;
            let ok = outcome.is_ok();
            settle(&mut out, outcome, &first);
            for chunk in uris[first.len()..].chunks(100) {
                let chunk: Vec<&String> = chunk.iter().collect();
                let outcome = match ok {
                    true => {
                        upstream
                            .call(
                                "add_playlist_items",
                                json!({ "playlist_id": playlist_id, "uris": chunk }),
                            )
                            .await
                    }
                    false => Err(CallError::BadRequest(
                        "the playlist's first items could not be put back".into(),
                    )),
                };
                settle(&mut out, outcome, &chunk);
            }
            added_dates(&mut out);
        }
        Plan::Unsaved { uris } => {
            for chunk in uris.chunks(40) {
                let chunk: Vec<&String> = chunk.iter().collect();
                settle(
                    &mut out,
                    upstream
                        .call("save_library_items", json!({ "uris": chunk }))
                        .await,
                    &chunk,
                );
            }
        }
    }
    out
}

/// Consecutive indices grouped, at most 100 to a run (one add each).
fn runs(items: &[(usize, String)]) -> Vec<&[(usize, String)]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=items.len() {
        let breaks = i == items.len() || items[i].0 != items[i - 1].0 + 1 || i - start == 100;
        if breaks {
            out.push(&items[start..i]);
            start = i;
        }
    }
    out
}

fn settle(out: &mut Restored, outcome: Result<Value, CallError>, uris: &[&String]) {
    match outcome {
        Ok(_) => out.restored.extend(uris.iter().map(|u| u.to_string())),
        Err(error) => out.not_restored.extend(
            uris.iter()
                .map(|u| format!("{u}: {}", error.to_string().trim_end_matches('.'))),
        ),
    }
}

fn added_dates(out: &mut Restored) {
    if !out.restored.is_empty() {
        out.notes.push(
            "items put back show today as their added date, and you as who added them".into(),
        );
    }
}

async fn changed_since(
    upstream: &Upstream<'_>,
    playlist_id: &str,
    after: &Option<String>,
    out: &mut Restored,
) {
    let Some(after) = after else { return };
    let now = upstream
        .call(
            "get_playlist",
            json!({ "playlist_id": playlist_id, "fields": "snapshot_id" }),
        )
        .await;
    if let Ok(now) = now
        && now["snapshot_id"].as_str().is_some_and(|s| s != after)
    {
        out.notes.push(
            "the playlist changed after the edit being undone: items went back at their old positions, which may now be off".into(),
        );
    }
}
