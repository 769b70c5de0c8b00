//! Word lists the generator builds names from.

use super::rng::Rng;

const ADJECTIVES: &[&str] = &[
    "Velvet", "Silent", "Golden", "Electric", "Paper", "Midnight", "Crystal", "Wild", "Hollow",
    "Neon", "Quiet", "Burning", "Distant", "Northern", "Broken", "Endless", "Lucky", "Restless",
    "Amber", "Blue", "Copper", "Silver", "Lonely", "Sweet", "Secret", "Frozen", "Summer",
];
const NOUNS: &[&str] = &[
    "Harbor", "Echo", "Garden", "River", "Highway", "Signal", "Lantern", "Mirror", "Horizon",
    "Orchard", "Engine", "Parade", "Comet", "Island", "Avenue", "Tide", "Meadow", "Circuit",
    "Canyon", "Window", "Fever", "Heart", "Machine", "Radio", "Ocean", "Forest", "City",
];
const BAND_SUFFIXES: &[&str] = &[
    "s",
    " Collective",
    " Orchestra",
    " Club",
    " Society",
    " Trio",
];
const FIRST: &[&str] = &[
    "Ada", "Bruno", "Clara", "Dmitri", "Elin", "Farah", "Goran", "Hana", "Ivo", "Julia", "Kenji",
    "Lena", "Marco", "Nadia", "Oskar", "Priya", "Rosa", "Sami", "Tove", "Yusuf",
];
const LAST: &[&str] = &[
    "Andersson",
    "Bauer",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Rossi",
    "Silva",
];
pub const GENRES: &[&str] = &[
    "indie pop",
    "synthwave",
    "alt rock",
    "jazz",
    "neo soul",
    "folk",
    "techno",
    "ambient",
    "hip hop",
    "classical",
    "dream pop",
    "post-punk",
    "bossa nova",
    "afrobeat",
    "k-pop",
];
pub const LANGUAGES: &[&str] = &["en", "sv", "de", "fr", "es", "pt", "ja"];

pub fn title(rng: &mut Rng) -> String {
    format!("{} {}", rng.pick(ADJECTIVES), rng.pick(NOUNS))
}

pub fn person(rng: &mut Rng) -> String {
    format!("{} {}", rng.pick(FIRST), rng.pick(LAST))
}

pub fn artist(rng: &mut Rng) -> String {
    if rng.chance(50) {
        person(rng)
    } else {
        format!("The {}{}", rng.pick(NOUNS), rng.pick(BAND_SUFFIXES))
    }
}

/// A sentence or two of filler for descriptions.
pub fn description(rng: &mut Rng, subject: &str) -> String {
    format!(
        "{subject}: a {} journey through {} {} and {} {}, recorded over one {} winter.",
        rng.pick(ADJECTIVES).to_lowercase(),
        rng.pick(ADJECTIVES).to_lowercase(),
        rng.pick(NOUNS).to_lowercase(),
        rng.pick(ADJECTIVES).to_lowercase(),
        rng.pick(NOUNS).to_lowercase(),
        rng.pick(ADJECTIVES).to_lowercase(),
    )
}
