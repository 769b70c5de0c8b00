//! Prompts: workflows people run often, each a message that tells the assistant which tools
//! to use in what order. Arguments a host can complete are named in [`COMPLETED`].

use rmcp::ErrorData;
use rmcp::model::{GetPromptResult, Prompt, PromptArgument, PromptMessage, Role};
use serde_json::{Map, Value};

/// Prompt arguments whose values `completion/complete` suggests, and from what.
pub const COMPLETED: [(&str, Suggest); 4] = [
    ("playlist", Suggest::PlaylistNames),
    ("device", Suggest::DeviceNames),
    ("toolset", Suggest::Toolsets),
    ("time_range", Suggest::TimeRanges),
];

/// Where the suggestions for an argument come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suggest {
    PlaylistNames,
    DeviceNames,
    Toolsets,
    TimeRanges,
}

/// Spotify's time ranges for top items.
pub const TIME_RANGES: [&str; 3] = ["short_term", "medium_term", "long_term"];

struct Spec {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    /// `(name, description, required)`.
    arguments: &'static [(&'static str, &'static str, bool)],
}

const PROMPTS: [Spec; 5] = [
    Spec {
        name: "build_playlist",
        title: "Build a playlist from a mood or an artist",
        description: "Find tracks that fit a mood or sound like a seed artist and put them in a playlist.",
        arguments: &[
            (
                "mood",
                "The mood or occasion, e.g. 'rainy Sunday morning'.",
                false,
            ),
            (
                "seed_artist",
                "An artist the playlist should sound like.",
                false,
            ),
            ("track_count", "How many tracks (default 25).", false),
            (
                "playlist",
                "Add to this existing playlist of yours instead of creating one.",
                false,
            ),
        ],
    },
    Spec {
        name: "catch_up_on_podcasts",
        title: "Catch up on my podcasts",
        description: "The new episodes of the shows you follow, newest first, and queue the ones you pick.",
        arguments: &[("days", "How far back to look, in days (default 7).", false)],
    },
    Spec {
        name: "listening_recap",
        title: "What have I been listening to?",
        description: "Your recent plays and top artists and tracks, summed up.",
        arguments: &[(
            "time_range",
            "short_term (about 4 weeks), medium_term (6 months) or long_term (a year).",
            false,
        )],
    },
    Spec {
        name: "play_on_device",
        title: "Play something on a device",
        description: "Find what to play and start it on one of your devices.",
        arguments: &[
            (
                "what",
                "A track, album, artist, playlist or podcast to play.",
                true,
            ),
            (
                "device",
                "The device's name (default: the active one).",
                false,
            ),
        ],
    },
    Spec {
        name: "what_can_you_do",
        title: "What can you do with Spotify?",
        description: "A short tour of what this server's tools can do, for one toolset or all.",
        arguments: &[("toolset", "One toolset to explain (default: all).", false)],
    },
];

/// `prompts/list`.
pub fn list() -> Vec<Prompt> {
    PROMPTS
        .iter()
        .map(|spec| {
            let arguments = spec
                .arguments
                .iter()
                .map(|(name, description, required)| {
                    PromptArgument::new(*name)
                        .with_description(*description)
                        .with_required(*required)
                })
                .collect();
            let mut prompt = Prompt::new(spec.name, Some(spec.description), Some(arguments));
            prompt.title = Some(spec.title.into());
            prompt
        })
        .collect()
}

/// Whether prompt `name` has argument `argument`.
pub fn has_argument(name: &str, argument: &str) -> bool {
    PROMPTS
        .iter()
        .any(|spec| spec.name == name && spec.arguments.iter().any(|(a, ..)| *a == argument))
}

/// `prompts/get`: the prompt's message with its arguments filled in.
pub fn get(name: &str, arguments: &Map<String, Value>) -> Result<GetPromptResult, ErrorData> {
    let spec = PROMPTS
        .iter()
        .find(|spec| spec.name == name)
        .ok_or_else(|| {
            ErrorData::invalid_params(
                format!(
                    "no prompt `{}`; call prompts/list to see the prompts",
                    crate::foundation::excerpt::excerpt(name)
                ),
                None,
            )
        })?;
    // Hosts send text; a number or a flag is taken as its text.
    let text_of = |key: &str| match arguments.get(key) {
        Some(Value::String(text)) => Some(text.trim().to_string()),
        Some(value @ (Value::Number(_) | Value::Bool(_))) => Some(value.to_string()),
        _ => None,
    };
    let owned: Map<String, Value> = spec
        .arguments
        .iter()
        .filter_map(|(key, ..)| Some((key.to_string(), Value::String(text_of(key)?))))
        .filter(|(_, v)| v.as_str().is_some_and(|v| !v.is_empty()))
        .collect();
    for (argument, _, required) in spec.arguments {
        if *required && !owned.contains_key(*argument) {
            return Err(ErrorData::invalid_params(
                format!("prompt `{name}` needs the argument `{argument}`"),
                None,
            ));
        }
    }
    let arg = |key: &str| owned.get(key).and_then(Value::as_str);
    let text = match spec.name {
        "build_playlist" => build_playlist(
            arg("mood"),
            arg("seed_artist"),
            arg("track_count"),
            arg("playlist"),
        ),
        "catch_up_on_podcasts" => catch_up(arg("days")),
        "listening_recap" => recap(arg("time_range")),
        "play_on_device" => play_on_device(arg("what").unwrap_or_default(), arg("device")),
        _ => tour(arg("toolset")),
    };
    let mut result = GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)]);
    result.description = Some(spec.description.into());
    Ok(result)
}

fn build_playlist(
    mood: Option<&str>,
    seed_artist: Option<&str>,
    track_count: Option<&str>,
    playlist: Option<&str>,
) -> String {
    let count = track_count
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or(25)
        .clamp(1, 100);
    let fit = match (mood, seed_artist) {
        (Some(mood), Some(artist)) => format!("fit the mood \"{mood}\" and sound like {artist}"),
        (Some(mood), None) => format!("fit the mood \"{mood}\""),
        (None, Some(artist)) => format!("sound like {artist}"),
        (None, None) => "fit what I have been listening to lately".into(),
    };
    let destination = match playlist {
        Some(name) => format!(
            "Add them to my playlist \"{name}\" (find it with get_my_playlists) with add_playlist_items."
        ),
        None => {
            "Create a new playlist for them with create_playlist, named after the mood or artist, \
                 and add them with add_playlist_items."
                .into()
        }
    };
    format!(
        "Build me a playlist of {count} tracks that {fit}. Use search (and get_artist_top_tracks for \
         an artist) to find candidates; prefer variety over many tracks by one artist. {destination} \
         Finally list the tracks you added, one line each."
    )
}

fn catch_up(days: Option<&str>) -> String {
    let days = days
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or(7)
        .clamp(1, 365);
    format!(
        "Help me catch up on my podcasts. List the shows I follow with get_saved_shows, then for each \
         show get its newest episodes with get_show_episodes and keep those released in the last \
         {days} days that I have not finished (resume_point). Show them newest first: show, episode \
         title, length, one line on what it is about. Ask me which to queue, then add them with \
         add_to_queue."
    )
}

fn recap(time_range: Option<&str>) -> String {
    let range = time_range
        .filter(|r| TIME_RANGES.contains(r))
        .unwrap_or("short_term");
    format!(
        "What have I been listening to? Use get_recently_played for my latest plays, and \
         get_top_artists and get_top_tracks with time_range {range}. Sum it up in a few lines: my top \
         artists and tracks, the genres they share, anything new compared with my long-term favourites."
    )
}

fn play_on_device(what: &str, device: Option<&str>) -> String {
    let on = match device {
        Some(device) => format!(
            "on my device \"{device}\" (find its id with get_devices, and transfer playback to it if it \
             is not active)"
        ),
        None => "on my active device (get_devices lists them)".into(),
    };
    format!(
        "Play \"{what}\" {on}. Find it with search first if it is not a Spotify URI, then start it with \
         start_playback. Tell me what is playing afterwards (get_playback_state)."
    )
}

fn tour(toolset: Option<&str>) -> String {
    match toolset {
        Some(toolset) => format!(
            "Explain in a few lines what you can do with the Spotify tools of the `{toolset}` toolset, \
             with one example request for each kind of task."
        ),
        None => {
            "Explain in a few lines what you can do with this Spotify server's tools, grouped by \
                 toolset, with one example request for each group."
                .into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_completed_argument_belongs_to_a_prompt_and_required_ones_are_asked_for() {
        for (argument, _) in COMPLETED {
            assert!(
                list().iter().any(|p| has_argument(&p.name, argument)),
                "{argument}"
            );
        }
        let none = Map::new();
        assert!(get("play_on_device", &none).is_err());
        assert!(get("no_such_prompt", &none).is_err());
        let args = Map::from_iter([("mood".to_string(), Value::from("rainy"))]);
        let text = format!("{:?}", get("build_playlist", &args).unwrap().messages);
        assert!(
            text.contains("rainy") && text.contains("25 tracks"),
            "{text}"
        );
    }
}
