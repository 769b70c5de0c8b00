//! Signing in through `/authorize`: the consent page's form (choose a user, Agree or Cancel)
//! and the decisions a test queues, then the code exchange with PKCE S256 and the exact
//! redirect URI, and the requests Spotify refuses.

mod common;

use base64::Engine;
use common::{get, http, location, token_request, value};
use fake_spotify::{FakeSpotify, Knobs};
use serde_json::json;
use sha2::{Digest, Sha256};

/// Never contacted: the tests read the redirect's `Location` instead of following it.
const REDIRECT: &str = "http://127.0.0.1:9/callback";
const VERIFIER: &str = "a-verifier-of-at-least-forty-three-characters-0123456789";

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// An authorization URL as a PKCE client builds it; `extra` adds or replaces parameters.
fn authorize_url(fake: &FakeSpotify, extra: &[(&str, &str)]) -> String {
    let challenge = challenge(VERIFIER);
    let mut pairs: Vec<(&str, &str)> = vec![
        ("client_id", "the-app"),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("state", "st&te=1"),
        ("scope", "user-read-private user-library-read"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ];
    for (name, value) in extra {
        pairs.retain(|(n, _)| n != name);
        pairs.push((name, value));
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{}/authorize?{query}", fake.url())
}

/// The form fields of the page's `<input>`s: hidden ones, and the checked radio button.
fn form_fields(html: &str) -> Vec<(String, String)> {
    let attribute = |tag: &str, name: &str| -> Option<String> {
        let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
        let end = start + tag[start..].find('"')?;
        let raw = &tag[start..end];
        Some(
            raw.replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&"),
        )
    };
    html.split("<input")
        .skip(1)
        .map(|rest| &rest[..rest.find('>').unwrap()])
        .filter(|tag| tag.contains("type=\"hidden\"") || tag.contains(" checked"))
        .map(|tag| {
            (
                attribute(tag, "name").unwrap(),
                attribute(tag, "value").unwrap(),
            )
        })
        .collect()
}

/// Submits the consent form as a browser would, with `user` chosen and `action` clicked.
async fn submit(fake: &FakeSpotify, html: &str, user: &str, action: &str) -> reqwest::Response {
    let mut fields: Vec<(String, String)> = form_fields(html)
        .into_iter()
        .filter(|(n, _)| n != "user")
        .collect();
    fields.push(("user".into(), user.into()));
    fields.push(("action".into(), action.into()));
    http()
        .post(format!("{}/authorize", fake.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields)
                .finish(),
        )
        .send()
        .await
        .unwrap()
}

async fn exchange(
    fake: &FakeSpotify,
    code: &str,
    verifier: &str,
    redirect: &str,
) -> (u16, serde_json::Value) {
    token_request(
        fake,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect),
            ("client_id", "the-app"),
            ("code_verifier", verifier),
        ],
    )
    .await
}

/// A code for `user`, through a queued approval (no page).
async fn code_for(fake: &FakeSpotify, user: &fake_spotify::FakeUser) -> String {
    fake.approve_next_as(user);
    let response = http().get(authorize_url(fake, &[])).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let (_, query) = location(&response);
    value(&query, "code").expect("a code").to_string()
}

#[tokio::test]
async fn the_consent_page_signs_in_the_chosen_user_with_pkce() {
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let ada = fake.add_user("Ada");
    let page = http()
        .get(authorize_url(&fake, &[("login_hint", "ada")]))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("id=\"agree\"") && html.contains("id=\"cancel\""),
        "{html}"
    );
    assert!(html.contains("Fake Listener (fakelistener)") && html.contains("Ada (ada)"));
    let fields = form_fields(&html);
    assert_eq!(
        value(&fields, "user"),
        Some("ada"),
        "the login hint is preselected"
    );
    assert_eq!(value(&fields, "state"), Some("st&te=1"));
    assert!(
        fake.requests().iter().all(|r| r.user.is_none()),
        "nobody signed in yet"
    );

    let agreed = submit(&fake, &html, "ada", "agree").await;
    assert_eq!(agreed.status().as_u16(), 303);
    let (target, query) = location(&agreed);
    assert!(target.starts_with(&format!("{REDIRECT}?")), "{target}");
    assert_eq!(value(&query, "state"), Some("st&te=1"));
    let code = value(&query, "code").unwrap();

    let (status, tokens) = exchange(&fake, code, VERIFIER, REDIRECT).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(
        tokens["scope"],
        json!("user-read-private user-library-read")
    );
    let access = tokens["access_token"].as_str().unwrap();
    let (_, me) = get(&fake, access, "/me").await;
    assert_eq!(
        (&me["id"], &me["account_id"]),
        (&json!("ada"), &json!(ada.account_id))
    );
    let exchange_record = fake
        .requests()
        .into_iter()
        .find(|r| r.path == "/api/token")
        .unwrap();
    assert_eq!(exchange_record.user.as_deref(), Some("ada"));

    // A refreshed token stays Ada's.
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, renewed) = token_request(
        &fake,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", "the-app"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let (_, me) = get(&fake, renewed["access_token"].as_str().unwrap(), "/me").await;
    assert_eq!(me["id"], json!("ada"));

    // The code was used: once only.
    let (status, again) = exchange(&fake, code, VERIFIER, REDIRECT).await;
    assert_eq!((status, &again["error"]), (400, &json!("invalid_grant")));
}

#[tokio::test]
async fn a_wrong_verifier_redirect_uri_or_client_is_refused() {
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let ada = fake.add_user("Ada");

    let code = code_for(&fake, &ada).await;
    let (status, body) = exchange(
        &fake,
        &code,
        "another-verifier-of-forty-three-characters-000000",
        REDIRECT,
    )
    .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_grant")),
        "{body}"
    );
    let (status, _) = exchange(&fake, &code, VERIFIER, REDIRECT).await;
    assert_eq!(status, 400, "a refused code is spent");

    let code = code_for(&fake, &ada).await;
    let (status, body) = exchange(&fake, &code, VERIFIER, "http://127.0.0.1:9/callback/").await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_grant")),
        "{body}"
    );
    assert_eq!(body["error_description"], json!("Invalid redirect URI"));

    let code = code_for(&fake, &ada).await;
    let (status, body) = token_request(
        &fake,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", "the-app"),
        ],
    )
    .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_request")),
        "no verifier"
    );

    let code = code_for(&fake, &ada).await;
    let (status, body) = token_request(
        &fake,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", "another-app"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_client")));

    let code = code_for(&fake, &ada).await;
    let (status, body) = exchange(&fake, &code, VERIFIER, REDIRECT).await;
    assert_eq!(status, 200, "the right verifier and URI still work: {body}");
}

#[tokio::test]
async fn declining_redirects_with_access_denied() {
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let html = http()
        .get(authorize_url(&fake, &[]))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let cancelled = submit(&fake, &html, "fakelistener", "cancel").await;
    assert_eq!(cancelled.status().as_u16(), 303);
    let (target, query) = location(&cancelled);
    assert!(target.starts_with(REDIRECT));
    assert_eq!(value(&query, "error"), Some("access_denied"));
    assert_eq!(value(&query, "state"), Some("st&te=1"));
    assert_eq!(value(&query, "code"), None);

    fake.decline_next();
    let declined = http().get(authorize_url(&fake, &[])).send().await.unwrap();
    let (_, query) = location(&declined);
    assert_eq!(value(&query, "error"), Some("access_denied"));
    let page = http().get(authorize_url(&fake, &[])).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200, "a decision applies once");
}

#[tokio::test]
async fn requests_spotify_refuses_are_refused() {
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let get_status = |url: String| async move {
        let response = http().get(url).send().await.unwrap();
        let status = response.status().as_u16();
        let error = response
            .headers()
            .get("location")
            .map(|_| location(&response).1)
            .and_then(|q| value(&q, "error").map(str::to_string));
        (status, error)
    };
    // Refused on a page, never redirected: the redirect URI cannot be trusted.
    for bad in [
        ("client_id", ""),
        ("redirect_uri", "http://localhost:8888/callback"),
        ("redirect_uri", "http://example.com/callback"),
    ] {
        assert_eq!(
            get_status(authorize_url(&fake, &[bad])).await,
            (400, None),
            "{bad:?}"
        );
    }
    assert_eq!(
        get_status(authorize_url(
            &fake,
            &[("redirect_uri", "http://[::1]:9/cb")]
        ))
        .await
        .0,
        200
    );
    // Redirected with an error.
    for (bad, error) in [
        (("response_type", "token"), "unsupported_response_type"),
        (("code_challenge_method", "plain"), "invalid_request"),
        (
            ("scope", "user-read-private user-read-minds"),
            "invalid_scope",
        ),
    ] {
        assert_eq!(
            get_status(authorize_url(&fake, &[bad])).await,
            (303, Some(error.to_string())),
            "{bad:?}"
        );
    }
    // Only the registered URIs, when the app lists them.
    fake.update(|k| k.redirect_uris = vec!["http://127.0.0.1:9/registered".into()]);
    assert_eq!(get_status(authorize_url(&fake, &[])).await, (400, None));
    assert_eq!(
        get_status(authorize_url(
            &fake,
            &[("redirect_uri", "http://127.0.0.1:9/registered")]
        ))
        .await
        .0,
        200
    );
    // Agreeing as a user the fake does not have is refused.
    fake.update(|k| k.redirect_uris.clear());
    let html = http()
        .get(authorize_url(&fake, &[]))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        submit(&fake, &html, "nobody", "agree")
            .await
            .status()
            .as_u16(),
        400
    );
}
