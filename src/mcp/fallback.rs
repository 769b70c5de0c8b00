//! Route fallback for the routes Spotify moved in February 2026. Apps of the new kind may only
//! use the current routes; older apps may still be on the legacy ones. A tool of a moved family
//! first tries its own route (or the one this login is known to use), and when Spotify answers
//! that this app may not use that route, it calls the counterpart tool through the generated
//! dispatch with converted arguments and gives the answer back in the requested tool's shape.
//! When one route is refused and the other works, that is remembered per family
//! ([`RouteMemory`](crate::middleware::routes::RouteMemory)), so later calls go straight to the route that works.
//!
//! "This app may not use this route" is told apart from every other refusal conservatively
//! (see [`route_refused`]): only a bare 403 `Forbidden` or a 404 `Service not found`, both
//! without a `reason`. A missing playlist (404 `Resource not found`), a missing scope (403
//! `Insufficient client scope`), someone else's playlist, `PREMIUM_REQUIRED` or
//! `NO_ACTIVE_DEVICE` never switch routes. A refused call changed nothing, so retrying a write
//! on the other route is safe.

use super::dispatch::Args;
use super::errors::CallError;
use super::generated_tools;
use crate::foundation::metrics;
use crate::middleware::routes::{Route, RouteMemory};
use crate::spotify::{Client, SpotifyCall};
use futures::stream::{self, StreamExt, TryStreamExt};
use serde_json::{Map, Value, json};

type Outcome = Result<Option<Value>, CallError>;

/// Counterparts of playlist item tools: (current, legacy).
const PLAYLIST_ITEMS: &[(&str, &str)] = &[
    ("get_playlist_items", "get_playlist_tracks_legacy"),
    ("add_playlist_items", "add_playlist_tracks_legacy"),
    (
        "reorder_or_replace_playlist_items",
        "update_playlist_tracks_legacy",
    ),
    ("remove_playlist_items", "remove_playlist_tracks_legacy"),
];

/// The legacy library calls per URI type: (type, save, remove, check).
const LIBRARY: &[(&str, &str, &str, &str)] = &[
    (
        "track",
        "save_tracks_legacy",
        "remove_saved_tracks_legacy",
        "check_saved_tracks_legacy",
    ),
    (
        "album",
        "save_albums_legacy",
        "remove_saved_albums_legacy",
        "check_saved_albums_legacy",
    ),
    (
        "episode",
        "save_episodes_legacy",
        "remove_episodes_legacy",
        "check_saved_episodes_legacy",
    ),
    (
        "show",
        "save_shows_legacy",
        "remove_shows_legacy",
        "check_saved_shows_legacy",
    ),
    (
        "audiobook",
        "save_audiobooks_legacy",
        "remove_audiobooks_legacy",
        "check_saved_audiobooks_legacy",
    ),
    (
        "artist",
        "follow_artists_or_users_legacy",
        "unfollow_artists_or_users_legacy",
        "check_follows_artists_or_users_legacy",
    ),
    (
        "user",
        "follow_artists_or_users_legacy",
        "unfollow_artists_or_users_legacy",
        "check_follows_artists_or_users_legacy",
    ),
    (
        "playlist",
        "follow_playlist_legacy",
        "unfollow_playlist_legacy",
        "check_follows_playlist_legacy",
    ),
];

/// The current library tools, in the order of [`LIBRARY`]'s columns.
const LIBRARY_CURRENT: [&str; 3] = [
    "save_library_items",
    "remove_library_items",
    "check_library_contains",
];

/// "Get several" calls and the per-item tool that stands in for them: (several, key, one).
const SEVERAL: &[(&str, &str, &str)] = &[
    ("get_several_albums", "albums", "get_album"),
    ("get_several_artists", "artists", "get_artist"),
    ("get_several_tracks", "tracks", "get_track"),
    ("get_several_shows", "shows", "get_show"),
    ("get_several_episodes", "episodes", "get_episode"),
    ("get_several_audiobooks", "audiobooks", "get_audiobook"),
    ("get_several_chapters", "chapters", "get_chapter"),
];

/// The largest page `get_playlist_items` accepts.
const CURRENT_PAGE_MAX: u64 = 50;

/// Per-item GETs run this many at a time: enough to be quick, few enough not to trip 429s.
const PER_ITEM_CONCURRENCY: usize = 4;

/// A tool of a moved family: the family (the memory key) and the side the tool is on.
struct Moved {
    family: &'static str,
    side: Route,
}

fn moved(name: &str) -> Option<Moved> {
    let moved = |family, side| Some(Moved { family, side });
    if PLAYLIST_ITEMS.iter().any(|(current, _)| *current == name) {
        return moved("playlist-items", Route::Current);
    }
    if PLAYLIST_ITEMS.iter().any(|(_, legacy)| *legacy == name) {
        return moved("playlist-items", Route::Legacy);
    }
    match name {
        "create_playlist" => return moved("create-playlist", Route::Current),
        "create_playlist_legacy" => return moved("create-playlist", Route::Legacy),
        _ => {}
    }
    if LIBRARY_CURRENT.contains(&name) {
        return moved("library", Route::Current);
    }
    if LIBRARY
        .iter()
        .any(|(_, save, remove, check)| [*save, *remove, *check].contains(&name))
    {
        return moved("library", Route::Legacy);
    }
    // The per-item GETs are the current side; the family is the "several" call's.
    SEVERAL
        .iter()
        .find(|(several, _, _)| *several == name)
        .and_then(|(several, _, _)| moved(several, Route::Legacy))
}

/// Spotify's answer that this app may not use this route at all, as opposed to an answer about
/// the request: a 403 whose message is only `Forbidden` (what Spotify sends for a withheld
/// endpoint), or a 404 `Service not found` (a path it does not route), each without a
/// `reason`. Anything more specific is about the resource, the scopes or the account.
pub fn route_refused(error: &CallError) -> bool {
    let CallError::Spotify {
        status,
        message,
        reason: None,
        ..
    } = error
    else {
        return false;
    };
    let message = message.trim().trim_end_matches('.').to_ascii_lowercase();
    match status.as_u16() {
        403 => message.is_empty() || message == "forbidden",
        404 => message == "service not found",
        _ => false,
    }
}

/// Runs tool `name` with `arguments` (already validated), on whichever route this app can use.
pub async fn dispatch(
    spotify: &SpotifyCall,
    routes: &RouteMemory,
    name: &str,
    arguments: Map<String, Value>,
) -> Option<Outcome> {
    let client = spotify.client();
    let Some(Moved { family, side }) = moved(name) else {
        return generated_tools::dispatch(client, name, &mut Args::new(arguments)).await;
    };
    let identity = spotify.credentials().identity().await;
    let remembered = routes.get(family, &identity).await;
    // The remembered route when these arguments can be expressed there, else the tool's own.
    let (first, outcome) = match remembered.filter(|route| *route != side) {
        Some(other) => match run(client, name, side, other, &arguments).await {
            Some(outcome) => (other, outcome),
            None => (side, own(client, name, &arguments).await),
        },
        None => (side, own(client, name, &arguments).await),
    };
    // Only a refusal teaches anything: an app that may use both routes keeps the current one
    // even after a legacy tool was called by name.
    let refusal = match outcome {
        Err(error) if route_refused(&error) => error,
        other => return Some(other),
    };
    let second = first.other();
    let Some(outcome) = run(client, name, side, second, &arguments).await else {
        return Some(Err(refusal));
    };
    tracing::info!(
        tool = name,
        family,
        "Spotify refused the {} route to this app; trying the {} one",
        label(first),
        label(second)
    );
    let result = if outcome.is_ok() { "ok" } else { "error" };
    metrics::route_fallback(family, label(second), result);
    match outcome {
        Ok(body) => {
            routes.set(family, &identity, second).await;
            Some(Ok(body))
        }
        // Both routes refused: the requested tool's own answer is the one to show.
        Err(other) if route_refused(&other) && second != side => Some(Err(refusal)),
        Err(other) => Some(Err(other)),
    }
}

fn label(route: Route) -> &'static str {
    match route {
        Route::Current => "current",
        Route::Legacy => "legacy",
    }
}

/// The tool itself, through the generated dispatch.
async fn own(client: &Client, name: &str, arguments: &Map<String, Value>) -> Outcome {
    call(client, name, Value::Object(arguments.clone())).await
}

/// Calls tool `name` (on `side`) through `route`: itself, or its counterpart with converted
/// arguments and the answer converted back; `None` when the arguments cannot be expressed
/// on `route` (e.g. saves with their own timestamps).
async fn run(
    client: &Client,
    name: &str,
    side: Route,
    route: Route,
    arguments: &Map<String, Value>,
) -> Option<Outcome> {
    if route == side {
        return Some(own(client, name, arguments).await);
    }
    counterpart(client, name, side, arguments).await
}

async fn call(client: &Client, name: &str, arguments: Value) -> Outcome {
    let Value::Object(arguments) = arguments else {
        return Err(CallError::BadRequest(format!(
            "arguments for `{name}` are not an object"
        )));
    };
    generated_tools::dispatch(client, name, &mut Args::new(arguments))
        .await
        .unwrap_or_else(|| Err(CallError::BadRequest(format!("no tool `{name}`"))))
}

/// The counterpart call of `name` on the other side; `None` when the arguments cannot be
/// expressed there.
async fn counterpart(
    client: &Client,
    name: &str,
    side: Route,
    arguments: &Map<String, Value>,
) -> Option<Outcome> {
    if let Some((current, legacy)) = PLAYLIST_ITEMS
        .iter()
        .find(|(current, legacy)| *current == name || *legacy == name)
    {
        return Some(playlist_items(client, current, legacy, side, arguments).await);
    }
    match name {
        "create_playlist" => return Some(create_playlist_legacy(client, arguments).await),
        "create_playlist_legacy" => {
            let mut arguments = arguments.clone();
            arguments.remove("user_id");
            return Some(call(client, "create_playlist", Value::Object(arguments)).await);
        }
        _ => {}
    }
    if let Some(column) = LIBRARY_CURRENT.iter().position(|tool| *tool == name) {
        return Some(library_legacy(client, column, arguments).await);
    }
    if side == Route::Legacy
        && let Some((_, key, one)) = SEVERAL.iter().find(|(several, _, _)| *several == name)
    {
        return Some(per_item(client, key, one, arguments).await);
    }
    library_current(client, name, arguments).await
}

/// Same arguments on both sides except removal (`items` now, `tracks` before); a legacy
/// answer's entries carry the item as `track`, the current ones as `item`.
async fn playlist_items(
    client: &Client,
    current: &str,
    legacy: &str,
    side: Route,
    arguments: &Map<String, Value>,
) -> Outcome {
    let mut arguments = arguments.clone();
    let (target, from, to) = match side {
        Route::Current => (legacy, "items", "tracks"),
        Route::Legacy => (current, "tracks", "items"),
    };
    if target.starts_with("remove_")
        && let Some(list) = arguments.remove(from)
    {
        arguments.insert(to.into(), list);
    }
    // The legacy GET pages up to 100 items, the current one up to 50: a smaller page (its
    // `next` says where to go on) beats a 400.
    if target == "get_playlist_items"
        && let Some(limit) = arguments.get_mut("limit")
        && limit.as_u64().is_some_and(|n| n > CURRENT_PAGE_MAX)
    {
        *limit = json!(CURRENT_PAGE_MAX);
    }
    let mut body = call(client, target, Value::Object(arguments)).await?;
    if let Some(Value::Array(entries)) = body.as_mut().and_then(|b| b.get_mut("items")) {
        let (have, want) = match side {
            Route::Current => ("track", "item"),
            Route::Legacy => ("item", "track"),
        };
        for entry in entries.iter_mut().filter_map(Value::as_object_mut) {
            if !entry.contains_key(want)
                && let Some(value) = entry.get(have).cloned()
            {
                entry.insert(want.into(), value);
            }
        }
    }
    Ok(body)
}

/// `POST /users/{user_id}/playlists` for the signed-in user, whose id `GET /me` gives.
async fn create_playlist_legacy(client: &Client, arguments: &Map<String, Value>) -> Outcome {
    let me = call(client, "get_my_profile", json!({})).await?;
    let Some(user_id) = me.as_ref().and_then(|me| me.get("id")).cloned() else {
        return Err(CallError::UnexpectedAnswer(
            "the profile of the signed-in user has no id".into(),
        ));
    };
    let mut arguments = arguments.clone();
    arguments.insert("user_id".into(), user_id);
    call(client, "create_playlist_legacy", Value::Object(arguments)).await
}

/// `spotify:track:abc` → (`track`, `abc`).
fn split_uri(uri: &str) -> Result<(&str, &str), CallError> {
    let mut parts = uri.split(':');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("spotify"), Some(kind), Some(id), None)
            if LIBRARY.iter().any(|(k, ..)| *k == kind) && !id.is_empty() =>
        {
            Ok((kind, id))
        }
        _ => Err(CallError::InvalidArgument {
            field: "uris".into(),
            problem: format!(
                "`{uri}` is not a Spotify URI of a track, album, episode, show, audiobook, artist, user or playlist \
                 (spotify:<type>:<id>)"
            ),
        }),
    }
}

/// The library write or check by URI, done with the per-type legacy calls (`column`: 0 save,
/// 1 remove, 2 check). Checks come back in the caller's order.
async fn library_legacy(client: &Client, column: usize, arguments: &Map<String, Value>) -> Outcome {
    let uris: Vec<&str> = arguments
        .get("uris")
        .and_then(Value::as_array)
        .map(|uris| uris.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let parsed = uris
        .iter()
        .map(|uri| split_uri(uri))
        .collect::<Result<Vec<_>, _>>()?;
    let mut answers: Vec<Value> = vec![Value::Null; parsed.len()];
    for (kind, save, remove, check) in LIBRARY {
        let positions: Vec<usize> = (0..parsed.len())
            .filter(|&i| parsed[i].0 == *kind)
            .collect();
        if positions.is_empty() {
            continue;
        }
        let tool = [*save, *remove, *check][column];
        let ids: Vec<&str> = positions.iter().map(|&i| parsed[i].1).collect();
        // Playlists are followed one by one; everything else goes in one call per type.
        let calls: Vec<(Vec<usize>, Value)> = if *kind == "playlist" {
            positions
                .iter()
                .zip(&ids)
                .map(|(&i, id)| (vec![i], json!({ "playlist_id": id })))
                .collect()
        } else if *kind == "artist" || *kind == "user" {
            let mut arguments = json!({ "ids": ids, "type": kind });
            if column == 0 {
                arguments["body_ids"] = json!(ids);
            }
            vec![(positions.clone(), arguments)]
        } else {
            vec![(positions.clone(), json!({ "ids": ids }))]
        };
        for (positions, arguments) in calls {
            let body = call(client, tool, arguments).await?;
            if column == 2 {
                let flags = body.as_ref().and_then(Value::as_array);
                for (k, &i) in positions.iter().enumerate() {
                    answers[i] = flags
                        .and_then(|f| f.get(k))
                        .cloned()
                        .unwrap_or(json!(false));
                }
            }
        }
    }
    Ok((column == 2).then_some(Value::Array(answers)))
}

/// A legacy library tool done with the current `/me/library` call, by URI.
async fn library_current(
    client: &Client,
    name: &str,
    arguments: &Map<String, Value>,
) -> Option<Outcome> {
    let (kind, column) = LIBRARY.iter().find_map(|(kind, save, remove, check)| {
        [*save, *remove, *check]
            .iter()
            .position(|tool| *tool == name)
            .map(|column| (*kind, column))
    })?;
    // Saves with their own timestamps have no equivalent on the current route.
    if arguments
        .get("timestamped_ids")
        .is_some_and(|v| !v.is_null())
    {
        return None;
    }
    let kind = match arguments.get("type").and_then(Value::as_str) {
        Some(given @ ("artist" | "user")) => given,
        _ => kind,
    };
    let ids: Vec<String> = match arguments.get("playlist_id").and_then(Value::as_str) {
        Some(playlist) => vec![playlist.to_string()],
        None => arguments
            .get("ids")
            .and_then(Value::as_array)?
            .iter()
            .filter_map(|id| id.as_str().map(String::from))
            .collect(),
    };
    let uris: Vec<String> = ids
        .iter()
        .map(|id| format!("spotify:{kind}:{id}"))
        .collect();
    Some(call(client, LIBRARY_CURRENT[column], json!({ "uris": uris })).await)
}

/// A "get several" answer assembled from per-item GETs: `{key: [object or null, ...]}` in the
/// caller's order, `null` for an id Spotify does not know (as the several call answers).
async fn per_item(
    client: &Client,
    key: &str,
    one: &str,
    arguments: &Map<String, Value>,
) -> Outcome {
    let ids: Vec<Value> = arguments
        .get("ids")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut shared = arguments.clone();
    shared.remove("ids");
    let items: Vec<Value> = stream::iter(ids)
        .map(|id| {
            let mut arguments = shared.clone();
            arguments.insert("id".into(), id);
            async move {
                match call(client, one, Value::Object(arguments)).await {
                    Ok(body) => Ok(body.unwrap_or(Value::Null)),
                    Err(error) if is_not_found(&error) => Ok(Value::Null),
                    Err(error) => Err(error),
                }
            }
        })
        .buffered(PER_ITEM_CONCURRENCY)
        .try_collect()
        .await?;
    Ok(Some(json!({ key: items })))
}

fn is_not_found(error: &CallError) -> bool {
    matches!(error, CallError::Spotify { status, .. } if status.as_u16() == 404)
        && !route_refused(error)
}
