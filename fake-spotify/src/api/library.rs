//! The user: profile, top items, follows, and the library on both its legacy per-type routes
//! and the 2026 `/me/library` routes, which share one state.

use super::{Ctx, Reply, error};
use crate::data::catalog::Kind;
use crate::data::render::{external_urls, images, page, paging};
use crate::data::rng::hash;
use crate::state::{LIBRARY_TYPES, Product};
use serde_json::{Value, json};

macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(value) => value,
            Err(reply) => return reply,
        }
    };
}

/// The caller's profile, with the May 2026 `account_id` unless their knob leaves it out.
pub fn me(ctx: &mut Ctx) -> Reply {
    let me = ctx.me();
    let id = me.profile.id.as_str();
    let mut profile = json!({
        "account_id": me.profile.account_id,
        "country": "SE",
        "display_name": me.profile.display_name,
        "email": format!("{id}@example.invalid"),
        "explicit_content": { "filter_enabled": false, "filter_locked": false },
        "external_urls": external_urls("user", id),
        "followers": { "href": null, "total": 42 },
        "href": format!("{}/users/{id}", ctx.render.api),
        "id": id,
        "images": images(id),
        "product": match me.knobs.product {
            Product::Premium => "premium",
            Product::Free => "free",
        },
        "type": "user",
        "uri": format!("spotify:user:{id}"),
    });
    if me.knobs.omit_account_id
        && let Some(map) = profile.as_object_mut()
    {
        map.remove("account_id");
    }
    (200, Some(profile))
}

pub fn user(ctx: &mut Ctx, id: &str) -> Reply {
    let name = match ctx.state.user_index(id) {
        Some(index) => ctx.state.users[index].profile.display_name.clone(),
        None => format!("user {id}"),
    };
    (200, Some(ctx.render.user(id, &name)))
}

pub fn top(ctx: &mut Ctx, kind: Kind) -> Reply {
    let (offset, limit) = tri!(ctx.query().page(20, 50));
    let range = ctx.query().get("time_range").unwrap_or("medium_term");
    if !["short_term", "medium_term", "long_term"].contains(&range) {
        return error(400, "Invalid time range", None);
    }
    let count = ctx.render.catalog.len(kind);
    let start = hash(range) as usize;
    let total = 50;
    let items = page(total, offset, limit)
        .map(|i| {
            let index = (start + i * 13) % count;
            if kind == Kind::Artist {
                ctx.render.artist(index)
            } else {
                ctx.render.track(index)
            }
        })
        .collect();
    let path = format!("/me/top/{}?time_range={range}", kind.plural());
    (
        200,
        Some(paging(ctx.render.api, &path, items, offset, limit, total)),
    )
}

pub fn followed_artists(ctx: &mut Ctx) -> Reply {
    if ctx.query().get("type") != Some("artist") {
        return error(400, "type must be artist", None);
    }
    let (_, limit) = tri!(ctx.query().page(20, 50));
    let followed = ctx.me().library.list("artist");
    let start = match ctx.query().get("after") {
        Some(after) => followed
            .iter()
            .position(|(id, _)| id == after)
            .map_or(followed.len(), |i| i + 1),
        None => 0,
    };
    let chosen: Vec<&String> = followed
        .iter()
        .skip(start)
        .take(limit)
        .map(|(id, _)| id)
        .collect();
    let items: Vec<Value> = chosen
        .iter()
        .filter_map(|id| ctx.render.catalog.find(Kind::Artist, id))
        .map(|i| ctx.render.artist(i))
        .collect();
    let last = chosen.last().map(|id| id.to_string());
    let more = start + chosen.len() < followed.len();
    let base = format!("{}/me/following?type=artist&limit={limit}", ctx.render.api);
    (
        200,
        Some(json!({ "artists": {
            "href": base,
            "limit": limit,
            "next": more.then(|| format!("{base}&after={}", last.clone().unwrap_or_default())),
            "cursors": { "after": if more { last } else { None } },
            "total": followed.len(),
            "items": items,
        }})),
    )
}

fn follow_type(ctx: &Ctx) -> Result<&'static str, Reply> {
    match ctx.query().get("type") {
        Some("artist") => Ok("artist"),
        Some("user") => Ok("user"),
        _ => Err(error(400, "type must be artist or user", None)),
    }
}

pub fn follow(ctx: &mut Ctx, on: bool) -> Reply {
    let kind = tri!(follow_type(ctx));
    let ids = ctx.ids();
    if ids.is_empty() || ids.len() > 50 {
        return error(400, "Provide 1 to 50 ids", None);
    }
    for id in ids {
        if on {
            ctx.me_mut().library.save(kind, &id)
        } else {
            ctx.me_mut().library.remove(kind, &id)
        }
    }
    (204, None)
}

pub fn follows(ctx: &mut Ctx) -> Reply {
    let kind = tri!(follow_type(ctx));
    let answer: Vec<bool> = ctx
        .query()
        .list("ids")
        .iter()
        .map(|id| ctx.me().library.contains(kind, id))
        .collect();
    (200, Some(json!(answer)))
}

/// `spotify:{type}:{id}` URIs from the `uris` query parameter, checked.
fn library_uris(ctx: &Ctx) -> Result<Vec<(&'static str, String)>, Reply> {
    let uris = ctx.query().list("uris");
    if uris.is_empty() || uris.len() > 40 {
        return Err(error(400, "Provide 1 to 40 uris", None));
    }
    uris.iter()
        .map(|uri| {
            let mut parts = uri.splitn(3, ':');
            let (scheme, kind, id) = (
                parts.next(),
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(""),
            );
            let kind = LIBRARY_TYPES.iter().find(|k| **k == kind);
            match (scheme, kind) {
                (Some("spotify"), Some(kind)) if !id.is_empty() => Ok((*kind, id.to_string())),
                _ => Err(error(400, &format!("Invalid uri: {uri}"), None)),
            }
        })
        .collect()
}

pub fn library_write(ctx: &mut Ctx, on: bool) -> Reply {
    for (kind, id) in tri!(library_uris(ctx)) {
        if on {
            ctx.me_mut().library.save(kind, &id)
        } else {
            ctx.me_mut().library.remove(kind, &id)
        }
    }
    (200, None)
}

pub fn library_contains(ctx: &mut Ctx) -> Reply {
    let answer: Vec<bool> = tri!(library_uris(ctx))
        .iter()
        .map(|(kind, id)| ctx.me().library.contains(kind, id))
        .collect();
    (200, Some(json!(answer)))
}

fn singular(plural: &str) -> (&'static str, Kind) {
    match plural {
        "albums" => ("album", Kind::Album),
        "episodes" => ("episode", Kind::Episode),
        "shows" => ("show", Kind::Show),
        "audiobooks" => ("audiobook", Kind::Audiobook),
        _ => ("track", Kind::Track),
    }
}

pub fn saved(ctx: &mut Ctx, plural: &str) -> Reply {
    let (offset, limit) = tri!(ctx.query().page(20, 50));
    let (key, kind) = singular(plural);
    let list = ctx.me().library.list(key);
    let items = page(list.len(), offset, limit)
        .map(|i| {
            let (id, added_at) = &list[i];
            let index = ctx.render.catalog.find(kind, id).unwrap_or(0);
            // Saved shows are simplified; everything else is the full object.
            let object = if kind == Kind::Show {
                ctx.render.simple_show(index)
            } else {
                ctx.render.full(kind, index)
            };
            json!({ "added_at": added_at, key: object })
        })
        .collect();
    (
        200,
        Some(paging(
            ctx.render.api,
            &format!("/me/{plural}"),
            items,
            offset,
            limit,
            list.len(),
        )),
    )
}

pub fn legacy_write(ctx: &mut Ctx, plural: &str, on: bool) -> Reply {
    let (key, _) = singular(plural);
    let mut ids = ctx.ids();
    if ids.is_empty()
        && let Some(stamped) = ctx.request.json_body()["timestamped_ids"].as_array()
    {
        ids = stamped
            .iter()
            .filter_map(|t| t["id"].as_str())
            .map(String::from)
            .collect();
    }
    if ids.is_empty() || ids.len() > 50 {
        return error(400, "Provide 1 to 50 ids", None);
    }
    for id in ids {
        if on {
            ctx.me_mut().library.save(key, &id)
        } else {
            ctx.me_mut().library.remove(key, &id)
        }
    }
    (200, None)
}

pub fn legacy_contains(ctx: &mut Ctx, plural: &str) -> Reply {
    let (key, _) = singular(plural);
    let ids = ctx.query().list("ids");
    if ids.is_empty() || ids.len() > 50 {
        return error(400, "Provide 1 to 50 ids", None);
    }
    let answer: Vec<bool> = ids
        .iter()
        .map(|id| ctx.me().library.contains(key, id))
        .collect();
    (200, Some(json!(answer)))
}
