//! A call's credentials are an input of the call, not of the process: one server can act for
//! several callers, each request carries its caller's token, and one caller's cached answers
//! (and memoized results) are never served to another.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::grants;
use serde_json::{Map, Value, json};
use spotify_mcp::credentials::Credentials;
use spotify_mcp::credentials::token_source::TokenSource;
use spotify_mcp::foundation::secret::Secret;
use spotify_mcp::mcp::{Catalog, CatalogOptions, SpotifyServer, all_tools};
use std::sync::Arc;

fn server(fake: &FakeSpotify) -> SpotifyServer {
    // The default credentials are the process owner's; the callers below bring their own.
    let api = spotify_mcp::build_api(&common::cached::args(fake, "owner-token", None))
        .expect("client builds");
    let catalog = Catalog::new(all_tools(), &CatalogOptions::default());
    SpotifyServer::new(api, Arc::new(catalog))
}

fn caller(token: &str) -> Arc<dyn Credentials> {
    Arc::new(TokenSource::Static(Secret::new(token)))
}

fn album_arguments() -> Option<Map<String, Value>> {
    json!({ "id": "a000000000000000000000" })
        .as_object()
        .cloned()
}

async fn get_album(server: &SpotifyServer, credentials: Arc<dyn Credentials>) -> Value {
    let result = server
        .call_as(credentials, "get_album", album_arguments(), None, None)
        .await
        .expect("a tool result");
    assert_ne!(result.is_error, Some(true), "{}", common::text(&result));
    result.structured_content.expect("structured content")
}

fn bearers(fake: &FakeSpotify) -> Vec<String> {
    fake.requests()
        .iter()
        .map(|r| r.header("authorization").unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn each_call_sends_its_own_callers_token() {
    let fake = FakeSpotify::start().await;
    fake.respond(Canned::json(200, grants::album("a000000000000000000000")));
    let server = server(&fake);

    get_album(&server, caller("alice-token")).await;
    get_album(&server, caller("bob-token")).await;
    let result = server
        .call("get_album", album_arguments(), None, None)
        .await
        .unwrap();
    assert_ne!(result.is_error, Some(true));

    assert_eq!(
        bearers(&fake),
        [
            "Bearer alice-token",
            "Bearer bob-token",
            "Bearer owner-token"
        ],
        "every caller's first read reaches Spotify with that caller's token"
    );
}

#[tokio::test]
async fn one_callers_cached_answer_is_not_anothers() {
    let fake = FakeSpotify::start().await;
    let server = server(&fake);
    let (alice, bob) = (caller("alice-token"), caller("bob-token"));

    let mut album = grants::album("a000000000000000000000");
    album["name"] = json!("Alice's view");
    fake.respond(Canned::json(200, album.clone()));
    assert_eq!(
        get_album(&server, alice.clone()).await["name"],
        "Alice's view"
    );

    album["name"] = json!("Bob's view");
    fake.respond(Canned::json(200, album));
    assert_eq!(
        get_album(&server, bob.clone()).await["name"],
        "Bob's view",
        "Bob was served Alice's cached answer"
    );
    // Each now has an answer of their own in the cache and the memo.
    assert_eq!(get_album(&server, alice).await["name"], "Alice's view");
    assert_eq!(get_album(&server, bob).await["name"], "Bob's view");
    assert_eq!(
        fake.requests().len(),
        2,
        "repeats are served from cache per caller"
    );
}
