//! The deprecated browse, recommendation and audio-analysis calls, and markets.

use super::{Ctx, Reply, error};
use crate::data::catalog::Kind;
use crate::data::markets::MARKETS;
use crate::data::names::GENRES;
use crate::data::render::{images, page, paging};
use crate::data::rng::{Rng, hash};
use serde_json::{Value, json};

const CATEGORIES: &[&str] = &[
    "Pop",
    "Hip-Hop",
    "Rock",
    "Jazz",
    "Classical",
    "Chill",
    "Workout",
    "Focus",
    "Sleep",
    "Party",
    "Indie",
    "Podcasts",
];

fn features(ctx: &Ctx, index: usize) -> Value {
    let track = &ctx.render.catalog.tracks[index];
    let mut rng = Rng::new(hash(&track.id));
    let mut unit = || (rng.range(0, 1000) as f64) / 1000.0;
    json!({
        "acousticness": unit(), "analysis_url": format!("{}/audio-analysis/{}", ctx.render.api, track.id),
        "danceability": unit(), "duration_ms": track.duration_ms, "energy": unit(), "id": track.id,
        "instrumentalness": unit(), "key": (hash(&track.id) % 12) as i64, "liveness": unit(),
        "loudness": -(unit() * 20.0), "mode": (hash(&track.id) % 2) as i64, "speechiness": unit(),
        "tempo": 70.0 + unit() * 100.0, "time_signature": 4,
        "track_href": format!("{}/tracks/{}", ctx.render.api, track.id), "type": "audio_features",
        "uri": format!("spotify:track:{}", track.id), "valence": unit(),
    })
}

pub fn audio_features(ctx: &mut Ctx, id: &str) -> Reply {
    match ctx.render.catalog.find(Kind::Track, id) {
        Some(index) => (200, Some(features(ctx, index))),
        None => error(400, "Invalid base62 id", None),
    }
}

pub fn several_audio_features(ctx: &mut Ctx) -> Reply {
    let ids = ctx.query().list("ids");
    if ids.is_empty() || ids.len() > 100 {
        return error(400, "ids must name 1 to 100 tracks", None);
    }
    let items: Vec<Value> = ids
        .iter()
        .map(|id| match ctx.render.catalog.find(Kind::Track, id) {
            Some(index) => features(ctx, index),
            None => Value::Null,
        })
        .collect();
    (200, Some(json!({ "audio_features": items })))
}

pub fn audio_analysis(ctx: &mut Ctx, id: &str) -> Reply {
    let Some(index) = ctx.render.catalog.find(Kind::Track, id) else {
        return error(400, "Invalid base62 id", None);
    };
    let duration = ctx.render.catalog.tracks[index].duration_ms as f64 / 1000.0;
    let span = |step: f64| -> Vec<Value> {
        (0..(duration / step) as usize)
            .take(64)
            .map(|i| json!({ "start": i as f64 * step, "duration": step, "confidence": 0.5 }))
            .collect()
    };
    (
        200,
        Some(json!({
            "meta": { "analyzer_version": "4.0.0", "platform": "Linux", "detailed_status": "OK", "status_code": 0,
                      "timestamp": 1_700_000_000, "analysis_time": 6.5, "input_process": "libvorbisfile L+R 44100->22050" },
            "track": { "num_samples": (duration * 22050.0) as i64, "duration": duration, "sample_md5": "",
                       "offset_seconds": 0, "window_seconds": 0, "analysis_sample_rate": 22050, "analysis_channels": 1,
                       "end_of_fade_in": 0.0, "start_of_fade_out": duration - 5.0, "loudness": -6.5, "tempo": 120.0,
                       "tempo_confidence": 0.7, "time_signature": 4, "time_signature_confidence": 1.0, "key": 5,
                       "key_confidence": 0.5, "mode": 1, "mode_confidence": 0.6 },
            "bars": span(2.0), "beats": span(0.5), "tatums": span(0.25),
            "sections": [{ "start": 0.0, "duration": duration, "confidence": 1.0, "loudness": -6.5, "tempo": 120.0,
                           "tempo_confidence": 0.7, "key": 5, "key_confidence": 0.5, "mode": 1, "mode_confidence": 0.6,
                           "time_signature": 4, "time_signature_confidence": 1.0 }],
            "segments": [{ "start": 0.0, "duration": 0.5, "confidence": 0.9, "loudness_start": -60.0, "loudness_max": -20.0,
                           "loudness_max_time": 0.1, "loudness_end": -30.0, "pitches": vec![0.5; 12], "timbre": vec![1.0; 12] }],
        })),
    )
}

pub fn recommendations(ctx: &mut Ctx) -> Reply {
    let limit = match ctx.query().page(20, 100) {
        Ok((_, limit)) => limit,
        Err(reply) => return reply,
    };
    let mut seeds = Vec::new();
    for (param, kind) in [
        ("seed_artists", "artist"),
        ("seed_tracks", "track"),
        ("seed_genres", "genre"),
    ] {
        for id in ctx.query().list(param) {
            seeds.push(json!({ "afterFilteringSize": 250, "afterRelinkingSize": 250,
                "href": if kind == "genre" { Value::Null } else { json!(format!("{}/{kind}s/{id}", ctx.render.api)) },
                "id": id, "initialPoolSize": 250, "type": kind }));
        }
    }
    if seeds.is_empty() || seeds.len() > 5 {
        return error(
            400,
            "Provide 1 to 5 seeds (artists, tracks or genres)",
            None,
        );
    }
    let start = hash(&ctx.request.query.list("seed_artists").join(",")) as usize;
    let count = ctx.render.catalog.tracks.len();
    let tracks: Vec<Value> = (0..limit)
        .map(|i| ctx.render.track((start + i * 7) % count))
        .collect();
    (200, Some(json!({ "seeds": seeds, "tracks": tracks })))
}

pub fn genre_seeds() -> Reply {
    (200, Some(json!({ "genres": GENRES })))
}

pub fn markets() -> Reply {
    (200, Some(json!({ "markets": MARKETS })))
}

pub fn new_releases(ctx: &mut Ctx) -> Reply {
    let (offset, limit) = match ctx.query().page(20, 50) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let catalog = ctx.render.catalog;
    let mut albums: Vec<usize> = (0..catalog.albums.len()).collect();
    albums.sort_by(|a, b| {
        catalog.albums[*b]
            .release_date
            .cmp(&catalog.albums[*a].release_date)
    });
    let total = albums.len().min(100);
    let items = page(total, offset, limit)
        .map(|i| ctx.render.simple_album(albums[i]))
        .collect();
    (
        200,
        Some(
            json!({ "albums": paging(ctx.render.api, "/browse/new-releases", items, offset, limit, total) }),
        ),
    )
}

fn category_object(ctx: &Ctx, name: &str) -> Value {
    let id = name.to_lowercase().replace('-', "");
    json!({ "href": format!("{}/browse/categories/{id}", ctx.render.api), "icons": images(&id), "id": id, "name": name })
}

pub fn categories(ctx: &mut Ctx) -> Reply {
    let (offset, limit) = match ctx.query().page(20, 50) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let items = page(CATEGORIES.len(), offset, limit)
        .map(|i| category_object(ctx, CATEGORIES[i]))
        .collect();
    (
        200,
        Some(
            json!({ "categories": paging(ctx.render.api, "/browse/categories", items, offset, limit, CATEGORIES.len()) }),
        ),
    )
}

pub fn category(ctx: &mut Ctx, id: &str) -> Reply {
    match CATEGORIES
        .iter()
        .find(|c| c.to_lowercase().replace('-', "") == id)
    {
        Some(name) => (200, Some(category_object(ctx, name))),
        None => error(404, "Resource not found", None),
    }
}

pub fn featured(ctx: &mut Ctx, message: &str) -> Reply {
    let (offset, limit) = match ctx.query().page(20, 50) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let playlists =
        super::playlists::simple_page(ctx, |_| true, "/browse/featured-playlists", offset, limit);
    (
        200,
        Some(json!({ "message": message, "playlists": playlists })),
    )
}
