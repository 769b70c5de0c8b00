//! No secret (access token, refresh token, client secret) appears in any log line at any level:
//! a login, refreshes, a 401 retry and failed calls, all logged at TRACE into a buffer.

use crate::common;

use common::fake_spotify::{Canned, FakeSpotify};
use common::grants;
use common::log_capture::Buffer;
use serde_json::json;
use spotify_mcp::app::auth_commands::run_login_with;
use spotify_mcp::app::login::Browser;
use spotify_mcp::foundation::config::{CatalogArgs, LoginArgs};
use spotify_mcp::foundation::secret::Secret;

struct FollowRedirect;

impl Browser for FollowRedirect {
    fn open(&self, url: &str) -> bool {
        let params: std::collections::HashMap<String, String> = url::Url::parse(url)
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect();
        let target = format!(
            "{}?code=secret-code-value&state={}",
            params["redirect_uri"], params["state"]
        );
        tokio::spawn(async move {
            let _ = reqwest::get(&target).await;
        });
        true
    }
}

const SECRETS: [&str; 6] = [
    "login-access-secret",
    "login-refresh-secret",
    "refreshed-access-secret",
    "client-secret-value",
    "raw-access-secret",
    "secret-code-value",
];

#[tokio::test]
async fn trace_logs_carry_no_secret() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    // This thread's subscriber, not the process's: other tests share the process. The test
    // runtime has one thread, so every task of the run logs here.
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _logs = tracing::subscriber::set_default(subscriber);

    let fake = FakeSpotify::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut spotify = common::spotify_args(&fake, None);
    spotify.client_id = Some("test-client".into());
    spotify.client_secret = Some(Secret::new("client-secret-value"));
    spotify.token_file = Some(dir.path().join("token.json"));
    spotify.refresh_margin_secs = 4000; // every call refreshes first

    fake.respond_at(
        "/api/token",
        Canned::json(
            200,
            grants::token_answer("login-access-secret", Some("login-refresh-secret")),
        ),
    );
    fake.respond_at("/v1/me", Canned::json(200, json!({ "id": "u100000000000000000000", "type": "user", "uri": "spotify:user:u1", "href": "h", "external_urls": {} })));
    let args = LoginArgs {
        spotify: spotify.clone(),
        catalog: CatalogArgs::default(),
        scopes: None,
        redirect_uri: "http://127.0.0.1:0/callback".into(),
        no_browser: false,
        timeout_secs: 20,
    };
    run_login_with(args, &FollowRedirect, tokio::io::empty())
        .await
        .expect("login");

    // Refresh, then a 401 and a retry, then an error answer.
    let fake2 = FakeSpotify::start().await;
    spotify.api_base_url = format!("{}/v1", fake2.url());
    spotify.accounts_base_url = fake2.url();
    fake2.respond_at(
        "/api/token",
        Canned::json(200, grants::token_answer("refreshed-access-secret", None)),
    );
    fake2.respond_once_at("/v1/", Canned::error(401, "expired"));
    fake2.respond_at("/v1/", Canned::error(404, "missing"));
    let client = common::connect(&spotify, false).await;
    for _ in 0..3 {
        let _ = common::call(
            &client,
            "get_album",
            json!({ "id": "a000000000000000000000" }),
        )
        .await
        .unwrap();
    }
    // A raw token too.
    let raw = common::connect(
        &common::spotify_args(&fake2, Some("raw-access-secret")),
        false,
    )
    .await;
    let _ = common::call(&raw, "get_album", json!({ "id": "a000000000000000000000" }))
        .await
        .unwrap();

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("refreshing the Spotify access token"),
        "TRACE logging captured the run"
    );
    assert!(
        logs.lines().count() > 20,
        "{} log lines",
        logs.lines().count()
    );
    for secret in SECRETS {
        assert!(
            !logs.contains(secret),
            "{secret} leaked into the logs:\n{}",
            logs.lines()
                .filter(|l| l.contains(secret))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    assert!(fake2.requests().iter().any(|r| r.header("authorization").as_deref() == Some("Bearer refreshed-access-secret")));
}
