//! The Web API under `/v1`: authentication, the app's route mode, then one handler per
//! operation of `openapi/spotify.yaml`.

mod browse;
mod catalog;
mod library;
mod player;
mod playlists;
mod search;

use crate::auth::{self, Holder, Rejected};
use crate::data::render::Render;
use crate::knobs::{Knobs, RouteMode};
use crate::server::Shared;
use crate::state::{State, UserState};
use axum::http::HeaderMap;
use serde_json::{Value, json};

/// A status and an optional JSON body.
pub(crate) type Reply = (u16, Option<Value>);

pub(crate) struct ApiRequest<'a> {
    pub method: &'a str,
    /// Path segments after `/v1/`.
    pub segments: Vec<&'a str>,
    pub query: Query,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

impl ApiRequest<'_> {
    pub fn json_body(&self) -> Value {
        serde_json::from_slice(self.body).unwrap_or(Value::Null)
    }
}

/// Decoded query parameters.
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    pub fn parse(query: Option<&str>) -> Self {
        Query(
            query
                .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
                .unwrap_or_default(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A comma-separated list (`ids`, `uris`, `type`…); empty when absent.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `limit` and `offset`, checked the way Spotify checks them.
    pub fn page(&self, default: usize, max: usize) -> Result<(usize, usize), Reply> {
        let limit = match self.get("limit") {
            None => default,
            Some(text) => match text.parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => n,
                _ => return Err(error(400, "Invalid limit", None)),
            },
        };
        let offset = match self.get("offset") {
            None => 0,
            Some(text) => match text.parse::<usize>() {
                Ok(n) if n <= 100_000 => n,
                _ => return Err(error(400, "Invalid offset", None)),
            },
        };
        Ok((offset, limit))
    }
}

/// Spotify's error object.
pub(crate) fn error(status: u16, message: &str, reason: Option<&str>) -> Reply {
    let mut error = json!({ "status": status, "message": message });
    if let Some(reason) = reason {
        error["reason"] = json!(reason);
    }
    (status, Some(json!({ "error": error })))
}

/// What a handler gets: the request, the catalog renderer, the mutable state, whose call it
/// is and the knobs.
pub(crate) struct Ctx<'a> {
    pub request: &'a ApiRequest<'a>,
    pub render: Render<'a>,
    pub state: &'a mut State,
    /// Index in `state.users` of the token's user (the default user for app tokens, which
    /// only reach routes that read no user's data of their own).
    pub user: usize,
    pub knobs: &'a Knobs,
}

impl Ctx<'_> {
    /// The caller's own data.
    pub fn me(&self) -> &UserState {
        &self.state.users[self.user]
    }

    pub fn me_mut(&mut self) -> &mut UserState {
        &mut self.state.users[self.user]
    }

    /// The caller's user id.
    pub fn my_id(&self) -> &str {
        &self.me().profile.id
    }

    /// Whether the caller's player has no active device (the fake-wide or their own knob).
    pub fn no_active_device(&self) -> bool {
        self.knobs.no_active_device || self.me().knobs.no_active_device
    }

    pub fn query(&self) -> &Query {
        &self.request.query
    }

    /// Ids from the `ids` query parameter, or else from a JSON body's `ids`.
    pub fn ids(&self) -> Vec<String> {
        let mut ids = self.query().list("ids");
        if ids.is_empty()
            && let Some(list) = self.request.json_body()["ids"].as_array()
        {
            ids = list
                .iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect();
        }
        ids
    }
}

/// Operations the spec marks deprecated: refused with a bare 403 in `current_only` mode.
fn is_legacy(method: &str, segments: &[&str]) -> bool {
    const SEVERAL: &[&str] = &[
        "albums",
        "artists",
        "tracks",
        "shows",
        "episodes",
        "audiobooks",
        "chapters",
    ];
    const LIBRARY: &[&str] = &[
        "tracks",
        "albums",
        "episodes",
        "shows",
        "audiobooks",
        "following",
    ];
    match (method, segments) {
        ("GET", [several]) if SEVERAL.contains(several) => true,
        ("GET", ["artists", _, "top-tracks" | "related-artists"]) => true,
        (
            "GET",
            [
                "audio-features" | "audio-analysis" | "recommendations" | "markets" | "browse",
                ..,
            ],
        ) => true,
        ("PUT" | "DELETE", ["me", kind]) => LIBRARY.contains(kind),
        ("GET", ["me", kind, "contains"]) => LIBRARY.contains(kind),
        (_, ["playlists", _, "tracks"] | ["playlists", _, "followers", ..] | ["users", ..]) => true,
        _ => false,
    }
}

/// Routes that only exist since the 2026 changes: `404 Service not found` in `legacy_only` mode.
fn is_current_only(method: &str, segments: &[&str]) -> bool {
    matches!(
        (method, segments),
        (_, ["playlists", _, "items"]) | (_, ["me", "library", ..]) | ("POST", ["me", "playlists"])
    )
}

/// Whether the route reads or changes the signed-in user's data (refused to app tokens).
fn needs_user(method: &str, segments: &[&str]) -> bool {
    match segments.first() {
        Some(&"me") => true,
        Some(&"playlists" | &"users") => method != "GET",
        _ => false,
    }
}

/// What Spotify answers a Development Mode app's user who is not on its allowlist.
const NOT_REGISTERED: &str =
    "Check settings on developer.spotify.com/dashboard, the user may not be registered.";

/// The caller's user id (`None` for an app token), or the error the token gets.
fn caller(shared: &Shared, knobs: &Knobs, request: &ApiRequest) -> Result<Option<String>, Reply> {
    let holder = match auth::bearer(shared, request.headers) {
        Ok(holder) => holder,
        Err(Rejected::Missing) => return Err(error(401, "No token provided", None)),
        Err(Rejected::Unknown) => return Err(error(401, "Invalid access token", None)),
        Err(Rejected::Expired) => return Err(error(401, "The access token expired", None)),
    };
    match holder {
        Holder::App => Ok(None),
        Holder::User { id, client_id } => match knobs.development_mode_user_limit {
            Some(limit) if !shared.tokens.admitted(&client_id, &id, limit) => {
                Err(error(403, NOT_REGISTERED, None))
            }
            _ => Ok(Some(id)),
        },
    }
}

pub(crate) fn answer(shared: &Shared, knobs: &Knobs, request: ApiRequest<'_>) -> Reply {
    let user = match caller(shared, knobs, &request) {
        Ok(user) => user,
        Err(reply) => return reply,
    };
    let method = request.method;
    let segments = request.segments.clone();
    if user.is_none() && needs_user(method, &segments) {
        return error(403, "This request requires user authentication.", None);
    }
    match knobs.route_mode {
        RouteMode::CurrentOnly if is_legacy(method, &segments) => {
            return error(403, "Forbidden", None);
        }
        RouteMode::LegacyOnly if is_current_only(method, &segments) => {
            return error(404, "Service not found", None);
        }
        _ => {}
    }
    let (status, mut json) = shared.with_state(|state| {
        let user = match &user {
            None => 0,
            Some(id) => match state.user_index(id) {
                Some(index) => index,
                None => return error(401, "Invalid access token", None),
            },
        };
        let mut ctx = Ctx {
            request: &request,
            render: Render {
                catalog: &shared.catalog,
                api: &shared.api_base,
            },
            state,
            user,
            knobs,
        };
        route(&mut ctx, method, &segments)
    });
    if knobs.route_mode == RouteMode::CurrentOnly
        && let Some(json) = json.as_mut()
    {
        strip_dropped_fields(json);
    }
    (status, json)
}

/// Fields Spotify stopped sending to Development Mode apps in February 2026.
const DROPPED_FIELDS: &[&str] = &[
    "available_markets",
    "popularity",
    "followers",
    "linked_from",
    "preview_url",
    "label",
    "album_group",
    "publisher",
    "country",
    "email",
    "product",
    "explicit_content",
];

fn strip_dropped_fields(json: &mut Value) {
    match json {
        Value::Object(map) => {
            map.retain(|key, _| !DROPPED_FIELDS.contains(&key.as_str()));
            map.values_mut().for_each(strip_dropped_fields);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_dropped_fields),
        _ => {}
    }
}

fn route(ctx: &mut Ctx, method: &str, segments: &[&str]) -> Reply {
    use crate::data::catalog::Kind::*;
    match (method, segments) {
        ("GET", ["search"]) => search::search(ctx),
        ("GET", ["albums", id]) => catalog::one(ctx, Album, id),
        ("GET", ["albums", id, "tracks"]) => catalog::album_tracks(ctx, id),
        ("GET", ["artists", id]) => catalog::one(ctx, Artist, id),
        ("GET", ["artists", id, "albums"]) => catalog::artist_albums(ctx, id),
        ("GET", ["artists", id, "top-tracks"]) => catalog::top_tracks(ctx, id),
        ("GET", ["artists", id, "related-artists"]) => catalog::related_artists(ctx, id),
        ("GET", ["tracks", id]) => catalog::one(ctx, Track, id),
        ("GET", ["shows", id]) => catalog::one(ctx, Show, id),
        ("GET", ["shows", id, "episodes"]) => catalog::show_episodes(ctx, id),
        ("GET", ["episodes", id]) => catalog::one(ctx, Episode, id),
        ("GET", ["audiobooks", id]) => catalog::one(ctx, Audiobook, id),
        ("GET", ["audiobooks", id, "chapters"]) => catalog::audiobook_chapters(ctx, id),
        ("GET", ["chapters", id]) => catalog::one(ctx, Chapter, id),
        ("GET", ["albums"]) => catalog::several(ctx, Album, 20),
        ("GET", ["artists"]) => catalog::several(ctx, Artist, 50),
        ("GET", ["tracks"]) => catalog::several(ctx, Track, 50),
        ("GET", ["shows"]) => catalog::several(ctx, Show, 50),
        ("GET", ["episodes"]) => catalog::several(ctx, Episode, 50),
        ("GET", ["audiobooks"]) => catalog::several(ctx, Audiobook, 50),
        ("GET", ["chapters"]) => catalog::several(ctx, Chapter, 50),
        ("GET", ["audio-features"]) => browse::several_audio_features(ctx),
        ("GET", ["audio-features", id]) => browse::audio_features(ctx, id),
        ("GET", ["audio-analysis", id]) => browse::audio_analysis(ctx, id),
        ("GET", ["recommendations"]) => browse::recommendations(ctx),
        ("GET", ["recommendations", "available-genre-seeds"]) => browse::genre_seeds(),
        ("GET", ["markets"]) => browse::markets(),
        ("GET", ["browse", "new-releases"]) => browse::new_releases(ctx),
        ("GET", ["browse", "categories"]) => browse::categories(ctx),
        ("GET", ["browse", "categories", id]) => browse::category(ctx, id),
        ("GET", ["browse", "categories", _, "playlists"]) => {
            browse::featured(ctx, "Popular playlists")
        }
        ("GET", ["browse", "featured-playlists"]) => browse::featured(ctx, "Editor's picks"),
        ("GET", ["me"]) => library::me(ctx),
        ("GET", ["users", id]) => library::user(ctx, id),
        ("GET", ["me", "top", "artists"]) => library::top(ctx, Artist),
        ("GET", ["me", "top", "tracks"]) => library::top(ctx, Track),
        ("GET", ["me", "following"]) => library::followed_artists(ctx),
        ("PUT", ["me", "following"]) => library::follow(ctx, true),
        ("DELETE", ["me", "following"]) => library::follow(ctx, false),
        ("GET", ["me", "following", "contains"]) => library::follows(ctx),
        ("PUT", ["me", "library"]) => library::library_write(ctx, true),
        ("DELETE", ["me", "library"]) => library::library_write(ctx, false),
        ("GET", ["me", "library", "contains"]) => library::library_contains(ctx),
        (
            "GET",
            [
                "me",
                kind @ ("tracks" | "albums" | "episodes" | "shows" | "audiobooks"),
            ],
        ) => library::saved(ctx, kind),
        (
            "PUT",
            [
                "me",
                kind @ ("tracks" | "albums" | "episodes" | "shows" | "audiobooks"),
            ],
        ) => library::legacy_write(ctx, kind, true),
        (
            "DELETE",
            [
                "me",
                kind @ ("tracks" | "albums" | "episodes" | "shows" | "audiobooks"),
            ],
        ) => library::legacy_write(ctx, kind, false),
        (
            "GET",
            [
                "me",
                kind @ ("tracks" | "albums" | "episodes" | "shows" | "audiobooks"),
                "contains",
            ],
        ) => library::legacy_contains(ctx, kind),
        ("GET", ["me", "playlists"]) => playlists::list_own(ctx),
        ("POST", ["me", "playlists"]) => playlists::create(ctx),
        ("GET", ["users", id, "playlists"]) => playlists::list_users(ctx, id),
        ("POST", ["users", _, "playlists"]) => playlists::create(ctx),
        ("GET", ["playlists", id]) => playlists::get(ctx, id),
        ("PUT", ["playlists", id]) => playlists::change_details(ctx, id),
        ("GET", ["playlists", id, "items" | "tracks"]) => playlists::items(ctx, id),
        ("POST", ["playlists", id, "items" | "tracks"]) => playlists::add(ctx, id),
        ("PUT", ["playlists", id, "items" | "tracks"]) => playlists::reorder_or_replace(ctx, id),
        ("DELETE", ["playlists", id, route @ ("items" | "tracks")]) => {
            playlists::remove(ctx, id, route)
        }
        ("PUT", ["playlists", id, "followers"]) => playlists::follow(ctx, id, true),
        ("DELETE", ["playlists", id, "followers"]) => playlists::follow(ctx, id, false),
        ("GET", ["playlists", id, "followers", "contains"]) => playlists::follows(ctx, id),
        ("GET", ["playlists", id, "images"]) => playlists::cover(ctx, id),
        ("PUT", ["playlists", id, "images"]) => playlists::upload_cover(ctx, id),
        ("GET", ["me", "player"]) => player::state(ctx),
        ("PUT", ["me", "player"]) => player::transfer(ctx),
        ("GET", ["me", "player", "devices"]) => player::devices(ctx),
        ("GET", ["me", "player", "currently-playing"]) => player::currently_playing(ctx),
        ("GET", ["me", "player", "recently-played"]) => player::recently_played(ctx),
        ("GET", ["me", "player", "queue"]) => player::queue(ctx),
        ("POST", ["me", "player", "queue"]) => player::add_to_queue(ctx),
        ("PUT" | "POST", ["me", "player", command]) => player::command(ctx, command),
        _ => error(404, "Service not found", None),
    }
}
