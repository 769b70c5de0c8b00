//! MCP Apps views (the `io.modelcontextprotocol/ui` extension, SEP-1865): small HTML pages served
//! as `ui://` resources, linked from the tools whose results they render (`_meta.ui.resourceUri`).
//! A host without MCP Apps ignores the links; the tools answer exactly as they do without them.
//!
//! Each page is put together at compile time from `views/`: the shared stylesheet and host
//! bridge, then the view's markup and script. No build step, no CDN: what is here is what ships.

use rmcp::model::{
    ExtensionCapabilities, JsonObject, MetaObject, ReadResourceResult, Resource, ResourceContents,
};
use serde_json::{Value, json};

/// The MCP Apps extension's identifier.
pub const EXTENSION_ID: &str = "io.modelcontextprotocol/ui";

/// The MIME type of an MCP Apps HTML view.
pub const MIME_TYPE: &str = "text/html;profile=mcp-app";

/// Where covers come from: Spotify's image hosts (album and track art, playlist mosaics,
/// uploaded playlist covers). Nothing else may load; the views fetch nothing themselves.
pub const IMAGE_ORIGINS: [&str; 4] = [
    "https://i.scdn.co",
    "https://mosaic.scdn.co",
    "https://image-cdn-ak.spotifycdn.com",
    "https://image-cdn-fa.spotifycdn.com",
];

/// One view: its resource, its page and the tools whose results it renders.
pub struct View {
    pub uri: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub html: &'static str,
    pub tools: &'static [&'static str],
}

/// A page: shared head and style, the view's body, the bridge and the view's script.
macro_rules! page {
    ($view:literal) => {
        concat!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<style>\n",
            include_str!("views/common.css"),
            "</style>\n</head>\n<body>\n",
            include_str!("views/icons.html"),
            include_str!(concat!("views/", $view, ".html")),
            "<script>\n",
            include_str!("views/bridge.js"),
            include_str!(concat!("views/", $view, ".js")),
            "</script>\n</body>\n</html>\n"
        )
    };
}

/// Every view this server ships.
pub const VIEWS: [View; 4] = [
    View {
        uri: "ui://spotify-mcp/now-playing",
        name: "now_playing",
        title: "Now playing",
        description: "The playing track or episode: cover, artists, progress, device, with play/pause, previous/next, volume and shuffle.",
        html: page!("now_playing"),
        tools: &["get_playback_state"],
    },
    View {
        uri: "ui://spotify-mcp/album",
        name: "album",
        title: "Album",
        description: "An album: cover, artists, tracks with durations; play a track or add it to the queue.",
        html: page!("album"),
        tools: &["get_album"],
    },
    View {
        uri: "ui://spotify-mcp/playlist",
        name: "playlist",
        title: "Playlist",
        description: "A playlist's items with their total duration and owner; play from an item, or remove one (through the tool, with its confirmation).",
        html: page!("playlist"),
        tools: &["get_playlist", "get_playlist_items"],
    },
    View {
        uri: "ui://spotify-mcp/search",
        name: "search",
        title: "Search results",
        description: "Search results as a compact list with covers; play or queue a result.",
        html: page!("search"),
        tools: &["search"],
    },
];

/// The `_meta` of a view's resource and contents: the CSP hosts build (covers only), and a
/// border, since the cards draw none of their own.
fn view_meta() -> MetaObject {
    let meta = json!({ "ui": {
        "csp": { "resourceDomains": IMAGE_ORIGINS, "connectDomains": [] },
        "prefersBorder": true,
    }});
    match meta {
        Value::Object(object) => MetaObject(object),
        _ => MetaObject::default(),
    }
}

fn resource(view: &View) -> Resource {
    Resource::new(view.uri, view.name)
        .with_title(view.title)
        .with_description(view.description)
        .with_mime_type(MIME_TYPE)
        .with_size(view.html.len() as u64)
        .with_meta(view_meta())
}

/// The views this server ships, as `resources/list` entries.
pub fn resources() -> Vec<Resource> {
    VIEWS.iter().map(resource).collect()
}

/// The view at `uri`, if it is one of ours.
pub fn read(uri: &str) -> Option<ReadResourceResult> {
    let view = VIEWS.iter().find(|view| view.uri == uri)?;
    Some(ReadResourceResult::new(vec![
        ResourceContents::TextResourceContents {
            uri: view.uri.to_string(),
            mime_type: Some(MIME_TYPE.to_string()),
            text: view.html.to_string(),
            meta: Some(view_meta()),
        },
    ]))
}

/// The `ui://` view that renders the results of tool `tool`, if one does.
pub fn view_of_tool(tool: &str) -> Option<&'static str> {
    VIEWS
        .iter()
        .find(|view| view.tools.contains(&tool))
        .map(|view| view.uri)
}

/// The extension this server declares in its capabilities (SEP-1724), with the view type it
/// serves.
pub fn extensions() -> ExtensionCapabilities {
    let mut settings = JsonObject::new();
    settings.insert("mimeTypes".into(), json!([MIME_TYPE]));
    ExtensionCapabilities::from([(EXTENSION_ID.to_string(), settings)])
}

/// The `_meta` that links tool `tool` to its view, for `tools/list`; `None` for other tools.
pub fn tool_meta(tool: &str) -> Option<MetaObject> {
    let uri = view_of_tool(tool)?;
    match json!({ "ui": { "resourceUri": uri } }) {
        Value::Object(object) => Some(MetaObject(object)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hosts show views inline in a conversation: each stays small.
    const MAX_VIEW_BYTES: usize = 30 * 1024;

    #[test]
    fn every_view_is_small_self_contained_html() {
        for view in &VIEWS {
            println!("{}: {} bytes", view.uri, view.html.len());
            assert!(
                view.html.len() < MAX_VIEW_BYTES,
                "{} is {} bytes",
                view.uri,
                view.html.len()
            );
            assert!(view.html.starts_with("<!DOCTYPE html>"));
            // Nothing loads from elsewhere: no external script, style sheet or font.
            for needle in ["<script src", "<link", "@import", "http://", "url("] {
                assert!(
                    !view.html.contains(needle),
                    "{} contains `{needle}`",
                    view.uri
                );
            }
        }
    }

    #[test]
    fn no_inline_event_handler_a_strict_csp_would_block() {
        let handler = has_inline_handler;
        for view in &VIEWS {
            assert!(
                !handler(view.html),
                "{} has an inline on…= handler",
                view.uri
            );
            assert!(!view.html.contains("javascript:"), "{}", view.uri);
            assert!(
                !view.html.contains("innerHTML"),
                "{} writes HTML from data",
                view.uri
            );
        }
    }

    /// Whether the markup (scripts left out) has an `on…=` attribute inside a tag.
    fn has_inline_handler(html: &str) -> bool {
        {
            let markup: String = html
                .split("<script>")
                .enumerate()
                .map(|(i, part)| {
                    if i == 0 {
                        part
                    } else {
                        part.split("</script>").nth(1).unwrap_or("")
                    }
                })
                .collect();
            markup.split('<').skip(1).any(|tag| {
                let tag = tag.split('>').next().unwrap_or("");
                tag.split_whitespace()
                    .skip(1)
                    .any(|attribute| attribute.to_ascii_lowercase().starts_with("on"))
            })
        }
    }

    #[test]
    fn four_tools_link_to_their_views_and_others_to_none() {
        assert_eq!(
            view_of_tool("get_playback_state"),
            Some("ui://spotify-mcp/now-playing")
        );
        assert_eq!(view_of_tool("get_album"), Some("ui://spotify-mcp/album"));
        assert_eq!(
            view_of_tool("get_playlist"),
            Some("ui://spotify-mcp/playlist")
        );
        assert_eq!(
            view_of_tool("get_playlist_items"),
            Some("ui://spotify-mcp/playlist")
        );
        assert_eq!(view_of_tool("search"), Some("ui://spotify-mcp/search"));
        assert_eq!(view_of_tool("pause_playback"), None);
        assert!(read("ui://spotify-mcp/nothing").is_none());
    }

    #[test]
    fn the_csp_allows_spotify_images_and_no_connection() {
        let meta = serde_json::to_value(view_meta()).unwrap();
        let csp = &meta["ui"]["csp"];
        assert_eq!(csp["connectDomains"], json!([]));
        for origin in csp["resourceDomains"].as_array().unwrap() {
            let origin = origin.as_str().unwrap();
            assert!(
                origin.ends_with(".scdn.co") || origin.ends_with(".spotifycdn.com"),
                "{origin}"
            );
            assert!(origin.starts_with("https://"), "{origin}");
        }
        assert!(csp.get("frameDomains").is_none());
    }
}
