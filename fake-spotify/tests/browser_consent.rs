//! The consent page driven by a real headless browser (Chromium through chromedriver's
//! WebDriver HTTP API, on 127.0.0.1): pick a user, click Agree, land on the callback with a
//! code that signs that user in. Skipped, saying so, where chromedriver is not installed.

mod common;

use base64::Engine;
use common::{get, http, token_request};
use fake_spotify::{FakeSpotify, Knobs};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const VERIFIER: &str = "a-verifier-of-at-least-forty-three-characters-0123456789";

/// A chromedriver process on a free port, in a process group of its own that is killed on
/// drop with the browser it started, even when the test fails half-way.
struct Driver {
    child: Child,
    base: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

async fn start_driver() -> Option<Driver> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .ok()?;
    let driver = Driver {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..100 {
        if let Ok(response) = http().get(format!("{}/status", driver.base)).send().await
            && response.status().is_success()
        {
            return Some(driver);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not come up within 10 s");
}

/// A WebDriver command; its `value`.
async fn command(driver: &Driver, path: &str, body: Value) -> Value {
    let response = http()
        .post(format!("{}{path}", driver.base))
        .json(&body)
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .expect("chromedriver answers");
    let answer: Value = response.json().await.unwrap();
    assert!(answer["value"].get("error").is_none(), "{path}: {answer}");
    answer["value"].clone()
}

async fn click(driver: &Driver, session: &str, css: &str) {
    let found = command(
        driver,
        &format!("/session/{session}/element"),
        json!({ "using": "css selector", "value": css }),
    )
    .await;
    let element = found["element-6066-11e4-a52e-4f735466cecf"]
        .as_str()
        .unwrap_or_else(|| panic!("no element {css}: {found}"));
    command(
        driver,
        &format!("/session/{session}/element/{element}/click"),
        json!({}),
    )
    .await;
}

/// A callback page on 127.0.0.1 that answers every request with "signed in".
async fn callback_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/callback", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer).await;
            let answer = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 9\r\nconnection: close\r\n\r\nsigned in";
            let _ = stream.write_all(answer.as_bytes()).await;
        }
    });
    url
}

#[tokio::test]
async fn a_headless_browser_picks_a_user_and_clicks_agree() {
    let Some(driver) = start_driver().await else {
        // CI installs chromium and chromium-driver: there the test must run, not skip.
        assert!(
            std::env::var_os("CI").is_none(),
            "chromedriver is not installed, and CI is set: install chromium and chromium-driver"
        );
        eprintln!("SKIPPED: chromedriver is not installed");
        return;
    };
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let ada = fake.add_user("Ada");
    let callback = callback_server().await;
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER));
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("client_id", "the-app"),
            ("response_type", "code"),
            ("redirect_uri", callback.as_str()),
            ("state", "xyz"),
            ("scope", "user-read-private"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .finish();

    let capabilities = json!({ "capabilities": { "alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": { "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-crash-reporter", "--disable-breakpad"] },
    }}});
    let session = command(&driver, "/session", capabilities).await["sessionId"]
        .as_str()
        .unwrap()
        .to_string();
    let url = format!("{}/authorize?{query}", fake.url());
    command(
        &driver,
        &format!("/session/{session}/url"),
        json!({ "url": url }),
    )
    .await;
    click(&driver, &session, "#user-ada").await;
    click(&driver, &session, "#agree").await;
    let mut landed = String::new();
    for _ in 0..50 {
        let current = http()
            .get(format!("{}/session/{session}/url", driver.base))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        landed = current["value"].as_str().unwrap_or_default().to_string();
        if landed.starts_with(&callback) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = http()
        .delete(format!("{}/session/{session}", driver.base))
        .send()
        .await;
    assert!(
        landed.starts_with(&format!("{callback}?")),
        "landed on {landed}"
    );
    let pairs: Vec<(String, String)> =
        form_urlencoded::parse(landed.split_once('?').unwrap().1.as_bytes())
            .into_owned()
            .collect();
    let code = common::value(&pairs, "code").expect("a code");
    assert_eq!(common::value(&pairs, "state"), Some("xyz"));

    let (status, tokens) = token_request(
        &fake,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", callback.as_str()),
            ("client_id", "the-app"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    let (_, me) = get(&fake, tokens["access_token"].as_str().unwrap(), "/me").await;
    assert_eq!(me["id"], json!(ada.id), "the user the browser chose");
}
