//! The sign-in of multi-user mode over real HTTP, hop by hop: an MCP client's `/authorize`,
//! Spotify (the fake, approving as one of its users), `/callback`, the consent page and its
//! POST, the code the store then redeems; `/account`; and each refusal the spec asks for.

use crate::common::sign_in_server::{
    REDIRECT_URI, SCOPES, SignInServer, VERIFIER, allow_consent, browser, consent_fields,
    consent_form, hidden_field, location, page_text, param, post_consent, query,
};
use fake_spotify::FakeUser;
use reqwest::Client;
use spotify_mcp::store::Scopes;

/// A fresh server with one person, `name`, about to sign in from a new browser: the server, the
/// person, the browser and the test client's `/authorize` URL with state `state`.
async fn about_to_sign_in(name: &str, state: &str) -> (SignInServer, FakeUser, Client, String) {
    let server = SignInServer::start().await;
    let person = server.fake.add_user(name);
    let url = server.authorize_url(&server.client_id, state, &[]);
    (server, person, browser(), url)
}

/// Signs `user` in for the test client with state `state` and allows it: the redirect's query.
async fn allow(
    server: &SignInServer,
    browser: &Client,
    user: &FakeUser,
    state: &str,
) -> Vec<(String, String)> {
    let url = server.authorize_url(&server.client_id, state, &[]);
    let page = server.sign_in(browser, &url, user).await;
    let back = allow_consent(browser, &server.url, page).await;
    assert!(back.starts_with(&format!("{REDIRECT_URI}?")), "{back}");
    query(&back)
}

#[tokio::test]
async fn the_whole_flow_ends_in_a_code_the_store_redeems_for_the_signed_in_person() {
    let (server, ada, browser, url) = about_to_sign_in("Ada Lovelace", "st-1").await;
    let page = server.sign_in(&browser, &url, &ada).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for shown in [
        "Test Client",
        server.client_id.as_str(),
        "http://127.0.0.1:9",
        "Ada Lovelace",
        "See your private playlists",
    ] {
        assert!(html.contains(shown), "{shown} missing from {html}");
    }
    let (request, csrf) = (hidden_field(&html, "request"), hidden_field(&html, "csrf"));
    let fields = consent_fields(&request, &csrf, "allow");
    let done = post_consent(&browser, &server.url, &fields).await;
    assert_eq!(done.status(), 303);
    let pairs = query(&location(&done));
    assert_eq!(param(&pairs, "state"), Some("st-1"));
    assert_eq!(param(&pairs, "iss"), Some(server.url.as_str()));
    let code = param(&pairs, "code").expect("a code");

    let redeemed = server
        .store
        .redeem_code(code, &server.client_id, REDIRECT_URI, VERIFIER)
        .await
        .unwrap();
    assert_eq!(redeemed.scopes, Scopes::parse(SCOPES));
    assert_eq!(redeemed.resource, format!("{}/mcp", server.url));
    let users = server.store.list_users().await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(redeemed.user_id, users[0].user.id);
    assert_eq!(users[0].user.display_name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(
        users[0].user.account_key, ada.account_id,
        "keyed by Spotify's account_id"
    );
    let grant = server.store.load_grant(&redeemed.user_id).await.unwrap();
    assert!(grant.is_some(), "the Spotify grant is stored");
}

#[tokio::test]
async fn consent_is_remembered_and_a_second_sign_in_skips_the_page() {
    let server = SignInServer::start().await;
    let ada = server.fake.add_user("Ada");
    let browser = browser();
    allow(&server, &browser, &ada, "first").await;
    // A fresh browser: consent is the person's, not the browser's.
    let other_browser = crate::common::sign_in_server::browser();
    let url = server.authorize_url(&server.client_id, "second", &[]);
    let back = server.sign_in(&other_browser, &url, &ada).await;
    assert_eq!(back.status(), 303);
    let pairs = query(&location(&back));
    assert_eq!(param(&pairs, "state"), Some("second"));
    assert!(param(&pairs, "code").is_some(), "{pairs:?}");
}

#[tokio::test]
async fn an_unknown_client_or_unregistered_redirect_uri_gets_a_page_and_no_redirect() {
    let server = SignInServer::start().await;
    for changes in [
        vec![("redirect_uri", "http://127.0.0.1:9/elsewhere")],
        vec![("redirect_uri", "http://127.0.0.1:9/callback/")],
        vec![("redirect_uri", "")],
        vec![("client_id", "nobody")],
    ] {
        let client = server.client_id.clone();
        let url = server.authorize_url(&client, "s", &changes);
        let answer = browser().get(&url).send().await.unwrap();
        assert_eq!(answer.status(), 400, "{changes:?}");
        assert!(answer.headers().get("location").is_none(), "{changes:?}");
        assert_eq!(answer.headers()["x-frame-options"], "DENY");
    }
    assert!(
        server.fake.requests().is_empty(),
        "nobody was sent to Spotify"
    );
}

/// The error a refused request sends back to the client.
async fn refusal(server: &SignInServer, changes: &[(&str, &str)]) -> (String, String) {
    let url = server.authorize_url(&server.client_id, "s", changes);
    let answer = browser().get(&url).send().await.unwrap();
    assert_eq!(answer.status(), 303, "{changes:?}");
    let back = location(&answer);
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    let pairs = query(&back);
    assert_eq!(param(&pairs, "state"), Some("s"));
    assert_eq!(param(&pairs, "iss"), Some(server.url.as_str()));
    let error = param(&pairs, "error").unwrap().to_string();
    let description = param(&pairs, "error_description").unwrap_or_default();
    (error, description.to_string())
}

#[tokio::test]
async fn a_request_without_pkce_s256_is_refused() {
    let server = SignInServer::start().await;
    for changes in [
        vec![("code_challenge_method", "")],
        vec![("code_challenge_method", "plain")],
        vec![("code_challenge", "")],
    ] {
        let (error, description) = refusal(&server, &changes).await;
        assert_eq!(error, "invalid_request", "{changes:?}");
        assert!(description.contains("code_challenge"), "{description}");
    }
}

#[tokio::test]
async fn a_wrong_resource_scope_or_response_type_is_refused() {
    let server = SignInServer::start().await;
    let elsewhere = "http://127.0.0.1:1/mcp";
    assert_eq!(
        refusal(&server, &[("resource", elsewhere)]).await.0,
        "invalid_target"
    );
    assert_eq!(
        refusal(&server, &[("scope", "user-read-private streaming")])
            .await
            .0,
        "invalid_scope"
    );
    assert_eq!(
        refusal(&server, &[("response_type", "token")]).await.0,
        "unsupported_response_type"
    );
    // A repeated parameter is not guessed at.
    let twice = format!(
        "{}&scope=user-read-private",
        server.authorize_url(&server.client_id, "s", &[])
    );
    let answer = browser().get(&twice).send().await.unwrap();
    assert_eq!(
        param(&query(&location(&answer)), "error"),
        Some("invalid_request")
    );
}

#[tokio::test]
async fn a_consent_post_without_its_csrf_token_or_from_another_browser_is_refused() {
    let (server, ada, browser, url) = about_to_sign_in("Ada", "s").await;
    let (request, csrf) = consent_form(server.sign_in(&browser, &url, &ada).await).await;
    let attempts: [(&reqwest::Client, Vec<(&str, &str)>); 3] = [
        (&browser, vec![("request", &request), ("decision", "allow")]),
        (
            &browser,
            consent_fields(&request, "forged", "allow").to_vec(),
        ),
        (
            // Everything the page had, from a browser without its cookie.
            &crate::common::sign_in_server::browser(),
            consent_fields(&request, &csrf, "allow").to_vec(),
        ),
    ];
    for (from, fields) in &attempts {
        let refused = post_consent(from, &server.url, fields).await;
        assert_eq!(refused.status(), 403, "{fields:?}");
        assert!(refused.headers().get("location").is_none());
    }
    // Another signed-in person's browser, with its own valid CSRF token, posting Ada's form.
    let bob = server.fake.add_user("Bob");
    let mallory = crate::common::sign_in_server::browser();
    let (_, own_csrf) = consent_form(server.sign_in(&mallory, &url, &bob).await).await;
    let fields = consent_fields(&request, &own_csrf, "allow");
    assert_eq!(
        post_consent(&mallory, &server.url, &fields).await.status(),
        403
    );
    let fields = consent_fields(&request, &csrf, "allow");
    assert_eq!(
        post_consent(&browser, &server.url, &fields).await.status(),
        303
    );
}

#[tokio::test]
async fn a_stolen_callback_or_a_tampered_sign_in_is_refused() {
    let server = SignInServer::start().await;
    let ada = server.fake.add_user("Ada");
    let url = server.authorize_url(&server.client_id, "s", &[]);
    // No cookie store: the test carries the sign-in cookie by hand.
    let bare = crate::common::sign_in_server::browser();
    let to_spotify = bare.get(&url).send().await.unwrap();
    let cookie = to_spotify.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    server.fake.approve_next_as(&ada);
    let from_spotify = bare.get(location(&to_spotify)).send().await.unwrap();
    let callback = location(&from_spotify);

    let stolen = reqwest::Client::new().get(&callback).send().await.unwrap();
    assert_eq!(
        stolen.status(),
        400,
        "another browser cannot finish the sign-in"
    );
    let (name, value) = cookie.split_once('=').unwrap();
    let mut tampered = value.to_string().into_bytes();
    let at = tampered.len() - 5;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = format!("{name}={}", String::from_utf8(tampered).unwrap());
    let answer = reqwest::Client::new()
        .get(&callback)
        .header("cookie", tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    assert!(answer.text().await.unwrap().contains("altered"));
    assert!(server.store.list_users().await.unwrap().is_empty());

    let intact = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(&callback)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(intact.status(), 200, "the sign-in's own cookie finishes it");
}

#[tokio::test]
async fn a_tampered_consent_request_is_refused() {
    let (server, ada, browser, url) = about_to_sign_in("Ada", "s").await;
    let (request, csrf) = consent_form(server.sign_in(&browser, &url, &ada).await).await;
    let tampered = request.replacen(
        &request[10..11],
        if &request[10..11] == "A" { "B" } else { "A" },
        1,
    );
    let fields = consent_fields(&tampered, &csrf, "allow");
    let refused = post_consent(&browser, &server.url, &fields).await;
    assert_eq!(refused.status(), 400);
    assert!(refused.headers().get("location").is_none());
}

#[tokio::test]
async fn the_pages_carry_the_anti_framing_and_no_store_headers() {
    let (server, ada, browser, url) = about_to_sign_in("Ada", "s").await;
    let consent = server.sign_in(&browser, &url, &ada).await;
    let account = browser
        .get(format!("{}/account", server.url))
        .send()
        .await
        .unwrap();
    let error = browser
        .get(server.authorize_url("nobody", "s", &[]))
        .send()
        .await
        .unwrap();
    for page in [&consent, &account, &error] {
        let headers = page.headers();
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(policy.contains("default-src 'none'"), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
    }
    let policy = consent.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(
        policy.contains("form-action 'self' http://127.0.0.1:9"),
        "the redirect after Allow is allowed: {policy}"
    );
}

#[tokio::test]
async fn a_client_name_with_markup_is_shown_as_text() {
    let server = SignInServer::start().await;
    let ada = server.fake.add_user("Ada");
    let client = server
        .register("<script>alert(1)</script><img src=x>", REDIRECT_URI)
        .await;
    let url = server.authorize_url(&client, "s", &[]);
    let page = server.sign_in(&browser(), &url, &ada).await;
    let html = page.text().await.unwrap();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x&gt;"));
}

#[tokio::test]
async fn two_spotify_users_become_two_users_with_their_own_codes() {
    let server = SignInServer::start().await;
    let ada = server.fake.add_user("Ada");
    let bob = server.fake.add_user("Bob");
    let ada_code = allow(&server, &browser(), &ada, "a").await;
    let bob_code = allow(&server, &browser(), &bob, "b").await;
    let mut owners = Vec::new();
    for pairs in [ada_code, bob_code] {
        let code = param(&pairs, "code").unwrap();
        let redeemed = server
            .store
            .redeem_code(code, &server.client_id, REDIRECT_URI, VERIFIER)
            .await
            .unwrap();
        owners.push(redeemed.user_id);
    }
    assert_ne!(owners[0], owners[1]);
    let users = server.store.list_users().await.unwrap();
    let mut names: Vec<_> = users
        .iter()
        .filter_map(|u| u.user.display_name.clone())
        .collect();
    names.sort();
    assert_eq!(names, ["Ada", "Bob"]);
}

#[tokio::test]
async fn the_spotify_grant_is_not_readable_in_the_database_file() {
    let server = SignInServer::start().await;
    let ada = server.fake.add_user("Ada");
    let pairs = allow(&server, &browser(), &ada, "s").await;
    let code = param(&pairs, "code").unwrap();
    let redeemed = server
        .store
        .redeem_code(code, &server.client_id, REDIRECT_URI, VERIFIER)
        .await
        .unwrap();
    let grant = server
        .store
        .load_grant(&redeemed.user_id)
        .await
        .unwrap()
        .unwrap();
    let secrets = [
        grant.access_token.expose().to_string(),
        grant.refresh_token.unwrap().expose().to_string(),
        code.to_string(),
    ];
    let dir = server.db_path.parent().unwrap();
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        files += 1;
        for secret in &secrets {
            assert!(
                !bytes
                    .windows(secret.len())
                    .any(|window| window == secret.as_bytes()),
                "a secret is readable in the database files"
            );
        }
    }
    assert!(files >= 1);
}

#[tokio::test]
async fn declining_at_spotify_or_on_the_consent_page_tells_the_client_access_denied() {
    let (server, ada, browser, url) = about_to_sign_in("Ada", "s").await;
    let to_spotify = browser.get(&url).send().await.unwrap();
    server.fake.decline_next();
    let from_spotify = browser.get(location(&to_spotify)).send().await.unwrap();
    let back = browser.get(location(&from_spotify)).send().await.unwrap();
    assert_eq!(back.status(), 303);
    let pairs = query(&location(&back));
    assert_eq!(param(&pairs, "error"), Some("access_denied"));
    assert_eq!(param(&pairs, "state"), Some("s"));

    let (request, csrf) = consent_form(server.sign_in(&browser, &url, &ada).await).await;
    let fields = consent_fields(&request, &csrf, "deny");
    let denied = post_consent(&browser, &server.url, &fields).await;
    let pairs = query(&location(&denied));
    assert_eq!(param(&pairs, "error"), Some("access_denied"));
    assert!(param(&pairs, "code").is_none());
}

#[tokio::test]
async fn the_account_page_shows_the_link_and_disconnects_with_its_csrf_token() {
    let server = SignInServer::start().await;
    let ada = server.fake.add_user("Ada");
    let browser = browser();
    allow(&server, &browser, &ada, "s").await;
    let account_url = format!("{}/account", server.url);
    let html = page_text(&browser, &account_url).await;
    assert!(
        html.contains("Ada") && html.contains("Test Client"),
        "{html}"
    );
    let csrf = hidden_field(&html, "csrf");

    let disconnect = format!("{}/account/disconnect", server.url);
    for fields in [vec![], vec![("csrf", "forged")]] {
        let refused = browser
            .post(&disconnect)
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 403);
    }
    let stranger = crate::common::sign_in_server::browser();
    let refused = stranger
        .post(&disconnect)
        .form(&[("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403, "no session in another browser");

    let done = browser
        .post(&disconnect)
        .form(&[("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("disconnected"));
    let user = &server.store.list_users().await.unwrap()[0].user;
    assert!(server.store.load_grant(&user.id).await.unwrap().is_none());
    let signed_out = page_text(&browser, &account_url).await;
    assert!(signed_out.contains("Sign in with Spotify"), "{signed_out}");
}

#[tokio::test]
async fn signing_in_from_the_account_page_lands_back_on_it() {
    let server = SignInServer::start().await;
    let ada = server.fake.add_user("Ada");
    let browser = browser();
    let start = browser
        .get(format!("{}/account/sign-in", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 303);
    server.fake.approve_next_as(&ada);
    let from_spotify = browser.get(location(&start)).send().await.unwrap();
    let back = browser.get(location(&from_spotify)).send().await.unwrap();
    assert_eq!(location(&back), format!("{}/account", server.url));
    let html = page_text(&browser, &location(&back)).await;
    assert!(html.contains("Ada"), "{html}");
    assert!(html.contains("See your private playlists"), "{html}");
}
