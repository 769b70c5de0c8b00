//! The player: state, devices, queue, and commands that answer 204 (or `NO_ACTIVE_DEVICE` when
//! the knob says no device is active).

use super::playlists::item;
use super::{Ctx, Reply, error};
use crate::state::{Product, Repeat};
use serde_json::{Value, json};

fn no_active_device() -> Reply {
    error(
        404,
        "Player command failed: No active device found",
        Some("NO_ACTIVE_DEVICE"),
    )
}

fn device(ctx: &Ctx, index: usize) -> Value {
    let d = &ctx.me().player.devices[index];
    json!({
        "id": d.id,
        "is_active": !ctx.no_active_device() && index == ctx.me().player.active,
        "is_private_session": false,
        "is_restricted": false,
        "name": d.name,
        "type": d.kind,
        "volume_percent": ctx.me().player.volume,
        "supports_volume": true,
    })
}

fn playing(ctx: &Ctx) -> Value {
    let p = &ctx.me().player;
    let album = &ctx.render.catalog.albums[ctx.render.catalog.tracks[p.track].album];
    json!({
        "context": { "type": "album", "href": format!("{}/albums/{}", ctx.render.api, album.id),
                     "external_urls": crate::data::render::external_urls("album", &album.id),
                     "uri": format!("spotify:album:{}", album.id) },
        "timestamp": 1_795_000_000_000u64,
        "progress_ms": p.progress_ms,
        "is_playing": p.playing,
        "item": ctx.render.track(p.track),
        "currently_playing_type": "track",
        "actions": { "disallows": { "resuming": p.playing, "pausing": !p.playing } },
    })
}

pub fn state(ctx: &mut Ctx) -> Reply {
    if ctx.no_active_device() {
        return (204, None);
    }
    let p = &ctx.me().player;
    let mut out = playing(ctx);
    out["device"] = device(ctx, p.active);
    out["repeat_state"] = json!(match p.repeat {
        Repeat::Off => "off",
        Repeat::Track => "track",
        Repeat::Context => "context",
    });
    out["shuffle_state"] = json!(p.shuffle);
    out["smart_shuffle"] = json!(false);
    (200, Some(out))
}

pub fn currently_playing(ctx: &mut Ctx) -> Reply {
    if ctx.no_active_device() {
        return (204, None);
    }
    (200, Some(playing(ctx)))
}

pub fn devices(ctx: &mut Ctx) -> Reply {
    let devices: Vec<Value> = (0..ctx.me().player.devices.len())
        .map(|i| device(ctx, i))
        .collect();
    (200, Some(json!({ "devices": devices })))
}

pub fn queue(ctx: &mut Ctx) -> Reply {
    if ctx.no_active_device() {
        return (200, Some(json!({ "currently_playing": null, "queue": [] })));
    }
    let queue: Vec<Value> = ctx
        .me()
        .player
        .queue
        .iter()
        .map(|uri| item(ctx, uri))
        .collect();
    (
        200,
        Some(
            json!({ "currently_playing": ctx.render.track(ctx.me().player.track), "queue": queue }),
        ),
    )
}

pub fn recently_played(ctx: &mut Ctx) -> Reply {
    let limit = match ctx.query().page(20, 50) {
        Ok((_, limit)) => limit,
        Err(reply) => return reply,
    };
    let before = ctx
        .query()
        .get("before")
        .and_then(|b| b.parse::<u64>().ok());
    let items: Vec<Value> = ctx
        .me()
        .player
        .recent
        .iter()
        .take(limit)
        .map(|(track, played_at)| json!({ "track": ctx.render.track(*track), "played_at": played_at, "context": null }))
        .collect();
    let base = format!("{}/me/player/recently-played?limit={limit}", ctx.render.api);
    (
        200,
        Some(json!({
            "href": base,
            "limit": limit,
            "next": before.map(|_| Value::Null).unwrap_or(json!(format!("{base}&before=1790000000000"))),
            "cursors": { "after": "1795000000000", "before": "1790000000000" },
            "total": ctx.me().player.recent.len(),
            "items": items,
        })),
    )
}

/// Spotify refuses player commands of free accounts.
fn premium(ctx: &Ctx) -> Result<(), Reply> {
    match ctx.me().knobs.product {
        Product::Premium => Ok(()),
        Product::Free => Err(error(
            403,
            "Player command failed: Premium required",
            Some("PREMIUM_REQUIRED"),
        )),
    }
}

/// The device a command names, or the active one.
fn target(ctx: &Ctx) -> Result<usize, Reply> {
    premium(ctx)?;
    if ctx.no_active_device() {
        return Err(no_active_device());
    }
    match ctx.query().get("device_id") {
        None => Ok(ctx.me().player.active),
        Some(id) => ctx
            .me()
            .player
            .devices
            .iter()
            .position(|d| d.id == id)
            .ok_or_else(|| error(404, "Device not found", None)),
    }
}

pub fn transfer(ctx: &mut Ctx) -> Reply {
    if let Err(reply) = premium(ctx) {
        return reply;
    }
    if ctx.no_active_device() {
        return no_active_device();
    }
    let body = ctx.request.json_body();
    let Some(id) = body["device_ids"]
        .as_array()
        .and_then(|l| l.first())
        .and_then(Value::as_str)
    else {
        return error(400, "device_ids must name one device", None);
    };
    let Some(index) = ctx.me().player.devices.iter().position(|d| d.id == id) else {
        return error(404, "Device not found", None);
    };
    ctx.me_mut().player.active = index;
    if let Some(play) = body["play"].as_bool() {
        ctx.me_mut().player.playing = play;
    }
    (204, None)
}

pub fn add_to_queue(ctx: &mut Ctx) -> Reply {
    if let Err(reply) = target(ctx) {
        return reply;
    }
    match ctx.query().get("uri") {
        Some(uri) if uri.starts_with("spotify:track:") || uri.starts_with("spotify:episode:") => {
            let uri = uri.to_string();
            ctx.me_mut().player.queue.push(uri);
            (204, None)
        }
        _ => error(400, "Invalid uri", None),
    }
}

fn track_of(ctx: &Ctx, uri: &str) -> Option<usize> {
    let id = uri.strip_prefix("spotify:track:")?;
    ctx.render
        .catalog
        .find(crate::data::catalog::Kind::Track, id)
}

pub fn command(ctx: &mut Ctx, command: &str) -> Reply {
    let index = match target(ctx) {
        Ok(index) => index,
        Err(reply) => return reply,
    };
    let number = |name: &str| ctx.query().get(name).and_then(|v| v.parse::<u64>().ok());
    let body = ctx.request.json_body();
    let method = ctx.request.method;
    match (method, command) {
        ("PUT", "play") => {
            let first = body["uris"]
                .as_array()
                .and_then(|l| l.first())
                .and_then(Value::as_str)
                .and_then(|u| track_of(ctx, u));
            let p = &mut ctx.me_mut().player;
            p.active = index;
            if let Some(track) = first {
                p.track = track;
                p.progress_ms = 0;
            }
            if let Some(position) = body["position_ms"].as_u64() {
                p.progress_ms = position;
            }
            p.playing = true;
        }
        ("PUT", "pause") => ctx.me_mut().player.playing = false,
        ("POST", "next") | ("POST", "previous") => {
            let next = ctx.me().player.queue.first().and_then(|u| track_of(ctx, u));
            let count = ctx.render.catalog.tracks.len();
            let p = &mut ctx.me_mut().player;
            if command == "next" && !p.queue.is_empty() {
                p.queue.remove(0);
            }
            p.track = match (command, next) {
                ("next", Some(track)) => track,
                ("next", None) => (p.track + 1) % count,
                _ => (p.track + count - 1) % count,
            };
            p.progress_ms = 0;
        }
        ("PUT", "seek") => match number("position_ms") {
            Some(position) => ctx.me_mut().player.progress_ms = position,
            None => return error(400, "position_ms is required", None),
        },
        ("PUT", "repeat") => {
            ctx.me_mut().player.repeat = match ctx.query().get("state") {
                Some("off") => Repeat::Off,
                Some("track") => Repeat::Track,
                Some("context") => Repeat::Context,
                _ => return error(400, "state must be track, context or off", None),
            }
        }
        ("PUT", "volume") => match number("volume_percent") {
            Some(volume) if volume <= 100 => ctx.me_mut().player.volume = volume,
            _ => return error(400, "volume_percent must be 0 to 100", None),
        },
        ("PUT", "shuffle") => match ctx.query().get("state") {
            Some("true") => ctx.me_mut().player.shuffle = true,
            Some("false") => ctx.me_mut().player.shuffle = false,
            _ => return error(400, "state must be true or false", None),
        },
        _ => return error(404, "Service not found", None),
    }
    (204, None)
}
