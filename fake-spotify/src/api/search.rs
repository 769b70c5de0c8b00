//! `GET /search` over every kind: names matching the query's words first; a query that matches
//! nothing gets a stable pick, so an assistant always has something to go on.

use super::{Ctx, Reply, error};
use crate::data::catalog::Kind;
use crate::data::render::paging;
use crate::data::rng::hash;
use crate::knobs::RouteMode;
use serde_json::{Map, Value};

const TYPES: &[&str] = &[
    "album",
    "artist",
    "playlist",
    "track",
    "show",
    "episode",
    "audiobook",
];

/// The words to match: lower-cased, `field:` filters reduced to their value.
fn words(q: &str) -> Vec<String> {
    q.split_whitespace()
        .map(|w| {
            w.rsplit(':')
                .next()
                .unwrap_or(w)
                .trim_matches('"')
                .to_lowercase()
        })
        .filter(|w| w.len() > 1)
        .collect()
}

/// Indices `0..count` whose text matches a word, or a stable pick when none does.
fn matches(count: usize, text: impl Fn(usize) -> String, words: &[String], q: &str) -> Vec<usize> {
    let found: Vec<usize> = (0..count)
        .filter(|i| {
            let text = text(*i).to_lowercase();
            words.iter().any(|w| text.contains(w.as_str()))
        })
        .collect();
    if !found.is_empty() || count == 0 {
        return found;
    }
    let start = hash(q) as usize;
    let mut picked: Vec<usize> = (0..count.min(60))
        .map(|i| (start + i * 7) % count)
        .collect();
    picked.dedup();
    picked
}

/// Indices of the playlists matching, among those the caller may find: other fake users'
/// private playlists never show.
fn visible_playlists(ctx: &Ctx, words: &[String], q: &str) -> Vec<usize> {
    let state = &*ctx.state;
    let visible: Vec<usize> = (0..state.playlists.len())
        .filter(|i| !state.hidden_from(ctx.user, &state.playlists[*i]))
        .collect();
    let name = |j: usize| state.playlists[visible[j]].name.clone();
    matches(visible.len(), name, words, q)
        .into_iter()
        .map(|j| visible[j])
        .collect()
}

pub fn search(ctx: &mut Ctx) -> Reply {
    let Some(q) = ctx
        .query()
        .get("q")
        .map(str::to_string)
        .filter(|q| !q.trim().is_empty())
    else {
        return error(400, "No search query", None);
    };
    let types = ctx.query().list("type");
    if types.is_empty() {
        return error(400, "Missing parameter type", None);
    }
    if let Some(bad) = types.iter().find(|t| !TYPES.contains(&t.as_str())) {
        return error(400, &format!("Bad search type field {bad}"), None);
    }
    let max = if ctx.knobs.route_mode == RouteMode::CurrentOnly {
        10
    } else {
        50
    };
    let (offset, limit) = match ctx.query().page(if max == 10 { 5 } else { 20 }, max) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    if offset > 1000 {
        return error(400, "Invalid offset", None);
    }
    let words = words(&q);
    let catalog = ctx.render.catalog;
    let encoded: String = form_urlencoded::byte_serialize(q.as_bytes()).collect();
    let mut out = Map::new();
    for kind in &types {
        let (indices, render): (Vec<usize>, Box<dyn Fn(usize) -> Value>) = match kind.as_str() {
            "track" => (
                matches(
                    catalog.tracks.len(),
                    |i| {
                        let t = &catalog.tracks[i];
                        format!(
                            "{} {} {}",
                            t.name, catalog.artists[t.artist].name, catalog.albums[t.album].name
                        )
                    },
                    &words,
                    &q,
                ),
                Box::new(|i| ctx.render.track(i)),
            ),
            "album" => (
                matches(
                    catalog.albums.len(),
                    |i| {
                        let a = &catalog.albums[i];
                        format!("{} {}", a.name, catalog.artists[a.artist].name)
                    },
                    &words,
                    &q,
                ),
                Box::new(|i| ctx.render.simple_album(i)),
            ),
            "artist" => (
                matches(
                    catalog.artists.len(),
                    |i| catalog.name(Kind::Artist, i).to_string(),
                    &words,
                    &q,
                ),
                Box::new(|i| ctx.render.artist(i)),
            ),
            "show" => (
                matches(
                    catalog.shows.len(),
                    |i| catalog.name(Kind::Show, i).to_string(),
                    &words,
                    &q,
                ),
                Box::new(|i| ctx.render.simple_show(i)),
            ),
            "episode" => (
                matches(
                    catalog.episodes.len(),
                    |i| catalog.name(Kind::Episode, i).to_string(),
                    &words,
                    &q,
                ),
                Box::new(|i| ctx.render.simple_episode(i)),
            ),
            "audiobook" => (
                matches(
                    catalog.audiobooks.len(),
                    |i| {
                        let b = &catalog.audiobooks[i];
                        format!("{} {}", b.name, b.author)
                    },
                    &words,
                    &q,
                ),
                Box::new(|i| ctx.render.simple_audiobook(i)),
            ),
            _ => (
                visible_playlists(ctx, &words, &q),
                Box::new(|i| super::playlists::simple(ctx, &ctx.state.playlists[i])),
            ),
        };
        let items = indices
            .iter()
            .skip(offset)
            .take(limit)
            .map(|i| render(*i))
            .collect();
        let path = format!("/search?q={encoded}&type={kind}");
        out.insert(
            format!("{kind}s"),
            paging(ctx.render.api, &path, items, offset, limit, indices.len()),
        );
    }
    (200, Some(Value::Object(out)))
}
