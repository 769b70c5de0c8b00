//! What the users' calls change: playlists (one table, each with its owner), and per user the
//! library, the player and the profile. Seeded like the catalog.

mod user;

pub use user::{FakeUser, Product, UserKnobs, UserState};

use crate::data::catalog::Catalog;
use crate::data::names;
use crate::data::rng::Rng;
use std::collections::HashMap;

/// The default user: the one of [`FakeSpotify::issue_user_token`](crate::FakeSpotify::issue_user_token)
/// and of every test written before the fake had several users.
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
    /// Every playlist the fake knows, whoever owns it.
    pub playlists: Vec<Playlist>,
    /// Index 0 is the default user ([`USER_ID`]).
    pub users: Vec<UserState>,
    seed: u64,
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

const PLAYLIST_ITEMS: usize = 100;

impl State {
    /// The default user and the playlists seen from it.
    pub fn generate(seed: u64, catalog: &Catalog) -> Self {
        let mut state = State {
            playlists: Vec::new(),
            users: Vec::new(),
            seed,
        };
        let profile = FakeUser::new(USER_ID, USER_NAME, seed);
        // The default user's generator is the one the fake always had: the same seed, the same data.
        state.push_user(profile, Rng::new(seed.wrapping_add(1)), catalog);
        state
    }

    /// A new user, with a unique id made from the name, and data of their own.
    pub fn add_user(&mut self, catalog: &Catalog, display_name: &str) -> FakeUser {
        let base: String = display_name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let base = if base.is_empty() { "user".into() } else { base };
        let id = (1..)
            .map(|n| {
                if n == 1 {
                    base.clone()
                } else {
                    format!("{base}{n}")
                }
            })
            .find(|id| self.user_index(id).is_none())
            .unwrap_or(base);
        let profile = FakeUser::new(&id, display_name, self.seed);
        let rng = Rng::new(self.seed.wrapping_add(1) ^ crate::data::rng::hash(&id));
        self.push_user(profile.clone(), rng, catalog);
        profile
    }

    fn push_user(&mut self, profile: FakeUser, mut rng: Rng, catalog: &Catalog) {
        let owner = (profile.id.clone(), profile.display_name.clone());
        let playlists = user::seeded_playlists(&mut rng, catalog, &owner);
        self.playlists.extend(playlists);
        self.users.push(UserState::generate(rng, catalog, profile));
    }

    pub fn user_index(&self, id: &str) -> Option<usize> {
        self.users.iter().position(|u| u.profile.id == id)
    }

    /// Whether `id` names one of the fake's users.
    pub fn is_user(&self, id: &str) -> bool {
        self.user_index(id).is_some()
    }

    fn seeded_playlist(
        rng: &mut Rng,
        catalog: &Catalog,
        id: String,
        owner: Option<&(String, String)>,
    ) -> Playlist {
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
        let owner = owner
            .cloned()
            .unwrap_or_else(|| ("spotify".to_string(), "Spotify".to_string()));
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
        let playlist = Self::seeded_playlist(&mut rng, catalog, id.to_string(), None);
        self.playlists.push(playlist);
        Some(self.playlists.len() - 1)
    }

    /// A new, empty playlist of user number `user`.
    pub fn create_playlist(
        &mut self,
        user: usize,
        name: &str,
        description: &str,
        public: bool,
        collaborative: bool,
    ) -> usize {
        let owner = &mut self.users[user];
        let id = owner.rng.spotify_id();
        self.playlists.push(Playlist {
            id,
            name: name.to_string(),
            description: description.to_string(),
            public,
            collaborative,
            owner: (owner.profile.id.clone(), owner.profile.display_name.clone()),
            entries: Vec::new(),
            followers: 0,
            version: 1,
            custom_image: false,
        });
        self.playlists.len() - 1
    }

    /// Whether the playlist belongs to a user of the fake other than number `user`, and is
    /// private: such playlists stay out of the others' searches.
    pub fn hidden_from(&self, user: usize, p: &Playlist) -> bool {
        !p.public && p.owner.0 != self.users[user].profile.id && self.is_user(&p.owner.0)
    }
}
