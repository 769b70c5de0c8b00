//! The resources this server offers and the tool each is read through. Catalog objects use
//! Spotify's own URIs (`spotify:album:{id}`), so every `uri` a tool result already carries is a
//! resource a host can read, at no extra cost in tokens.

use rmcp::model::{Resource, ResourceTemplate};
use serde_json::{Map, Value, json};

/// The user's player state; subscribe to hear when the track, device or play state changes.
pub const NOW_PLAYING: &str = "spotify-mcp://me/now-playing";
/// The user's playlists (the first 50).
pub const MY_PLAYLISTS: &str = "spotify-mcp://me/playlists";

/// How many of the user's playlists `resources/list` names one by one.
pub const LISTED_PLAYLISTS: u64 = 50;

/// A read: the tool that answers it and its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub tool: &'static str,
    pub arguments: Map<String, Value>,
}

/// The templates: `(Spotify URI kind, tool, its id argument, name, description)`.
const TEMPLATES: [(&str, &str, &str, &str, &str); 4] = [
    (
        "playlist",
        "get_playlist",
        "playlist_id",
        "playlist",
        "A playlist: its details and first items.",
    ),
    (
        "album",
        "get_album",
        "id",
        "album",
        "An album: artists, release, tracks.",
    ),
    (
        "artist",
        "get_artist",
        "id",
        "artist",
        "An artist: genres, followers, images.",
    ),
    (
        "show",
        "get_show",
        "id",
        "show",
        "A podcast show: publisher, description, latest episodes.",
    ),
];

/// The fixed resources, before the user's playlists.
pub fn fixed() -> Vec<Resource> {
    vec![
        Resource::new(NOW_PLAYING, "now-playing")
            .with_title("Now playing")
            .with_description(
                "The user's player state: track, device, play/pause. Subscribe to hear of changes.",
            )
            .with_mime_type("application/json"),
        Resource::new(MY_PLAYLISTS, "my-playlists")
            .with_title("My playlists")
            .with_description("The user's playlists (the first 50).")
            .with_mime_type("application/json"),
    ]
}

pub fn templates() -> Vec<ResourceTemplate> {
    TEMPLATES
        .iter()
        .map(|(kind, _, _, name, description)| {
            ResourceTemplate::new(format!("spotify:{kind}:{{id}}"), *name)
                .with_description(*description)
                .with_mime_type("application/json")
        })
        .collect()
}

/// The tool that reads the template `uri_template` (`spotify:album:{id}` → `get_album`).
pub fn template_tool(uri_template: &str) -> Option<&'static str> {
    TEMPLATES
        .iter()
        .find(|(kind, ..)| uri_template == format!("spotify:{kind}:{{id}}"))
        .map(|(_, tool, ..)| *tool)
}

/// The Spotify kinds of the templates (`playlist`, `album`, …).
pub fn template_kinds() -> impl Iterator<Item = &'static str> {
    TEMPLATES.iter().map(|(kind, ..)| *kind)
}

/// The read `uri` stands for, if it is one of ours.
pub fn target(uri: &str) -> Option<Target> {
    match uri {
        NOW_PLAYING => return Some(tool("get_playback_state", json!({}))),
        MY_PLAYLISTS => {
            return Some(tool(
                "get_my_playlists",
                json!({ "limit": LISTED_PLAYLISTS }),
            ));
        }
        _ => {}
    }
    let rest = uri.strip_prefix("spotify:")?;
    let (kind, id) = rest.split_once(':')?;
    let (_, tool_name, argument, ..) = TEMPLATES.iter().find(|(k, ..)| *k == kind)?;
    // Spotify ids are base-62; anything else is no resource of ours.
    let well_formed =
        !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric());
    well_formed.then(|| tool(tool_name, json!({ *argument: id })))
}

fn tool(name: &'static str, arguments: Value) -> Target {
    let Value::Object(arguments) = arguments else {
        unreachable!("the arguments are an object literal")
    };
    Target {
        tool: name,
        arguments,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_map_onto_tools_and_odd_ones_onto_nothing() {
        assert_eq!(target(NOW_PLAYING).unwrap().tool, "get_playback_state");
        let album = target("spotify:album:4aawyAB9vmqN3uQ7FjRGTy").unwrap();
        assert_eq!(album.tool, "get_album");
        assert_eq!(album.arguments["id"], "4aawyAB9vmqN3uQ7FjRGTy");
        assert_eq!(
            target("spotify:playlist:abc").unwrap().arguments["playlist_id"],
            "abc"
        );
        for odd in [
            "spotify:album:",
            "spotify:album:a/b",
            "spotify:track:abc",
            "spotify:album:a:b",
            "ui://x",
            "",
        ] {
            assert_eq!(target(odd), None, "{odd}");
        }
        assert_eq!(templates().len(), template_kinds().count());
        for template in templates() {
            let tool = template_tool(&template.uri_template).unwrap();
            let read = template.uri_template.replace("{id}", "abc");
            assert_eq!(target(&read).unwrap().tool, tool);
        }
        assert_eq!(template_tool("spotify:track:{id}"), None);
    }
}
