//! One user of the fake: the profile `GET /me` shows, knobs of their own, and the library,
//! player and playlists their calls read and change.

use super::{Device, Library, Player, Playlist, Repeat, State, timestamp};
use crate::data::catalog::{Catalog, Kind};
use crate::data::rng::{Rng, hash};
use serde::{Deserialize, Serialize};

/// A user of the fake, as tests name them: tokens, the authorize page and the request log use
/// `id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FakeUser {
    /// The Spotify user id (`GET /me` `id`), e.g. `fakelistener`.
    pub id: String,
    pub display_name: String,
    /// The stable account id Spotify added to `GET /me` in May 2026 (unlike `id`, meant for
    /// linking accounts). Different from `id`, so a server keying by the wrong one shows it.
    pub account_id: String,
}

impl FakeUser {
    pub(crate) fn new(id: &str, display_name: &str, seed: u64) -> Self {
        let account_id = Rng::new(seed ^ hash(id) ^ 0xacc0).spotify_id();
        Self {
            id: id.to_string(),
            display_name: display_name.to_string(),
            account_id,
        }
    }
}

/// The user's subscription.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Product {
    #[default]
    Premium,
    /// Player commands answer `403 PREMIUM_REQUIRED`, as Spotify's do for free accounts.
    Free,
}

/// Knobs of one user; the fake-wide [`Knobs`](crate::Knobs) apply as well.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserKnobs {
    pub product: Product,
    /// This user's player has no active device (like [`Knobs::no_active_device`](crate::Knobs)).
    pub no_active_device: bool,
    /// `GET /me` leaves `account_id` out, as it did before May 2026.
    pub omit_account_id: bool,
}

/// Everything the fake keeps for one user but their playlists (those live in one table).
pub struct UserState {
    pub profile: FakeUser,
    pub knobs: UserKnobs,
    pub library: Library,
    pub player: Player,
    /// Continues the seeded sequence: ids of playlists this user creates.
    pub(super) rng: Rng,
}

const PLAYLISTS: usize = 12;

/// A user's playlists: three of every four their own, the others Spotify's that they follow
/// in the listing.
pub(super) fn seeded_playlists(
    rng: &mut Rng,
    catalog: &Catalog,
    owner: &(String, String),
) -> Vec<Playlist> {
    (0..PLAYLISTS)
        .map(|i| {
            let id = rng.spotify_id();
            let own = i % 4 != 3;
            State::seeded_playlist(rng, catalog, id, own.then_some(owner))
        })
        .collect()
}

fn seeded_library(rng: &mut Rng, catalog: &Catalog) -> Library {
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
    pick(rng, Kind::Track, "track", 60);
    pick(rng, Kind::Album, "album", 20);
    pick(rng, Kind::Episode, "episode", 15);
    pick(rng, Kind::Show, "show", 6);
    pick(rng, Kind::Audiobook, "audiobook", 4);
    pick(rng, Kind::Artist, "artist", 12);
    for list in library.saved.values_mut() {
        list.sort_by(|a, b| b.1.cmp(&a.1));
    }
    library
}

fn seeded_player(rng: &mut Rng, catalog: &Catalog, display_name: &str) -> Player {
    let mut recent = (0..50)
        .map(|_| {
            let track = rng.range(0, catalog.tracks.len() as u64 - 1) as usize;
            (track, timestamp(rng))
        })
        .collect::<Vec<_>>();
    recent.sort_by(|a, b| b.1.cmp(&a.1));
    let queue = (0..8)
        .map(|_| {
            let track = rng.range(0, catalog.tracks.len() as u64 - 1) as usize;
            format!("spotify:track:{}", catalog.tracks[track].id)
        })
        .collect();
    let devices = [
        ("Kitchen speaker".to_string(), "Speaker"),
        (format!("{display_name}'s laptop"), "Computer"),
        ("Phone".to_string(), "Smartphone"),
    ]
    .into_iter()
    .map(|(name, kind)| Device {
        id: rng.spotify_id(),
        name,
        kind,
    })
    .collect();
    Player {
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
    }
}

impl UserState {
    /// The library, then the player, drawn from `rng` (after the user's playlists).
    pub(super) fn generate(mut rng: Rng, catalog: &Catalog, profile: FakeUser) -> Self {
        let library = seeded_library(&mut rng, catalog);
        let player = seeded_player(&mut rng, catalog, &profile.display_name);
        Self {
            profile,
            knobs: UserKnobs::default(),
            library,
            player,
            rng,
        }
    }
}
