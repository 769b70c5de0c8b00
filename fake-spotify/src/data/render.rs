//! Catalog records as the JSON objects of `openapi/spotify.yaml`'s response schemas.

use super::catalog::{Catalog, Kind};
use super::markets::MARKETS;
use super::rng::hash;
use serde_json::{Value, json};

/// Renders objects whose `href`s point at this fake's API base (so `next` links stay local).
pub struct Render<'a> {
    pub catalog: &'a Catalog,
    /// e.g. `http://127.0.0.1:PORT/v1`
    pub api: &'a str,
}

pub fn external_urls(kind: &str, id: &str) -> Value {
    json!({ "spotify": format!("https://open.spotify.com/{kind}/{id}") })
}

/// Three sizes, as Spotify sends for albums, artists, shows and playlists.
pub fn images(id: &str) -> Value {
    let key = format!("{:016x}", hash(id));
    json!([
        { "url": format!("https://i.scdn.co/image/ab67616d0000b273{key}"), "height": 640, "width": 640 },
        { "url": format!("https://i.scdn.co/image/ab67616d00001e02{key}"), "height": 300, "width": 300 },
        { "url": format!("https://i.scdn.co/image/ab67616d00004851{key}"), "height": 64, "width": 64 },
    ])
}

pub fn markets() -> Value {
    json!(MARKETS)
}

/// A paging object over `items` (already the requested page) for `path` (below the API base).
pub fn paging(
    api: &str,
    path: &str,
    items: Vec<Value>,
    offset: usize,
    limit: usize,
    total: usize,
) -> Value {
    let link = |offset: usize| {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{api}{path}{sep}offset={offset}&limit={limit}")
    };
    json!({
        "href": link(offset),
        "items": items,
        "limit": limit,
        "next": (offset + limit < total).then(|| link(offset + limit)),
        "offset": offset,
        "previous": (offset > 0).then(|| link(offset.saturating_sub(limit))),
        "total": total,
    })
}

/// The page `offset..offset+limit` of `range`, clamped.
pub fn page(total: usize, offset: usize, limit: usize) -> std::ops::Range<usize> {
    offset.min(total)..(offset + limit).min(total)
}

impl Render<'_> {
    fn href(&self, kind: Kind, id: &str) -> String {
        format!("{}/{}/{id}", self.api, kind.plural())
    }

    /// The common head of every catalog object.
    fn head(&self, kind: Kind, id: &str, name: &str) -> serde_json::Map<String, Value> {
        let mut out = serde_json::Map::new();
        out.insert("external_urls".into(), external_urls(kind.name(), id));
        out.insert("href".into(), json!(self.href(kind, id)));
        out.insert("id".into(), json!(id));
        out.insert("name".into(), json!(name));
        out.insert("type".into(), json!(kind.name()));
        out.insert("uri".into(), json!(format!("spotify:{}:{id}", kind.name())));
        out
    }

    pub fn simple_artist(&self, index: usize) -> Value {
        let a = &self.catalog.artists[index];
        Value::Object(self.head(Kind::Artist, &a.id, &a.name))
    }

    pub fn artist(&self, index: usize) -> Value {
        let a = &self.catalog.artists[index];
        let mut out = self.head(Kind::Artist, &a.id, &a.name);
        out.insert(
            "followers".into(),
            json!({ "href": null, "total": a.followers }),
        );
        out.insert("genres".into(), json!(a.genres));
        out.insert("images".into(), images(&a.id));
        out.insert("popularity".into(), json!(a.popularity));
        Value::Object(out)
    }

    pub fn simple_album(&self, index: usize) -> Value {
        let a = &self.catalog.albums[index];
        let mut out = self.head(Kind::Album, &a.id, &a.name);
        out.insert("album_type".into(), json!(a.album_type));
        out.insert("total_tracks".into(), json!(a.tracks.len()));
        out.insert("available_markets".into(), markets());
        out.insert("images".into(), images(&a.id));
        out.insert("is_playable".into(), json!(true));
        out.insert("release_date".into(), json!(a.release_date));
        out.insert("release_date_precision".into(), json!("day"));
        out.insert("artists".into(), json!([self.simple_artist(a.artist)]));
        Value::Object(out)
    }

    pub fn discography_album(&self, index: usize) -> Value {
        let mut out = self.simple_album(index);
        out["album_group"] = out["album_type"].clone();
        out
    }

    pub fn album(&self, index: usize, offset: usize, limit: usize) -> Value {
        let a = &self.catalog.albums[index];
        let mut out = self.simple_album(index);
        out["tracks"] = self.album_tracks(index, offset, limit);
        let year = &a.release_date[..4];
        out["copyrights"] = json!([
            { "text": format!("© {year} {}", a.label), "type": "C" },
            { "text": format!("℗ {year} {}", a.label), "type": "P" },
        ]);
        out["external_ids"] = json!({ "upc": format!("{:012}", hash(&a.id) % 1_000_000_000_000) });
        out["genres"] = json!([]);
        out["label"] = json!(a.label);
        out["popularity"] = json!(a.popularity);
        out
    }

    pub fn album_tracks(&self, index: usize, offset: usize, limit: usize) -> Value {
        let a = &self.catalog.albums[index];
        let range = page(a.tracks.len(), offset, limit);
        let items = range
            .map(|i| self.simple_track(a.tracks.start + i))
            .collect();
        paging(
            self.api,
            &format!("/albums/{}/tracks", a.id),
            items,
            offset,
            limit,
            a.tracks.len(),
        )
    }

    pub fn simple_track(&self, index: usize) -> Value {
        let t = &self.catalog.tracks[index];
        let mut out = self.head(Kind::Track, &t.id, &t.name);
        out.insert("artists".into(), json!([self.simple_artist(t.artist)]));
        out.insert("available_markets".into(), markets());
        out.insert("disc_number".into(), json!(1));
        out.insert("duration_ms".into(), json!(t.duration_ms));
        out.insert("explicit".into(), json!(t.explicit));
        out.insert("is_playable".into(), json!(true));
        out.insert("preview_url".into(), Value::Null);
        out.insert("track_number".into(), json!(t.number));
        out.insert("is_local".into(), json!(false));
        Value::Object(out)
    }

    pub fn track(&self, index: usize) -> Value {
        let t = &self.catalog.tracks[index];
        let mut out = self.simple_track(index);
        out["album"] = self.simple_album(t.album);
        out["external_ids"] = json!({ "isrc": format!("QZ{:010}", hash(&t.id) % 10_000_000_000) });
        out["popularity"] = json!(t.popularity);
        out
    }

    pub fn simple_show(&self, index: usize) -> Value {
        let s = &self.catalog.shows[index];
        let mut out = self.head(Kind::Show, &s.id, &s.name);
        out.insert("available_markets".into(), markets());
        out.insert("copyrights".into(), json!([]));
        out.insert("description".into(), json!(s.description));
        out.insert(
            "html_description".into(),
            json!(format!("<p>{}</p>", s.description)),
        );
        out.insert("explicit".into(), json!(false));
        out.insert("images".into(), images(&s.id));
        out.insert("is_externally_hosted".into(), json!(false));
        out.insert("languages".into(), json!([s.language]));
        out.insert("media_type".into(), json!("audio"));
        out.insert("publisher".into(), json!(s.publisher));
        out.insert("total_episodes".into(), json!(s.episodes.len()));
        Value::Object(out)
    }

    pub fn show(&self, index: usize, offset: usize, limit: usize) -> Value {
        let mut out = self.simple_show(index);
        out["episodes"] = self.show_episodes(index, offset, limit);
        out
    }

    pub fn show_episodes(&self, index: usize, offset: usize, limit: usize) -> Value {
        let s = &self.catalog.shows[index];
        let range = page(s.episodes.len(), offset, limit);
        let items = range
            .map(|i| self.simple_episode(s.episodes.start + i))
            .collect();
        paging(
            self.api,
            &format!("/shows/{}/episodes", s.id),
            items,
            offset,
            limit,
            s.episodes.len(),
        )
    }

    pub fn simple_episode(&self, index: usize) -> Value {
        let e = &self.catalog.episodes[index];
        let show = &self.catalog.shows[e.show];
        let mut out = self.head(Kind::Episode, &e.id, &e.name);
        out.insert(
            "audio_preview_url".into(),
            json!(format!(
                "https://podz-content.spotifycdn.com/audio/clips/{}.mp3",
                e.id
            )),
        );
        out.insert("description".into(), json!(e.description));
        out.insert(
            "html_description".into(),
            json!(format!("<p>{}</p>", e.description)),
        );
        out.insert("duration_ms".into(), json!(e.duration_ms));
        out.insert("explicit".into(), json!(false));
        out.insert("images".into(), images(&e.id));
        out.insert("is_externally_hosted".into(), json!(false));
        out.insert("is_playable".into(), json!(true));
        out.insert("language".into(), json!(show.language));
        out.insert("languages".into(), json!([show.language]));
        out.insert("release_date".into(), json!(e.release_date));
        out.insert("release_date_precision".into(), json!("day"));
        out.insert(
            "resume_point".into(),
            json!({ "fully_played": false, "resume_position_ms": 0 }),
        );
        Value::Object(out)
    }

    pub fn episode(&self, index: usize) -> Value {
        let mut out = self.simple_episode(index);
        out["show"] = self.simple_show(self.catalog.episodes[index].show);
        out
    }

    pub fn simple_audiobook(&self, index: usize) -> Value {
        let b = &self.catalog.audiobooks[index];
        let mut out = self.head(Kind::Audiobook, &b.id, &b.name);
        out.insert("authors".into(), json!([{ "name": b.author }]));
        out.insert("available_markets".into(), markets());
        out.insert(
            "copyrights".into(),
            json!([{ "text": format!("© {}", b.publisher), "type": "C" }]),
        );
        out.insert("description".into(), json!(b.description));
        out.insert(
            "html_description".into(),
            json!(format!("<p>{}</p>", b.description)),
        );
        out.insert("edition".into(), json!("Unabridged"));
        out.insert("explicit".into(), json!(false));
        out.insert("images".into(), images(&b.id));
        out.insert("languages".into(), json!(["en"]));
        out.insert("media_type".into(), json!("audio"));
        out.insert("narrators".into(), json!([{ "name": b.narrator }]));
        out.insert("publisher".into(), json!(b.publisher));
        out.insert("total_chapters".into(), json!(b.chapters.len()));
        Value::Object(out)
    }

    pub fn audiobook(&self, index: usize, offset: usize, limit: usize) -> Value {
        let mut out = self.simple_audiobook(index);
        out["chapters"] = self.audiobook_chapters(index, offset, limit);
        out
    }

    pub fn audiobook_chapters(&self, index: usize, offset: usize, limit: usize) -> Value {
        let b = &self.catalog.audiobooks[index];
        let range = page(b.chapters.len(), offset, limit);
        let items = range
            .map(|i| self.simple_chapter(b.chapters.start + i))
            .collect();
        paging(
            self.api,
            &format!("/audiobooks/{}/chapters", b.id),
            items,
            offset,
            limit,
            b.chapters.len(),
        )
    }

    pub fn simple_chapter(&self, index: usize) -> Value {
        let c = &self.catalog.chapters[index];
        let mut out = self.head(Kind::Chapter, &c.id, &c.name);
        out.insert("audio_preview_url".into(), Value::Null);
        out.insert("available_markets".into(), markets());
        out.insert("chapter_number".into(), json!(c.number));
        out.insert(
            "description".into(),
            json!(format!("Chapter {} of the book.", c.number)),
        );
        out.insert(
            "html_description".into(),
            json!(format!("<p>Chapter {} of the book.</p>", c.number)),
        );
        out.insert("duration_ms".into(), json!(c.duration_ms));
        out.insert("explicit".into(), json!(false));
        out.insert(
            "images".into(),
            images(&self.catalog.audiobooks[c.audiobook].id),
        );
        out.insert("is_playable".into(), json!(true));
        out.insert("languages".into(), json!(["en"]));
        out.insert("release_date".into(), json!("2024-03-01"));
        out.insert("release_date_precision".into(), json!("day"));
        out.insert(
            "resume_point".into(),
            json!({ "fully_played": false, "resume_position_ms": 0 }),
        );
        Value::Object(out)
    }

    pub fn chapter(&self, index: usize) -> Value {
        let mut out = self.simple_chapter(index);
        out["audiobook"] = self.simple_audiobook(self.catalog.chapters[index].audiobook);
        out
    }

    /// The full object of any kind, as `GET /{kind}s/{id}` answers it.
    pub fn full(&self, kind: Kind, index: usize) -> Value {
        match kind {
            Kind::Artist => self.artist(index),
            Kind::Album => self.album(index, 0, 50),
            Kind::Track => self.track(index),
            Kind::Show => self.show(index, 0, 50),
            Kind::Episode => self.episode(index),
            Kind::Audiobook => self.audiobook(index, 0, 50),
            Kind::Chapter => self.chapter(index),
        }
    }

    /// A user as playlists and `GET /users/{id}` show them.
    pub fn user(&self, id: &str, display_name: &str) -> Value {
        json!({
            "display_name": display_name,
            "external_urls": external_urls("user", id),
            "followers": { "href": null, "total": hash(id) % 5000 },
            "href": format!("{}/users/{id}", self.api),
            "id": id,
            "images": [],
            "type": "user",
            "uri": format!("spotify:user:{id}"),
        })
    }
}
