//! What each Spotify scope lets a client do, in the words the consent and account pages use.

/// A person-readable sentence for `scope`; the scope itself for one this list lacks.
pub fn describe(scope: &str) -> &str {
    match scope {
        "user-read-private" => "See your profile: name, country and subscription",
        "user-read-email" => "See your email address",
        "user-library-read" => "See your saved songs, albums, shows, episodes and audiobooks",
        "user-library-modify" => "Save and remove songs, albums, shows, episodes and audiobooks",
        "playlist-read-private" => "See your private playlists",
        "playlist-read-collaborative" => "See collaborative playlists you are in",
        "playlist-modify-public" => "Create, edit and follow public playlists",
        "playlist-modify-private" => "Create, edit and follow private playlists",
        "user-follow-read" => "See the artists and people you follow",
        "user-follow-modify" => "Follow and unfollow artists and people",
        "user-top-read" => "See your top artists and tracks",
        "user-read-recently-played" => "See what you played recently",
        "user-read-playback-position" => "See where you stopped in episodes and audiobooks",
        "user-read-playback-state" => "See what is playing and on which device",
        "user-read-currently-playing" => "See what is playing now",
        "user-modify-playback-state" => "Control playback: play, pause, skip, queue, change device",
        "ugc-image-upload" => "Upload playlist cover images",
        "app-remote-control" | "streaming" => "Play music on your devices",
        "user-personalized" => "Use your taste profile for recommendations",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_scopes_read_as_sentences_and_unknown_ones_as_themselves() {
        assert_eq!(describe("user-read-email"), "See your email address");
        assert_eq!(describe("new-scope"), "new-scope");
    }
}
