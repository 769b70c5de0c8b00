//! Albums, artists, tracks, shows, episodes, audiobooks and chapters.

use super::{Ctx, Reply, error};
use crate::data::catalog::Kind;
use serde_json::{Value, json};

fn invalid_id() -> Reply {
    error(400, "Invalid base62 id", None)
}

pub fn one(ctx: &mut Ctx, kind: Kind, id: &str) -> Reply {
    match ctx.render.catalog.find(kind, id) {
        Some(index) => (200, Some(ctx.render.full(kind, index))),
        None => invalid_id(),
    }
}

/// The deprecated "get several" calls: `{"albums": [...]}`, `null` for an id that is not one.
pub fn several(ctx: &mut Ctx, kind: Kind, max: usize) -> Reply {
    let ids = ctx.query().list("ids");
    if ids.is_empty() {
        return error(400, "invalid id", None);
    }
    if ids.len() > max {
        return error(400, "Too many ids requested", None);
    }
    let items: Vec<Value> = ids
        .iter()
        .map(|id| match ctx.render.catalog.find(kind, id) {
            Some(index) => ctx.render.full(kind, index),
            None => Value::Null,
        })
        .collect();
    (200, Some(json!({ kind.plural(): items })))
}

pub fn album_tracks(ctx: &mut Ctx, id: &str) -> Reply {
    let (offset, limit) = match ctx.query().page(20, 50) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    match ctx.render.catalog.find(Kind::Album, id) {
        Some(index) => (200, Some(ctx.render.album_tracks(index, offset, limit))),
        None => invalid_id(),
    }
}

pub fn show_episodes(ctx: &mut Ctx, id: &str) -> Reply {
    let (offset, limit) = match ctx.query().page(20, 50) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    match ctx.render.catalog.find(Kind::Show, id) {
        Some(index) => (200, Some(ctx.render.show_episodes(index, offset, limit))),
        None => invalid_id(),
    }
}

pub fn audiobook_chapters(ctx: &mut Ctx, id: &str) -> Reply {
    let (offset, limit) = match ctx.query().page(20, 50) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    match ctx.render.catalog.find(Kind::Audiobook, id) {
        Some(index) => (
            200,
            Some(ctx.render.audiobook_chapters(index, offset, limit)),
        ),
        None => invalid_id(),
    }
}

pub fn artist_albums(ctx: &mut Ctx, id: &str) -> Reply {
    let (offset, limit) = match ctx.query().page(20, 50) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let Some(index) = ctx.render.catalog.find(Kind::Artist, id) else {
        return invalid_id();
    };
    let groups = ctx.query().list("include_groups");
    let albums: Vec<usize> = ctx.render.catalog.artists[index]
        .albums
        .iter()
        .copied()
        .filter(|a| {
            groups.is_empty()
                || groups
                    .iter()
                    .any(|g| g == ctx.render.catalog.albums[*a].album_type)
        })
        .collect();
    let total = albums.len();
    let items = albums
        .iter()
        .skip(offset)
        .take(limit)
        .map(|a| ctx.render.discography_album(*a))
        .collect();
    let artist_id = &ctx.render.catalog.artists[index].id;
    let path = format!("/artists/{artist_id}/albums");
    (
        200,
        Some(crate::data::render::paging(
            ctx.render.api,
            &path,
            items,
            offset,
            limit,
            total,
        )),
    )
}

pub fn top_tracks(ctx: &mut Ctx, id: &str) -> Reply {
    let Some(index) = ctx.render.catalog.find(Kind::Artist, id) else {
        return invalid_id();
    };
    let catalog = ctx.render.catalog;
    let mut tracks: Vec<usize> = catalog.artists[index]
        .albums
        .iter()
        .flat_map(|a| catalog.albums[*a].tracks.clone())
        .collect();
    tracks.sort_by_key(|t| std::cmp::Reverse(catalog.tracks[*t].popularity));
    let items: Vec<Value> = tracks
        .iter()
        .take(10)
        .map(|t| ctx.render.track(*t))
        .collect();
    (200, Some(json!({ "tracks": items })))
}

pub fn related_artists(ctx: &mut Ctx, id: &str) -> Reply {
    let Some(index) = ctx.render.catalog.find(Kind::Artist, id) else {
        return invalid_id();
    };
    let count = ctx.render.catalog.artists.len();
    let items: Vec<Value> = (1..=10)
        .map(|step| ctx.render.artist((index + step * 3) % count))
        .collect();
    (200, Some(json!({ "artists": items })))
}
