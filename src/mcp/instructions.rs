//! What the server tells a client at initialize: how to use the tools, the shapes of ids, how
//! answers are trimmed, and the arguments many tools share, explained once instead of in every
//! tool.

use super::generated_tools::{ARGUMENT_NOTES, PROJECTION_NOTES};

const INSTRUCTIONS: &str = "Tools for the Spotify Web API: search the catalog, read albums, artists, tracks, \
playlists, shows and audiobooks, manage the user's library and playlists, and control playback.
- Find ids and URIs with search first (apps in development mode get at most 10 results per type).
- Player commands need Spotify Premium and an active device: get_devices lists devices; if none is \
active, ask the user to open Spotify, or move playback with transfer_playback.
- Lists come in pages: pass offset/limit (or the cursor a page names) to read further.
- Answers are trimmed to what matters; a Spotify link is https://open.spotify.com/{type}/{id}.
- Errors say what to do; a rate-limit error carries retry_after_seconds: wait that long, do not retry sooner.
";
const ARGUMENTS_HEADING: &str = "Arguments a tool's schema does not list are refused. Arguments many tools share \
(their tool schemas leave them unexplained):\n";

/// The instructions sent at initialize: the guidance above, how answers are trimmed, and the
/// shared arguments, explained here once instead of in every tool.
pub fn instructions() -> String {
    let ids = super::ids::instructions_line();
    format!("{INSTRUCTIONS}{ids}{PROJECTION_NOTES}{ARGUMENTS_HEADING}{ARGUMENT_NOTES}")
}
