//! `spotify-mcp auth login`, driven by a test acting as the browser against the fake accounts
//! service: PKCE S256, `state` checked (requests of other origins are ignored, the login waits
//! on), consent denied (Spotify's error text printed with control characters escaped), and the
//! pasted-URL path.

use crate::common;

use base64::Engine;
use common::fake_spotify::{Canned, FakeSpotify};
use common::grants;
use serde_json::json;
use sha2::{Digest, Sha256};
use spotify_mcp::app::auth_commands::run_login_with;
use spotify_mcp::app::login::Browser;
use spotify_mcp::foundation::config::{CatalogArgs, LoginArgs};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Clone, Copy)]
enum Act {
    Accept,
    /// Requests with a wrong or no `state` (a code, and error redirects) come first; then Spotify's.
    ForgedFirst,
    Deny,
    /// Spotify's error text carries a terminal escape sequence.
    DenyWithEscapes,
    /// Cannot open a browser: the user pastes the URL.
    Unavailable,
}

/// Plays the browser: remembers the authorization URL and follows the redirect like Spotify would.
struct TestBrowser {
    act: Act,
    seen: Arc<Mutex<Option<String>>>,
}

fn query(url: &str) -> HashMap<String, String> {
    let url = url::Url::parse(url).unwrap();
    url.query_pairs().into_owned().collect()
}

impl Browser for TestBrowser {
    fn open(&self, url: &str) -> bool {
        *self.seen.lock().unwrap() = Some(url.to_string());
        let params = query(url);
        let redirect = params["redirect_uri"].clone();
        let state = &params["state"];
        let targets = match self.act {
            Act::Accept => vec![format!("{redirect}?code=the-code&state={state}")],
            Act::ForgedFirst => vec![
                format!("{redirect}?code=forged-code&state=forged"),
                format!("{redirect}?error=access_denied&state=forged"),
                format!("{redirect}?error=access_denied"),
                format!("{redirect}?code=the-code&state={state}"),
            ],
            Act::Deny => vec![format!("{redirect}?error=access_denied&state={state}")],
            Act::DenyWithEscapes => vec![format!(
                "{redirect}?error=%1B%5B2J%1B%5B31mdenied%07&state={state}"
            )],
            Act::Unavailable => return false,
        };
        tokio::spawn(async move {
            // One after the other, as a page or process racing the real redirect would.
            for target in targets {
                let page = reqwest::get(&target)
                    .await
                    .expect("callback answers")
                    .text()
                    .await
                    .unwrap();
                assert!(page.contains("<h1>"), "a plain page: {page}");
            }
        });
        true
    }
}

fn login_args(fake: &FakeSpotify, dir: &tempfile::TempDir) -> LoginArgs {
    let mut spotify = common::spotify_args(fake, None);
    spotify.client_id = Some("test-client".into());
    spotify.token_file = Some(dir.path().join("token.json"));
    LoginArgs {
        spotify,
        catalog: CatalogArgs::default(),
        scopes: None,
        redirect_uri: "http://127.0.0.1:0/callback".into(),
        no_browser: false,
        timeout_secs: 20,
    }
}

fn fake_accounts(fake: &FakeSpotify) {
    fake.respond_at(
        "/api/token",
        Canned::json(
            200,
            grants::token_answer("login-access", Some("login-refresh")),
        ),
    );
    fake.respond_at(
        "/v1/me",
        Canned::json(200, json!({
            "id": "u1", "display_name": "Agnetha", "type": "user", "uri": "spotify:user:u1",
            "href": "https://api.spotify.com/v1/users/u1", "external_urls": { "spotify": "https://open.spotify.com/user/u1" }
        })),
    );
}

async fn run(
    act: Act,
) -> (
    FakeSpotify,
    tempfile::TempDir,
    Result<(), String>,
    Option<String>,
) {
    let fake = FakeSpotify::start().await;
    fake_accounts(&fake);
    let dir = tempfile::tempdir().unwrap();
    let seen = Arc::new(Mutex::new(None));
    let browser = TestBrowser {
        act,
        seen: seen.clone(),
    };
    let result = run_login_with(login_args(&fake, &dir), &browser, tokio::io::empty())
        .await
        .map_err(|e| e.to_string());
    let url = seen.lock().unwrap().clone();
    (fake, dir, result, url)
}

#[tokio::test]
async fn pkce_login_stores_a_grant() {
    let (fake, dir, result, url) = run(Act::Accept).await;
    result.expect("login succeeds");
    let params = query(&url.unwrap());
    assert_eq!(params["response_type"], "code");
    assert_eq!(params["client_id"], "test-client");
    assert_eq!(params["code_challenge_method"], "S256");
    assert!(
        params["redirect_uri"].starts_with("http://127.0.0.1:"),
        "loopback IP literal"
    );
    let scopes: Vec<&str> = params["scope"].split(' ').collect();
    assert!(
        scopes.contains(&"user-modify-playback-state")
            && scopes.contains(&"playlist-modify-private"),
        "{scopes:?}"
    );

    let token_requests = fake.requests_at("/api/token");
    assert_eq!(token_requests.len(), 1);
    let form: HashMap<String, String> = url::form_urlencoded::parse(&token_requests[0].body)
        .into_owned()
        .collect();
    assert_eq!(form["grant_type"], "authorization_code");
    assert_eq!(form["code"], "the-code");
    assert_eq!(form["redirect_uri"], params["redirect_uri"]);
    let digest = Sha256::digest(form["code_verifier"].as_bytes());
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
    assert_eq!(
        challenge, params["code_challenge"],
        "the challenge is the S256 of the verifier"
    );

    let path = dir.path().join("token.json");
    let grant = grants::load(&path);
    assert_eq!(grant.access_token.expose(), "login-access");
    assert_eq!(grant.refresh_token.unwrap().expose(), "login-refresh");
    assert_eq!(grant.user_name.as_deref(), Some("Agnetha"));
    #[cfg(unix)]
    assert_eq!(grants::mode(&path), 0o600);
}

#[tokio::test]
async fn requests_with_a_wrong_state_are_ignored_and_the_real_redirect_still_signs_in() {
    let (fake, dir, result, _) = run(Act::ForgedFirst).await;
    result.expect("the forged requests did not end the login");
    let token_requests = fake.requests_at("/api/token");
    assert_eq!(token_requests.len(), 1, "one code exchange");
    let form: HashMap<String, String> = url::form_urlencoded::parse(&token_requests[0].body)
        .into_owned()
        .collect();
    assert_eq!(form["code"], "the-code", "never the forged code");
    assert_eq!(
        grants::load(&dir.path().join("token.json"))
            .access_token
            .expose(),
        "login-access"
    );
}

#[tokio::test]
async fn spotifys_error_text_is_printed_with_control_characters_escaped() {
    let (fake, dir, result, _) = run(Act::DenyWithEscapes).await;
    let error = result.unwrap_err();
    assert!(
        !error.chars().any(|c| c.is_control()),
        "raw control characters reach the terminal: {error:?}"
    );
    assert!(
        error.contains("\\u{1b}[2J\\u{1b}[31mdenied\\u{7}"),
        "shown escaped: {error}"
    );
    assert!(fake.requests_at("/api/token").is_empty());
    assert!(!dir.path().join("token.json").exists());
}

#[tokio::test]
async fn denied_consent_ends_with_a_clear_message() {
    let (fake, dir, result, _) = run(Act::Deny).await;
    let error = result.unwrap_err();
    assert!(
        error.contains("access_denied") && error.contains("auth login"),
        "{error}"
    );
    assert!(fake.requests_at("/api/token").is_empty());
    assert!(!dir.path().join("token.json").exists());
}

#[tokio::test]
async fn the_redirected_url_can_be_pasted() {
    let fake = FakeSpotify::start().await;
    fake_accounts(&fake);
    let dir = tempfile::tempdir().unwrap();
    let seen = Arc::new(Mutex::new(None));
    let browser = TestBrowser {
        act: Act::Unavailable,
        seen: seen.clone(),
    };
    let (reader, mut writer) = tokio::io::duplex(4096);
    let paste = async {
        // Wait until the URL was shown, then paste what the browser's address bar would show.
        let url = loop {
            if let Some(url) = seen.lock().unwrap().clone() {
                break url;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        };
        let params = query(&url);
        // A URL of another attempt is refused; the login waits for this one's.
        let line = format!(
            "not a url\n{0}?code=stale-code&state=older\n{0}?code=pasted-code&state={1}\n",
            params["redirect_uri"], params["state"]
        );
        tokio::io::AsyncWriteExt::write_all(&mut writer, line.as_bytes())
            .await
            .unwrap();
        writer
    };
    let login = run_login_with(
        login_args(&fake, &dir),
        &browser,
        tokio::io::BufReader::new(reader),
    );
    let (result, _writer) = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        tokio::join!(login, paste)
    })
    .await
    .expect("login finishes");
    result.map_err(|e| e.to_string()).expect("login succeeds");
    let form: HashMap<String, String> =
        url::form_urlencoded::parse(&fake.requests_at("/api/token")[0].body)
            .into_owned()
            .collect();
    assert_eq!(form["code"], "pasted-code");
    assert!(dir.path().join("token.json").exists());
}

#[tokio::test]
async fn localhost_redirects_are_refused_up_front() {
    let fake = FakeSpotify::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut args = login_args(&fake, &dir);
    args.redirect_uri = "http://localhost:8888/callback".into();
    let browser = TestBrowser {
        act: Act::Accept,
        seen: Arc::default(),
    };
    let error = run_login_with(args, &browser, tokio::io::empty())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("localhost") && error.contains("127.0.0.1"),
        "{error}"
    );
}
