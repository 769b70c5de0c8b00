//! The question a destructive call asks, naming things by name ("Remove 3 tracks — Song A,
//! Song B, Song C — from 'Road Trip'?"). Names come from the reads made before the write; where
//! a read failed, ids stand in.

use crate::mcp::undo::{self, Before};
use crate::mcp::upstream::{NAMED, Upstream};
use serde_json::{Map, Value};

/// "A, B, C" or "A, B, … and 7 more".
fn listed(names: &[String], total: usize) -> String {
    let shown: Vec<&str> = names.iter().take(NAMED).map(String::as_str).collect();
    let mut text = shown.join(", ");
    if total > shown.len() {
        text.push_str(&format!(" and {} more", total - shown.len()));
    }
    text
}

fn items(count: usize) -> String {
    match count {
        1 => "1 item".into(),
        n => format!("{n} items"),
    }
}

/// The question for `tool` with its (checked) arguments, from what was read before.
pub async fn text(
    upstream: &Upstream<'_>,
    title: &str,
    tool: &str,
    arguments: &Map<String, Value>,
    before: Option<&Before>,
) -> String {
    let id = |key: &str| {
        arguments
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string()
    };
    let playlist = match before.and_then(|b| b.playlist.clone()) {
        Some(name) => format!("'{name}'"),
        None if arguments.contains_key("playlist_id") => {
            let uri = format!("spotify:playlist:{}", id("playlist_id"));
            match upstream.name_of(&uri).await {
                Some(name) => format!("'{name}'"),
                None => format!("playlist {}", id("playlist_id")),
            }
        }
        None => String::new(),
    };
    let question = match (tool, before) {
        ("remove_playlist_items" | "remove_playlist_tracks_legacy", Some(before)) => {
            let count = match &before.plan {
                undo::Plan::Removed { items, .. } => items.len(),
                _ => before.names.len(),
            };
            format!(
                "Remove {} — {} — from {playlist}?",
                items(count),
                listed(&before.names, before.names.len())
            )
        }
        ("reorder_or_replace_playlist_items" | "update_playlist_tracks_legacy", before) => {
            let held = before
                .map(|b| items(b.held))
                .unwrap_or_else(|| "the items".into());
            match arguments.get("uris").and_then(Value::as_array) {
                Some(new) => format!(
                    "Replace all {held} of {playlist} with {}?",
                    items(new.len())
                ),
                None => format!("Reorder the items of {playlist} (it holds {held})?"),
            }
        }
        (_, Some(before)) if undo::reversible(tool) && before.held == 0 => {
            format!(
                "Run {title}? None of these is in your library now ({}).",
                fallback_subject(arguments)
            )
        }
        (_, Some(before)) if undo::reversible(tool) => {
            let what = if tool.starts_with("unfollow") {
                "Unfollow"
            } else {
                "Remove from your library"
            };
            format!("{what}: {}?", listed(&before.names, before.held))
        }
        ("change_playlist_details", _) => format!("Change the details of {playlist}?"),
        ("upload_playlist_cover", _) => format!("Replace the cover image of {playlist}?"),
        _ => format!("Run {title} ({})?", fallback_subject(arguments)),
    };
    let reversal = match before {
        Some(_) => " It can be undone for an hour.",
        None => " This cannot be undone.",
    };
    format!("{question}{reversal}")
}

/// The ids and URIs of the arguments, for a question without names.
fn fallback_subject(arguments: &Map<String, Value>) -> String {
    let subject = crate::mcp::audit::resources(arguments).to_string();
    crate::foundation::excerpt::excerpt_to(&subject, 300).into_owned()
}
