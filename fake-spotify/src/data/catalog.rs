//! The generated catalog: compact records, built once from the seed, rendered to JSON on demand.

use super::names::{self, GENRES, LANGUAGES};
use super::rng::{Rng, hash};
use std::collections::HashMap;
use std::ops::Range;

/// The kinds of catalog object, as Spotify names them in URIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Artist,
    Album,
    Track,
    Show,
    Episode,
    Audiobook,
    Chapter,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Artist => "artist",
            Kind::Album => "album",
            Kind::Track => "track",
            Kind::Show => "show",
            Kind::Episode => "episode",
            Kind::Audiobook => "audiobook",
            Kind::Chapter => "chapter",
        }
    }

    /// The path segment of its API route (`albums`, …).
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Artist => "artists",
            Kind::Album => "albums",
            Kind::Track => "tracks",
            Kind::Show => "shows",
            Kind::Episode => "episodes",
            Kind::Audiobook => "audiobooks",
            Kind::Chapter => "chapters",
        }
    }
}

pub struct Artist {
    pub id: String,
    pub name: String,
    pub genres: Vec<&'static str>,
    pub followers: u64,
    pub popularity: u64,
    pub albums: Vec<usize>,
}

pub struct Album {
    pub id: String,
    pub name: String,
    pub artist: usize,
    pub album_type: &'static str,
    pub release_date: String,
    pub label: String,
    pub popularity: u64,
    pub tracks: Range<usize>,
}

pub struct Track {
    pub id: String,
    pub name: String,
    pub album: usize,
    pub artist: usize,
    pub number: u64,
    pub duration_ms: u64,
    pub explicit: bool,
    pub popularity: u64,
}

pub struct Show {
    pub id: String,
    pub name: String,
    pub publisher: String,
    pub description: String,
    pub language: &'static str,
    pub episodes: Range<usize>,
}

pub struct Episode {
    pub id: String,
    pub name: String,
    pub show: usize,
    pub duration_ms: u64,
    pub release_date: String,
    pub description: String,
}

pub struct Audiobook {
    pub id: String,
    pub name: String,
    pub author: String,
    pub narrator: String,
    pub publisher: String,
    pub description: String,
    pub chapters: Range<usize>,
}

pub struct Chapter {
    pub id: String,
    pub name: String,
    pub audiobook: usize,
    pub number: u64,
    pub duration_ms: u64,
}

pub struct Catalog {
    pub artists: Vec<Artist>,
    pub albums: Vec<Album>,
    pub tracks: Vec<Track>,
    pub shows: Vec<Show>,
    pub episodes: Vec<Episode>,
    pub audiobooks: Vec<Audiobook>,
    pub chapters: Vec<Chapter>,
    index: HashMap<(Kind, String), usize>,
}

const ARTISTS: usize = 40;
const ALBUMS_PER_ARTIST: Range<u64> = 2..5;
const SHOWS: usize = 20;
const AUDIOBOOKS: usize = 15;

fn date(rng: &mut Rng) -> String {
    format!(
        "{}-{:02}-{:02}",
        rng.range(1975, 2026),
        rng.range(1, 12),
        rng.range(1, 28)
    )
}

impl Catalog {
    pub fn generate(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let mut catalog = Catalog {
            artists: Vec::new(),
            albums: Vec::new(),
            tracks: Vec::new(),
            shows: Vec::new(),
            episodes: Vec::new(),
            audiobooks: Vec::new(),
            chapters: Vec::new(),
            index: HashMap::new(),
        };
        for artist in 0..ARTISTS {
            let genres = (0..rng.range(1, 3)).map(|_| *rng.pick(GENRES)).collect();
            catalog.artists.push(Artist {
                id: rng.spotify_id(),
                name: names::artist(&mut rng),
                genres,
                followers: rng.range(1_000, 20_000_000),
                popularity: rng.range(10, 95),
                albums: Vec::new(),
            });
            for _ in 0..rng.range(ALBUMS_PER_ARTIST.start, ALBUMS_PER_ARTIST.end - 1) {
                let album = catalog.albums.len();
                let first = catalog.tracks.len();
                let count = rng.range(10, 20) as usize;
                for number in 1..=count {
                    catalog.tracks.push(Track {
                        id: rng.spotify_id(),
                        name: names::title(&mut rng),
                        album,
                        artist,
                        number: number as u64,
                        duration_ms: rng.range(95_000, 420_000),
                        explicit: rng.chance(15),
                        popularity: rng.range(5, 90),
                    });
                }
                catalog.albums.push(Album {
                    id: rng.spotify_id(),
                    name: names::title(&mut rng),
                    artist,
                    album_type: if rng.chance(15) {
                        "compilation"
                    } else {
                        "album"
                    },
                    release_date: date(&mut rng),
                    label: format!("{} Records", names::title(&mut rng)),
                    popularity: rng.range(5, 90),
                    tracks: first..first + count,
                });
                catalog.artists[artist].albums.push(album);
            }
        }
        for show in 0..SHOWS {
            let first = catalog.episodes.len();
            let name = format!("The {} Hour", names::title(&mut rng));
            let count = rng.range(20, 40) as usize;
            for number in 1..=count {
                let title = names::title(&mut rng);
                catalog.episodes.push(Episode {
                    id: rng.spotify_id(),
                    name: format!("#{number}: {title}"),
                    show,
                    duration_ms: rng.range(900_000, 5_400_000),
                    release_date: date(&mut rng),
                    description: names::description(&mut rng, &title),
                });
            }
            catalog.shows.push(Show {
                id: rng.spotify_id(),
                description: names::description(&mut rng, &name),
                name,
                publisher: names::person(&mut rng),
                language: LANGUAGES[rng.range(0, LANGUAGES.len() as u64 - 1) as usize],
                episodes: first..first + count,
            });
        }
        for audiobook in 0..AUDIOBOOKS {
            let first = catalog.chapters.len();
            let count = rng.range(8, 30) as usize;
            for number in 1..=count {
                catalog.chapters.push(Chapter {
                    id: rng.spotify_id(),
                    name: format!("Chapter {number}: {}", names::title(&mut rng)),
                    audiobook,
                    number: number as u64,
                    duration_ms: rng.range(600_000, 3_000_000),
                });
            }
            let name = names::title(&mut rng);
            catalog.audiobooks.push(Audiobook {
                id: rng.spotify_id(),
                description: names::description(&mut rng, &name),
                name,
                author: names::person(&mut rng),
                narrator: names::person(&mut rng),
                publisher: format!("{} Press", names::title(&mut rng)),
                chapters: first..first + count,
            });
        }
        catalog.build_index();
        catalog
    }

    fn build_index(&mut self) {
        let mut index = HashMap::new();
        let mut add = |kind: Kind, ids: Vec<&String>| {
            for (i, id) in ids.into_iter().enumerate() {
                index.insert((kind, id.clone()), i);
            }
        };
        add(Kind::Artist, self.artists.iter().map(|x| &x.id).collect());
        add(Kind::Album, self.albums.iter().map(|x| &x.id).collect());
        add(Kind::Track, self.tracks.iter().map(|x| &x.id).collect());
        add(Kind::Show, self.shows.iter().map(|x| &x.id).collect());
        add(Kind::Episode, self.episodes.iter().map(|x| &x.id).collect());
        add(
            Kind::Audiobook,
            self.audiobooks.iter().map(|x| &x.id).collect(),
        );
        add(Kind::Chapter, self.chapters.iter().map(|x| &x.id).collect());
        self.index = index;
    }

    pub fn len(&self, kind: Kind) -> usize {
        match kind {
            Kind::Artist => self.artists.len(),
            Kind::Album => self.albums.len(),
            Kind::Track => self.tracks.len(),
            Kind::Show => self.shows.len(),
            Kind::Episode => self.episodes.len(),
            Kind::Audiobook => self.audiobooks.len(),
            Kind::Chapter => self.chapters.len(),
        }
    }

    pub fn id(&self, kind: Kind, index: usize) -> &str {
        match kind {
            Kind::Artist => &self.artists[index].id,
            Kind::Album => &self.albums[index].id,
            Kind::Track => &self.tracks[index].id,
            Kind::Show => &self.shows[index].id,
            Kind::Episode => &self.episodes[index].id,
            Kind::Audiobook => &self.audiobooks[index].id,
            Kind::Chapter => &self.chapters[index].id,
        }
    }

    pub fn name(&self, kind: Kind, index: usize) -> &str {
        match kind {
            Kind::Artist => &self.artists[index].name,
            Kind::Album => &self.albums[index].name,
            Kind::Track => &self.tracks[index].name,
            Kind::Show => &self.shows[index].name,
            Kind::Episode => &self.episodes[index].name,
            Kind::Audiobook => &self.audiobooks[index].name,
            Kind::Chapter => &self.chapters[index].name,
        }
    }

    /// The entry with this id; an id the catalog does not hold maps onto a stable entry (so any
    /// id an assistant remembers gets an answer), `None` only for an id that is not one.
    pub fn find(&self, kind: Kind, id: &str) -> Option<usize> {
        if let Some(index) = self.index.get(&(kind, id.to_string())) {
            return Some(*index);
        }
        let plausible =
            !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric());
        plausible.then(|| (hash(id) % self.len(kind) as u64) as usize)
    }
}
