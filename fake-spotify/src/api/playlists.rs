//! Playlists: reads, and writes that change the fake's state (each bumps the snapshot id).

use super::{Ctx, Reply, error};
use crate::data::catalog::Kind;
use crate::data::render::{external_urls, images, page, paging};
use crate::knobs::RouteMode;
use crate::state::{Entry, Playlist};
use serde_json::{Value, json};

fn owner(ctx: &Ctx, p: &Playlist) -> Value {
    let mut user = ctx.render.user(&p.owner.0, &p.owner.1);
    if let Some(map) = user.as_object_mut() {
        map.remove("followers");
        map.remove("images");
    }
    user
}

fn head(ctx: &Ctx, p: &Playlist) -> serde_json::Map<String, Value> {
    let json = json!({
        "collaborative": p.collaborative,
        "description": p.description,
        "external_urls": external_urls("playlist", &p.id),
        "href": format!("{}/playlists/{}", ctx.render.api, p.id),
        "id": p.id,
        "images": if p.custom_image { json!([{ "url": format!("https://mosaic.scdn.co/640/{}", p.id), "height": null, "width": null }]) } else { images(&p.id) },
        "name": p.name,
        "owner": owner(ctx, p),
        "public": p.public,
        "snapshot_id": p.snapshot_id(),
        "type": "playlist",
        "uri": format!("spotify:playlist:{}", p.id),
    });
    match json {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    }
}

/// A playlist as lists show it: the items only counted.
pub fn simple(ctx: &Ctx, p: &Playlist) -> Value {
    let mut out = head(ctx, p);
    let reference = |route: &str| json!({ "href": format!("{}/playlists/{}/{route}", ctx.render.api, p.id), "total": p.entries.len() });
    out.insert("items".into(), reference("items"));
    out.insert("tracks".into(), reference("tracks"));
    Value::Object(out)
}

/// The track or episode a URI names, as a full object.
pub fn item(ctx: &Ctx, uri: &str) -> Value {
    let mut parts = uri.splitn(3, ':');
    let (_, kind, id) = (parts.next(), parts.next(), parts.next().unwrap_or(""));
    let kind = if kind == Some("episode") {
        Kind::Episode
    } else {
        Kind::Track
    };
    let index = ctx.render.catalog.find(kind, id).unwrap_or(0);
    ctx.render.full(kind, index)
}

/// An entry of a playlist; its owner added it.
fn entry(ctx: &Ctx, owner: &str, e: &Entry) -> Value {
    let item = item(ctx, &e.uri);
    json!({
        "added_at": e.added_at,
        "added_by": { "external_urls": external_urls("user", owner), "href": format!("{}/users/{owner}", ctx.render.api), "id": owner, "type": "user", "uri": format!("spotify:user:{owner}") },
        "is_local": false,
        "item": item,
        "track": item,
    })
}

fn entries_page(ctx: &Ctx, p: &Playlist, route: &str, offset: usize, limit: usize) -> Value {
    let items = page(p.entries.len(), offset, limit)
        .map(|i| entry(ctx, &p.owner.0, &p.entries[i]))
        .collect();
    paging(
        ctx.render.api,
        &format!("/playlists/{}/{route}", p.id),
        items,
        offset,
        limit,
        p.entries.len(),
    )
}

/// A page of playlists matching `keep`, as simplified playlist objects.
pub fn simple_page(
    ctx: &Ctx,
    keep: impl Fn(&Playlist) -> bool,
    path: &str,
    offset: usize,
    limit: usize,
) -> Value {
    let chosen: Vec<&Playlist> = ctx.state.playlists.iter().filter(|p| keep(p)).collect();
    let items = page(chosen.len(), offset, limit)
        .map(|i| simple(ctx, chosen[i]))
        .collect();
    paging(ctx.render.api, path, items, offset, limit, chosen.len())
}

fn find(ctx: &mut Ctx, id: &str) -> Result<usize, Reply> {
    ctx.state
        .playlist(ctx.render.catalog, id)
        .ok_or_else(|| error(400, "Invalid base62 id", None))
}

fn writable(ctx: &mut Ctx, id: &str) -> Result<usize, Reply> {
    let index = find(ctx, id)?;
    let p = &ctx.state.playlists[index];
    if p.owner.0 != ctx.my_id() && !p.collaborative {
        return Err(error(
            403,
            "You cannot change a playlist you don't own.",
            None,
        ));
    }
    Ok(index)
}

macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(value) => value,
            Err(reply) => return reply,
        }
    };
}

pub fn get(ctx: &mut Ctx, id: &str) -> Reply {
    let index = tri!(find(ctx, id));
    let p = &ctx.state.playlists[index];
    let mut out = head(ctx, p);
    out.insert(
        "followers".into(),
        json!({ "href": null, "total": p.followers }),
    );
    let key = if ctx.knobs.route_mode == RouteMode::LegacyOnly {
        "tracks"
    } else {
        "items"
    };
    out.insert(key.into(), entries_page(ctx, p, key, 0, 100));
    (200, Some(Value::Object(out)))
}

pub fn items(ctx: &mut Ctx, id: &str) -> Reply {
    let legacy = ctx.request.segments.get(2) == Some(&"tracks");
    let (offset, limit) = tri!(ctx.query().page(20, if legacy { 100 } else { 50 }));
    let index = tri!(find(ctx, id));
    let route = if legacy { "tracks" } else { "items" };
    (
        200,
        Some(entries_page(
            ctx,
            &ctx.state.playlists[index],
            route,
            offset,
            limit,
        )),
    )
}

pub fn list_own(ctx: &mut Ctx) -> Reply {
    let (offset, limit) = tri!(ctx.query().page(20, 50));
    let followed: Vec<String> = ctx
        .me()
        .library
        .list("playlist")
        .iter()
        .map(|(id, _)| id.clone())
        .collect();
    let me = ctx.my_id().to_string();
    let page = simple_page(
        ctx,
        |p| p.owner.0 == me || followed.contains(&p.id),
        "/me/playlists",
        offset,
        limit,
    );
    (200, Some(page))
}

/// A fake user's playlists (only the public ones, to anyone else); for any other id, the
/// playlists no fake user owns.
pub fn list_users(ctx: &mut Ctx, user: &str) -> Reply {
    let (offset, limit) = tri!(ctx.query().page(20, 50));
    let known = ctx.state.is_user(user);
    let mine = user == ctx.my_id();
    let owners: Vec<String> = ctx
        .state
        .users
        .iter()
        .map(|u| u.profile.id.clone())
        .collect();
    let path = format!("/users/{user}/playlists");
    let keep = |p: &Playlist| match known {
        true => p.owner.0 == user && (mine || p.public),
        false => !owners.contains(&p.owner.0),
    };
    (200, Some(simple_page(ctx, keep, &path, offset, limit)))
}

pub fn create(ctx: &mut Ctx) -> Reply {
    let body = ctx.request.json_body();
    let Some(name) = body["name"].as_str().filter(|n| !n.trim().is_empty()) else {
        return error(400, "Missing required field: name", None);
    };
    let index = ctx.state.create_playlist(
        ctx.user,
        name,
        body["description"].as_str().unwrap_or(""),
        body["public"].as_bool().unwrap_or(true),
        body["collaborative"].as_bool().unwrap_or(false),
    );
    let p = &ctx.state.playlists[index];
    let mut out = head(ctx, p);
    out.insert("followers".into(), json!({ "href": null, "total": 0 }));
    out.insert("items".into(), entries_page(ctx, p, "items", 0, 100));
    (201, Some(Value::Object(out)))
}

pub fn change_details(ctx: &mut Ctx, id: &str) -> Reply {
    let index = tri!(writable(ctx, id));
    let body = ctx.request.json_body();
    if !body.is_object() {
        return error(400, "Request body must be a JSON object", None);
    }
    let p = &mut ctx.state.playlists[index];
    if let Some(name) = body["name"].as_str() {
        p.name = name.to_string();
    }
    if let Some(description) = body["description"].as_str() {
        p.description = description.to_string();
    }
    if let Some(public) = body["public"].as_bool() {
        p.public = public;
    }
    if let Some(collaborative) = body["collaborative"].as_bool() {
        p.collaborative = collaborative;
    }
    p.version += 1;
    (200, None)
}

/// URIs from the `uris` query parameter or the body's `uris`, checked.
fn uris(ctx: &Ctx) -> Result<Vec<String>, Reply> {
    let mut uris = ctx.query().list("uris");
    if uris.is_empty() {
        uris = ctx.request.json_body()["uris"]
            .as_array()
            .map(|l| {
                l.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
    }
    if uris.len() > 100 {
        return Err(error(
            400,
            "You can add a maximum of 100 tracks per request.",
            None,
        ));
    }
    match uris
        .iter()
        .find(|u| !(u.starts_with("spotify:track:") || u.starts_with("spotify:episode:")))
    {
        Some(bad) => Err(error(400, &format!("Invalid track uri: {bad}"), None)),
        None => Ok(uris),
    }
}

fn snapshot(p: &mut Playlist) -> Option<Value> {
    p.version += 1;
    Some(json!({ "snapshot_id": p.snapshot_id() }))
}

pub fn add(ctx: &mut Ctx, id: &str) -> Reply {
    let uris = tri!(uris(ctx));
    if uris.is_empty() {
        return error(400, "No uris provided", None);
    }
    let position = ctx
        .query()
        .get("position")
        .and_then(|p| p.parse::<usize>().ok())
        .or_else(|| {
            ctx.request.json_body()["position"]
                .as_u64()
                .map(|p| p as usize)
        });
    let index = tri!(writable(ctx, id));
    let p = &mut ctx.state.playlists[index];
    let at = position.unwrap_or(p.entries.len()).min(p.entries.len());
    let added = uris.into_iter().map(|uri| Entry {
        uri,
        added_at: "2026-11-27T12:00:00Z".into(),
    });
    p.entries.splice(at..at, added);
    (201, snapshot(p))
}

pub fn reorder_or_replace(ctx: &mut Ctx, id: &str) -> Reply {
    let body = ctx.request.json_body();
    let replace = ctx.query().get("uris").is_some() || body.get("uris").is_some();
    let uris = if replace { tri!(uris(ctx)) } else { Vec::new() };
    let index = tri!(writable(ctx, id));
    let p = &mut ctx.state.playlists[index];
    if replace {
        p.entries = uris
            .into_iter()
            .map(|uri| Entry {
                uri,
                added_at: "2026-11-27T12:00:00Z".into(),
            })
            .collect();
        return (200, snapshot(p));
    }
    let (Some(start), Some(before)) =
        (body["range_start"].as_u64(), body["insert_before"].as_u64())
    else {
        return error(
            400,
            "Provide uris to replace, or range_start and insert_before to reorder",
            None,
        );
    };
    let (start, before) = (start as usize, before as usize);
    let length = body["range_length"].as_u64().unwrap_or(1) as usize;
    let len = p.entries.len();
    if start >= len || start + length > len || before > len {
        return error(400, "Index out of bounds", None);
    }
    let moved: Vec<Entry> = p.entries.drain(start..start + length).collect();
    let at = if before > start {
        before - length.min(before - start)
    } else {
        before
    };
    p.entries.splice(at..at, moved);
    (200, snapshot(p))
}

pub fn remove(ctx: &mut Ctx, id: &str, route: &str) -> Reply {
    let body = ctx.request.json_body();
    let key = if route == "items" { "items" } else { "tracks" };
    let Some(list) = body[key].as_array() else {
        return error(400, &format!("Missing required field: {key}"), None);
    };
    let uris: Vec<String> = list
        .iter()
        .filter_map(|t| t["uri"].as_str())
        .map(String::from)
        .collect();
    if uris.is_empty() || uris.len() > 100 {
        return error(400, "Provide 1 to 100 items to remove", None);
    }
    let index = tri!(writable(ctx, id));
    let p = &mut ctx.state.playlists[index];
    p.entries.retain(|e| !uris.contains(&e.uri));
    (200, snapshot(p))
}

pub fn follow(ctx: &mut Ctx, id: &str, on: bool) -> Reply {
    let index = tri!(find(ctx, id));
    let id = ctx.state.playlists[index].id.clone();
    if on {
        ctx.me_mut().library.save("playlist", &id);
    } else {
        ctx.me_mut().library.remove("playlist", &id);
    }
    (200, None)
}

pub fn follows(ctx: &mut Ctx, id: &str) -> Reply {
    let index = tri!(find(ctx, id));
    let p = &ctx.state.playlists[index];
    let users = ctx.query().list("ids");
    let users = if users.is_empty() {
        vec![ctx.my_id().to_string()]
    } else {
        users
    };
    // Only the fake's own users follow anything it knows of.
    let follows = |user: &String| match ctx.state.user_index(user) {
        Some(u) => p.owner.0 == *user || ctx.state.users[u].library.contains("playlist", &p.id),
        None => false,
    };
    let answer: Vec<bool> = users.iter().map(follows).collect();
    (200, Some(json!(answer)))
}

pub fn cover(ctx: &mut Ctx, id: &str) -> Reply {
    let index = tri!(find(ctx, id));
    let out = head(ctx, &ctx.state.playlists[index]);
    (200, out.get("images").cloned())
}

pub fn upload_cover(ctx: &mut Ctx, id: &str) -> Reply {
    use base64::Engine;
    let text = String::from_utf8_lossy(ctx.request.body);
    if base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map(|b| b.is_empty())
        .unwrap_or(true)
    {
        return error(
            400,
            "The image must be a non-empty Base64-encoded JPEG",
            None,
        );
    }
    let index = tri!(writable(ctx, id));
    let p = &mut ctx.state.playlists[index];
    p.custom_image = true;
    p.version += 1;
    (202, None)
}
