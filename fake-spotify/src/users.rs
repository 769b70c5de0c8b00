//! Several users on one fake: create them, sign them in (tokens, or the authorize page's
//! decision), give them knobs of their own, and look at their data.

use crate::auth::{Decision, IssuedToken, TEST_CLIENT_ID};
use crate::state::{FakeUser, UserKnobs};
use crate::{FakeSpotify, Kind, USER_ID};

impl FakeSpotify {
    /// A new user with a seeded library, player and playlists of their own; the id is made
    /// from the name (`"Ada Lovelace"` → `adalovelace`, then `adalovelace2`…).
    pub fn add_user(&self, display_name: &str) -> FakeUser {
        self.shared.add_user(display_name)
    }

    /// The user every test had before there were several: [`USER_ID`](crate::USER_ID).
    pub fn default_user(&self) -> FakeUser {
        self.user(USER_ID)
            .unwrap_or_else(|| unreachable!("the default user always exists"))
    }

    /// The user with this id, if the fake has one.
    pub fn user(&self, id: &str) -> Option<FakeUser> {
        self.shared.with_state(|state| {
            let index = state.user_index(id)?;
            Some(state.users[index].profile.clone())
        })
    }

    /// Every user, the default one first.
    pub fn users(&self) -> Vec<FakeUser> {
        self.shared
            .with_state(|state| state.users.iter().map(|u| u.profile.clone()).collect())
    }

    /// A token with every scope for `user`, as if they had just signed in to the test app.
    pub fn issue_token(&self, user: &FakeUser) -> IssuedToken {
        self.shared.issue_token_for(&user.id, TEST_CLIENT_ID)
    }

    /// Like [`issue_token`](Self::issue_token), for the app with `client_id` (what
    /// [`Knobs::development_mode_user_limit`](crate::Knobs) counts by).
    pub fn issue_token_for_client(&self, user: &FakeUser, client_id: &str) -> IssuedToken {
        self.shared.issue_token_for(&user.id, client_id)
    }

    /// The next `GET /authorize` (a valid one) skips the page: `user` agrees at once and the
    /// browser is redirected with a code for them. Queued decisions apply in order.
    pub fn approve_next_as(&self, user: &FakeUser) {
        self.shared
            .queue_decision(Decision::Approve(user.id.clone()));
    }

    /// The next `GET /authorize` (a valid one) is declined: redirected with
    /// `error=access_denied`, as when the person clicks Cancel.
    pub fn decline_next(&self) {
        self.shared.queue_decision(Decision::Decline);
    }

    /// Changes one user's knobs: `fake.update_user(&bob, |k| k.product = Product::Free)`.
    /// Returns `false` for a user the fake does not have.
    pub fn update_user(&self, user: &FakeUser, change: impl FnOnce(&mut UserKnobs)) -> bool {
        self.shared
            .with_state(|state| match state.user_index(&user.id) {
                Some(index) => {
                    change(&mut state.users[index].knobs);
                    true
                }
                None => false,
            })
    }

    /// Ids in `user`'s library of one URI type (`track`, `album`, `artist`, `playlist`…),
    /// most recently saved first.
    pub fn saved_ids(&self, user: &FakeUser, kind: &str) -> Vec<String> {
        self.shared.with_state(|state| {
            state
                .user_index(&user.id)
                .map(|index| {
                    let saved = state.users[index].library.list(kind);
                    saved.iter().map(|(id, _)| id.clone()).collect()
                })
                .unwrap_or_default()
        })
    }

    /// Saves up to `count` tracks of the catalog (in catalog order, ~1,800 in all) to `user`'s
    /// library besides those there, for lists of thousands to page through. Returns how many
    /// saved tracks `user` then has.
    pub fn save_many_tracks(&self, user: &FakeUser, count: usize) -> usize {
        let ids: Vec<String> = self.ids(Kind::Track).into_iter().take(count).collect();
        self.shared.with_state(|state| {
            let Some(index) = state.user_index(&user.id) else {
                return 0;
            };
            let library = &mut state.users[index].library;
            for id in &ids {
                library.save("track", id);
            }
            library.list("track").len()
        })
    }

    /// Ids of the playlists `user` owns (including ones created since the start).
    pub fn playlist_ids_of(&self, user: &FakeUser) -> Vec<String> {
        self.shared.with_state(|state| {
            state
                .playlists
                .iter()
                .filter(|p| p.owner.0 == user.id)
                .map(|p| p.id.clone())
                .collect()
        })
    }
}
