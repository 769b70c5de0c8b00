//! What the user's calls change: playlists, the library, the player. Seeded like the catalog.

use crate::data::catalog::{Catalog, Kind};
use crate::data::names;
use crate::data::rng::Rng;
use std::collections::HashMap;

/// The signed-in user of every user token.
pub const USER_ID: &str = "fakelistener";
pub const USER_NAME: &str = "Fake Listener";

pub struct Entry {
    /// `spotify:track:…` or `spotify:episode:…`
    pub uri: String,
    pub added_at: String,
}

pub struct Playlist {
    pub id: String,
    pub name: String,
    pub description: String,
    pub public: bool,
    pub collaborative: bool,
    pub owner: (String, String),
    pub entries: Vec<Entry>,
    pub followers: u64,
    /// Bumped by every change; the snapshot id is derived from it.
    pub version: u64,
    pub custom_image: bool,
}

impl Playlist {
    pub fn snapshot_id(&self) -> String {
        format!("MTcsZmFrZS{}{:08x}", self.id.len(), self.version)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    Off,
    Track,
    Context,
}

pub struct Device {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
}

pub struct Player {
    pub devices: Vec<Device>,
    pub active: usize,
    pub playing: bool,
    pub track: usize,
    pub progress_ms: u64,
    pub shuffle: bool,
    pub repeat: Repeat,
    pub volume: u64,
    pub queue: Vec<String>,
    /// Most recent first: (track index, played_at).
    pub recent: Vec<(usize, String)>,
}

/// The library: per URI type, ids with the time they were saved (most recent first).
#[derive(Default)]
pub struct Library {
    pub saved: HashMap<&'static str, Vec<(String, String)>>,
}

impl Library {
    pub fn list(&self, kind: &str) -> &[(String, String)] {
        self.saved.get(kind).map(Vec::as_slice).unwrap_or(&[])
    }
    pub fn contains(&self, kind: &str, id: &str) -> bool {
        self.list(kind).iter().any(|(saved, _)| saved == id)
    }
    pub fn save(&mut self, kind: &'static str, id: &str) {
        if !self.contains(kind, id) {
            self.saved
                .entry(kind)
                .or_default()
                .insert(0, (id.to_string(), "2026-11-27T12:00:00Z".to_string()));
        }
    }
    pub fn remove(&mut self, kind: &str, id: &str) {
        if let Some(list) = self.saved.get_mut(kind) {
            list.retain(|(saved, _)| saved != id);
        }
    }
}

pub struct State {
    pub playlists: Vec<Playlist>,
    pub library: Library,
    pub player: Player,
    rng: Rng,
}

/// The URI type names the library keeps, as `/me/library` takes them.
pub const LIBRARY_TYPES: &[&str] = &[
    "track",
    "album",
    "episode",
    "show",
    "audiobook",
    "artist",
    "user",
    "playlist",
];

pub fn timestamp(rng: &mut Rng) -> String {
    format!(
        "2026-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        rng.range(1, 11),
        rng.range(1, 28),
        rng.range(0, 23),
        rng.range(0, 59),
        rng.range(0, 59)
    )
}

const PLAYLISTS: usize = 12;
const PLAYLIST_ITEMS: usize = 100;

impl State {
    pub fn generate(seed: u64, catalog: &Catalog) -> Self {
        let mut rng = Rng::new(seed.wrapping_add(1));
        let mut playlists = Vec::new();
        for i in 0..PLAYLISTS {
            let id = rng.spotify_id();
            playlists.push(Self::seeded_playlist(&mut rng, catalog, id, i % 4 != 3));
        }
        let mut library = Library::default();
        let mut pick = |rng: &mut Rng, kind: Kind, key: &'static str, count: usize| {
            for _ in 0..count {
                let index = rng.range(0, catalog.len(kind) as u64 - 1) as usize;
                let id = catalog.id(kind, index).to_string();
                if !library.contains(key, &id) {
                    let at = timestamp(rng);
                    library.saved.entry(key).or_default().push((id, at));
                }
            }
        };
        pick(&mut rng, Kind::Track, "track", 60);
        pick(&mut rng, Kind::Album, "album", 20);
        pick(&mut rng, Kind::Episode, "episode", 15);
        pick(&mut rng, Kind::Show, "show", 6);
        pick(&mut rng, Kind::Audiobook, "audiobook", 4);
        pick(&mut rng, Kind::Artist, "artist", 12);
        for list in library.saved.values_mut() {
            list.sort_by(|a, b| b.1.cmp(&a.1));
        }
        let recent = (0..50)
            .map(|_| {
                let track = rng.range(0, catalog.tracks.len() as u64 - 1) as usize;
                (track, timestamp(&mut rng))
            })
            .collect::<Vec<_>>();
        let mut recent = recent;
        recent.sort_by(|a, b| b.1.cmp(&a.1));
        let queue = (0..8)
            .map(|_| {
                let track = rng.range(0, catalog.tracks.len() as u64 - 1) as usize;
                format!("spotify:track:{}", catalog.tracks[track].id)
            })
            .collect();
        let devices = vec![
            Device {
                id: rng.spotify_id(),
                name: "Kitchen speaker".into(),
                kind: "Speaker",
            },
            Device {
                id: rng.spotify_id(),
                name: format!("{USER_NAME}'s laptop"),
                kind: "Computer",
            },
            Device {
                id: rng.spotify_id(),
                name: "Phone".into(),
                kind: "Smartphone",
            },
        ];
        let player = Player {
            devices,
            active: 1,
            playing: true,
            track: recent[0].0,
            progress_ms: 42_000,
            shuffle: false,
            repeat: Repeat::Off,
            volume: 60,
            queue,
            recent,
        };
        State {
            playlists,
            library,
            player,
            rng,
        }
    }

    fn seeded_playlist(rng: &mut Rng, catalog: &Catalog, id: String, own: bool) -> Playlist {
        let entries = (0..PLAYLIST_ITEMS)
            .map(|_| {
                let uri = if rng.chance(5) {
                    let e = rng.range(0, catalog.episodes.len() as u64 - 1) as usize;
                    format!("spotify:episode:{}", catalog.episodes[e].id)
                } else {
                    let t = rng.range(0, catalog.tracks.len() as u64 - 1) as usize;
                    format!("spotify:track:{}", catalog.tracks[t].id)
                };
                Entry {
                    uri,
                    added_at: timestamp(rng),
                }
            })
            .collect();
        let name = names::title(rng);
        let owner = if own {
            (USER_ID.to_string(), USER_NAME.to_string())
        } else {
            ("spotify".to_string(), "Spotify".to_string())
        };
        Playlist {
            id,
            description: names::description(rng, &name),
            name,
            public: rng.chance(70),
            collaborative: false,
            owner,
            entries,
            followers: rng.range(0, 250_000),
            version: 1,
            custom_image: false,
        }
    }

    /// The playlist with this id; a plausible id the fake has not seen becomes a playlist of
    /// someone else's, so any id gets an answer.
    pub fn playlist(&mut self, catalog: &Catalog, id: &str) -> Option<usize> {
        if let Some(index) = self.playlists.iter().position(|p| p.id == id) {
            return Some(index);
        }
        if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        let mut rng = Rng::new(crate::data::rng::hash(id));
        let playlist = Self::seeded_playlist(&mut rng, catalog, id.to_string(), false);
        self.playlists.push(playlist);
        Some(self.playlists.len() - 1)
    }

    pub fn create_playlist(
        &mut self,
        name: &str,
        description: &str,
        public: bool,
        collaborative: bool,
    ) -> usize {
        let id = self.rng.spotify_id();
        self.playlists.push(Playlist {
            id,
            name: name.to_string(),
            description: description.to_string(),
            public,
            collaborative,
            owner: (USER_ID.to_string(), USER_NAME.to_string()),
            entries: Vec::new(),
            followers: 0,
            version: 1,
            custom_image: false,
        });
        self.playlists.len() - 1
    }
}
