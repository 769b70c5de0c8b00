//! The authorization server's protocol endpoints over real HTTP: discovery metadata, Dynamic
//! Client Registration, client id metadata documents (fetched from a tiny local server), the
//! token endpoint (code with PKCE, refresh rotation) and revocation.

use crate::common::auth_server::{
    AuthServerFixture, AuthServerOptions, CHALLENGE, VERIFIER, code_exchange, start_auth_server,
};
use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use spotify_mcp::authorization::clients::{ClientError, find_client};
use spotify_mcp::store::{Refused, StoreError};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const REDIRECT: &str = "http://127.0.0.1:4567/callback";

async fn server() -> AuthServerFixture {
    start_auth_server(AuthServerOptions::default()).await
}

// ---------------------------------------------------------------- metadata

#[tokio::test]
async fn both_metadata_documents_describe_this_server() {
    let fx = server().await;
    let http = reqwest::Client::new();
    for path in [
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
    ] {
        let response = http.get(fx.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let prm: Value = response.json().await.unwrap();
        assert_eq!(prm["resource"], fx.resource(), "{path}");
        assert_eq!(prm["authorization_servers"], json!([fx.base_url]));
        assert_eq!(prm["bearer_methods_supported"], json!(["header"]));
        assert_eq!(
            prm["scopes_supported"],
            json!([
                "playlist-read-private",
                "user-library-read",
                "user-read-private"
            ])
        );
        assert!(prm["resource_name"].is_string());
    }
    for path in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
    ] {
        let response = http.get(fx.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let content_type = response.headers()[header::CONTENT_TYPE].to_str().unwrap();
        assert!(
            content_type.starts_with("application/json"),
            "{content_type}"
        );
        let asm: Value = response.json().await.unwrap();
        assert_eq!(asm["issuer"], fx.base_url, "issuer must equal the base URL");
        assert_eq!(asm["authorization_endpoint"], fx.url("/authorize"));
        assert_eq!(asm["token_endpoint"], fx.url("/token"));
        assert_eq!(asm["registration_endpoint"], fx.url("/register"));
        assert_eq!(asm["revocation_endpoint"], fx.url("/revoke"));
        assert_eq!(asm["response_types_supported"], json!(["code"]));
        assert_eq!(
            asm["grant_types_supported"],
            json!(["authorization_code", "refresh_token"])
        );
        assert_eq!(asm["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(
            asm["token_endpoint_auth_methods_supported"],
            json!(["none"])
        );
        assert_eq!(asm["client_id_metadata_document_supported"], true);
        assert_eq!(asm["authorization_response_iss_parameter_supported"], true);
        assert_eq!(asm["scopes_supported"].as_array().unwrap().len(), 3);
    }
}

#[tokio::test]
async fn browser_clients_get_cors_on_the_protocol_endpoints_only() {
    let fx = server().await;
    let http = reqwest::Client::new();
    let origin = "http://localhost:6274";
    let response = http
        .get(fx.url("/.well-known/oauth-authorization-server"))
        .header(header::ORIGIN, origin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    for path in [
        "/register",
        "/token",
        "/revoke",
        "/.well-known/oauth-protected-resource/mcp",
    ] {
        let preflight = http
            .request(reqwest::Method::OPTIONS, fx.url(path))
            .header(header::ORIGIN, origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
            .await
            .unwrap();
        assert!(
            preflight.status().is_success(),
            "{path}: {}",
            preflight.status()
        );
        assert_eq!(
            preflight.headers()["access-control-allow-origin"],
            "*",
            "{path}"
        );
    }
    for path in ["/authorize", "/consent", "/account"] {
        let response = http
            .get(fx.url(path))
            .header(header::ORIGIN, origin)
            .send()
            .await
            .unwrap();
        assert!(
            !response
                .headers()
                .contains_key("access-control-allow-origin"),
            "{path} answers CORS"
        );
    }
}

// ---------------------------------------------------------------- registration

async fn register(fx: &AuthServerFixture, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(fx.url("/register"))
        .json(&body)
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or_default(),
    )
}

#[tokio::test]
async fn registration_accepts_public_clients_with_safe_redirect_uris() {
    let fx = server().await;
    let (status, body) = register(
        &fx,
        json!({
            "client_name": "MCP Inspector",
            "redirect_uris": ["http://localhost:6274/oauth/callback", "https://app.example/cb"],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
            "scope": "user-read-private made-up-scope",
        }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let client_id = body["client_id"].as_str().unwrap();
    assert!(body["client_id_issued_at"].as_i64().unwrap() > 0);
    assert_eq!(body["token_endpoint_auth_method"], "none");
    assert_eq!(body["scope"], "user-read-private");
    assert!(body.get("client_secret").is_none());
    let stored = fx.store.load_client(client_id).await.unwrap().unwrap();
    assert_eq!(stored.registration, "dcr");
    assert_eq!(
        stored.redirect_uris,
        vec![
            "http://localhost:6274/oauth/callback",
            "https://app.example/cb"
        ]
    );
    assert_eq!(stored.metadata["client_name"], "MCP Inspector");
}

#[tokio::test]
async fn registration_refuses_unsafe_or_unsupported_metadata() {
    let fx = server().await;
    let cases = [
        (
            json!({ "redirect_uris": ["http://attacker.example/cb"] }),
            "invalid_redirect_uri",
        ),
        (
            json!({ "redirect_uris": ["javascript:alert(1)"] }),
            "invalid_redirect_uri",
        ),
        (
            json!({ "redirect_uris": ["https://a.example/cb#x"] }),
            "invalid_redirect_uri",
        ),
        (
            json!({ "client_name": "no redirect" }),
            "invalid_redirect_uri",
        ),
        (
            json!({ "redirect_uris": [REDIRECT], "token_endpoint_auth_method": "client_secret_basic" }),
            "invalid_client_metadata",
        ),
        (
            json!({ "redirect_uris": [REDIRECT], "grant_types": ["client_credentials"] }),
            "invalid_client_metadata",
        ),
        (json!(["not", "an", "object"]), "invalid_client_metadata"),
    ];
    for (metadata, expected) in cases {
        let (status, body) = register(&fx, metadata.clone()).await;
        assert_eq!(status, 400, "{metadata}");
        assert_eq!(body["error"], expected, "{metadata}: {body}");
        assert!(body["error_description"].as_str().unwrap().len() > 10);
    }
    let huge = json!({ "redirect_uris": [REDIRECT], "client_name": "x".repeat(20_000) });
    let (status, _) = register(&fx, huge).await;
    assert_eq!(status, 413, "a body over 16 KiB is not read");
}

// ---------------------------------------------------------------- metadata documents

/// A tiny server of client metadata documents on 127.0.0.1, counting the requests it gets.
struct DocumentServer {
    base: String,
    hits: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for DocumentServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl DocumentServer {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let base = format!("http://127.0.0.1:{port}");
        let hits = Arc::new(AtomicUsize::new(0));
        let document = |path: &str| {
            json!({
                "client_id": format!("{base}{path}"),
                "client_name": "Document client",
                "redirect_uris": [REDIRECT],
                "grant_types": ["authorization_code", "refresh_token"],
                "token_endpoint_auth_method": "none",
            })
        };
        let good = document("/good.json").to_string();
        let mismatch = document("/elsewhere.json").to_string();
        let mut big = document("/big.json");
        big["padding"] = "x".repeat(6 * 1024).into();
        let big = big.to_string();
        let streamed = big.replace("/big.json", "/streamed.json");
        let counted = hits.clone();
        let app = axum::Router::new()
            .route("/good.json", get(move || json_answer(good.clone())))
            .route("/mismatch.json", get(move || json_answer(mismatch.clone())))
            .route("/big.json", get(move || json_answer(big.clone())))
            .route(
                "/streamed.json",
                get(move || streamed_answer(streamed.clone())),
            )
            .route(
                "/redirect.json",
                get(|| async {
                    (StatusCode::FOUND, [(header::LOCATION, "/good.json")]).into_response()
                }),
            )
            .route(
                "/html.json",
                get(|| async { ([(header::CONTENT_TYPE, "text/html")], "<p>hi</p>") }),
            )
            .route(
                "/slow.json",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    "too late"
                }),
            )
            .layer(axum::middleware::from_fn(
                move |req, next: axum::middleware::Next| {
                    counted.fetch_add(1, Ordering::SeqCst);
                    async move { next.run(req).await }
                },
            ));
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { base, hits, task }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn json_answer(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The body in 1 KiB chunks with no declared length: only reading it shows its size.
async fn streamed_answer(body: String) -> Response {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = body
        .into_bytes()
        .chunks(1024)
        .map(|c| Ok(c.to_vec()))
        .collect();
    let stream = futures::stream::iter(chunks);
    (
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(stream),
    )
        .into_response()
}

fn document_refusal(result: Result<spotify_mcp::store::OAuthClient, ClientError>) -> String {
    match result {
        Err(ClientError::MetadataDocument(reason)) => reason,
        other => panic!("expected a metadata document refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_metadata_document_is_fetched_once_and_used_as_the_client() {
    let docs = DocumentServer::start().await;
    let fx = start_auth_server(AuthServerOptions {
        allow_private_client_metadata: true,
        ..AuthServerOptions::default()
    })
    .await;
    let url = docs.url("/good.json");
    let client = find_client(&fx.server, &url).await.unwrap();
    assert_eq!(client.client_id, url);
    assert_eq!(client.registration, "cimd");
    assert_eq!(client.redirect_uris, vec![REDIRECT]);
    assert_eq!(client.metadata["client_name"], "Document client");
    let again = find_client(&fx.server, &url).await.unwrap();
    assert_eq!(again.client_id, url);
    assert_eq!(
        docs.hits(),
        1,
        "a fresh stored document is not fetched again"
    );
}

#[tokio::test]
async fn a_metadata_document_at_a_private_address_is_refused_without_the_test_flag() {
    let docs = DocumentServer::start().await;
    let fx = server().await;
    let port = docs.base.rsplit(':').next().unwrap();
    for url in [
        format!("https://127.0.0.1:{port}/good.json"),
        format!("https://localhost:{port}/good.json"),
        format!("https://[::1]:{port}/good.json"),
    ] {
        let reason = document_refusal(find_client(&fx.server, &url).await);
        assert!(reason.contains("not a public address"), "{url}: {reason}");
    }
    let reason = document_refusal(find_client(&fx.server, &docs.url("/good.json")).await);
    assert!(reason.contains("https"), "{reason}");
    assert_eq!(docs.hits(), 0, "nothing may be sent to a private address");
}

#[tokio::test]
async fn a_metadata_document_that_is_wrong_big_redirected_or_slow_is_refused() {
    let docs = DocumentServer::start().await;
    let fx = start_auth_server(AuthServerOptions {
        allow_private_client_metadata: true,
        ..AuthServerOptions::default()
    })
    .await;
    let cases = [
        ("/mismatch.json", "client_id must equal"),
        ("/big.json", "larger than 5120 bytes"),
        ("/streamed.json", "larger than 5120 bytes"),
        ("/redirect.json", "redirects are not followed"),
        ("/html.json", "application/json"),
    ];
    for (path, expected) in cases {
        let reason = document_refusal(find_client(&fx.server, &docs.url(path)).await);
        assert!(reason.contains(expected), "{path}: {reason}");
        assert!(
            fx.store
                .load_client(&docs.url(path))
                .await
                .unwrap()
                .is_none()
        );
    }
    let started = Instant::now();
    let reason = document_refusal(find_client(&fx.server, &docs.url("/slow.json")).await);
    assert!(reason.contains("longer than 5s"), "{reason}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------- token

/// A user, a client and a code for them; returns (client id, user id, code).
async fn code(fx: &AuthServerFixture) -> (String, String, String) {
    let user = fx.user("alice").await;
    let client = fx.dcr_client(&[REDIRECT]).await;
    let code = fx
        .issue_code(
            &client,
            &user.id,
            REDIRECT,
            "user-read-private user-library-read",
        )
        .await;
    (client, user.id, code.expose().to_string())
}

fn code_form<'a>(client: &'a str, code: &'a str) -> Vec<(&'a str, &'a str)> {
    code_exchange(code, REDIRECT, client, VERIFIER).to_vec()
}

fn without<'a>(form: &[(&'a str, &'a str)], name: &str) -> Vec<(&'a str, &'a str)> {
    form.iter().filter(|(n, _)| *n != name).copied().collect()
}

fn replaced<'a>(
    form: &[(&'a str, &'a str)],
    name: &'a str,
    value: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut form = without(form, name);
    form.push((name, value));
    form
}

/// The error of a refused request; its description names no secret of the test.
fn refused(status: u16, body: &Value, expected_status: u16, expected: &str, secrets: &[&str]) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["error"], expected, "{body}");
    let text = body.to_string();
    for secret in secrets {
        assert!(!text.contains(secret), "an error echoes a secret: {text}");
    }
}

#[tokio::test]
async fn a_code_with_its_verifier_gets_tokens_bound_to_the_resource() {
    let fx = server().await;
    let (client, user_id, code) = code(&fx).await;
    let mut form = code_form(&client, &code);
    let resource = fx.resource();
    form.push(("resource", &resource));
    let response = reqwest::Client::new()
        .post(fx.url("/token"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&form)
                .finish(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(response.headers()[header::PRAGMA], "no-cache");
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "user-library-read user-read-private");
    let expires_in = body["expires_in"].as_i64().unwrap();
    assert!((3590..=3600).contains(&expires_in), "{expires_in}");
    let access = body["access_token"].as_str().unwrap();
    let grant = fx.store.resolve_access_token(access).await.unwrap();
    assert_eq!(grant.user_id, user_id);
    assert_eq!(grant.client_id, client);
    assert_eq!(grant.resource, resource);
    assert!(body["refresh_token"].as_str().unwrap().len() >= 43);
}

#[tokio::test]
async fn the_token_endpoint_refuses_what_pkce_and_binding_forbid() {
    let fx = server().await;
    let (client, user_id, good_code) = code(&fx).await;
    let wrong_verifier = "x".repeat(43);
    let secrets = [good_code.as_str(), VERIFIER, CHALLENGE];
    let form = code_form(&client, &good_code);

    let (status, body) = fx
        .post_form("/token", &without(&form, "code_verifier"))
        .await;
    refused(status, &body, 400, "invalid_request", &secrets);

    let (status, body) = fx
        .post_form(
            "/token",
            &replaced(&form, "resource", "https://elsewhere.example/mcp"),
        )
        .await;
    refused(status, &body, 400, "invalid_target", &secrets);

    let (status, body) = fx
        .post_form("/token", &replaced(&form, "client_id", "no-such-client"))
        .await;
    refused(status, &body, 401, "invalid_client", &secrets);

    let (status, body) = fx
        .post_form("/token", &replaced(&form, "grant_type", "password"))
        .await;
    refused(status, &body, 400, "unsupported_grant_type", &secrets);

    let mut twice = form.clone();
    twice.push(("code", "another"));
    let (status, body) = fx.post_form("/token", &twice).await;
    refused(status, &body, 400, "invalid_request", &secrets);

    // Each check that reaches the store uses its code up: one fresh code per case.
    for (name, value) in [
        ("code_verifier", wrong_verifier.as_str()),
        ("redirect_uri", "http://127.0.0.1:4567/other"),
    ] {
        let fresh = fx
            .issue_code(&client, &user_id, REDIRECT, "user-read-private")
            .await;
        let fresh_form = code_form(&client, fresh.expose());
        let (status, body) = fx
            .post_form("/token", &replaced(&fresh_form, name, value))
            .await;
        refused(
            status,
            &body,
            400,
            "invalid_grant",
            &[fresh.expose(), VERIFIER],
        );
    }

    let elsewhere = fx
        .issue_code_for(
            &client,
            &user_id,
            REDIRECT,
            "user-read-private",
            "https://elsewhere.example/mcp",
        )
        .await;
    let (status, body) = fx
        .post_form("/token", &code_form(&client, elsewhere.expose()))
        .await;
    refused(status, &body, 400, "invalid_target", &[elsewhere.expose()]);

    // The untouched code still works once, and only once.
    let (status, first) = fx.post_form("/token", &form).await;
    assert_eq!(status, 200, "{first}");
    let access = first["access_token"].as_str().unwrap();
    assert!(fx.store.resolve_access_token(access).await.is_ok());
    let (status, body) = fx.post_form("/token", &form).await;
    refused(status, &body, 400, "invalid_grant", &secrets);
    assert!(
        fx.store.resolve_access_token(access).await.is_err(),
        "a reused code must revoke what it was first redeemed for"
    );
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_replayed_one_revokes_the_family() {
    let fx = server().await;
    let (client, _user, code) = code(&fx).await;
    let (_, first) = fx.post_form("/token", &code_form(&client, &code)).await;
    let first_refresh = first["refresh_token"].as_str().unwrap().to_string();
    let refresh = |token: &str| {
        let token = token.to_string();
        let client = client.clone();
        let fx = &fx;
        async move {
            fx.post_form(
                "/token",
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &token),
                    ("client_id", &client),
                ],
            )
            .await
        }
    };
    let (status, second) = refresh(&first_refresh).await;
    assert_eq!(status, 200, "{second}");
    let second_access = second["access_token"].as_str().unwrap();
    let second_refresh = second["refresh_token"].as_str().unwrap();
    assert_ne!(second_refresh, first_refresh);
    assert!(fx.store.resolve_access_token(second_access).await.is_ok());

    let (status, body) = refresh(&first_refresh).await;
    refused(
        status,
        &body,
        400,
        "invalid_grant",
        &[&first_refresh, second_refresh],
    );
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("already used")
    );
    assert!(matches!(
        fx.store.resolve_access_token(second_access).await,
        Err(StoreError::Refused(Refused::TokenRevoked))
    ));
    let (status, body) = refresh(second_refresh).await;
    refused(status, &body, 400, "invalid_grant", &[second_refresh]);
}

#[tokio::test]
async fn a_refresh_may_narrow_the_scope_but_not_widen_it() {
    let fx = server().await;
    let (client, _user, code) = code(&fx).await;
    let (_, first) = fx.post_form("/token", &code_form(&client, &code)).await;
    let refresh = first["refresh_token"].as_str().unwrap();
    let (status, body) = fx
        .post_form(
            "/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh),
                ("client_id", &client),
                ("scope", "user-read-private playlist-read-private"),
            ],
        )
        .await;
    refused(status, &body, 400, "invalid_scope", &[refresh]);
    let (status, body) = fx
        .post_form(
            "/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh),
                ("client_id", &client),
                ("scope", "user-read-private"),
            ],
        )
        .await;
    assert_eq!(
        status, 200,
        "a refused scope must leave the refresh token usable: {body}"
    );
    assert_eq!(body["scope"], "user-read-private");
    let grant = fx
        .store
        .resolve_access_token(body["access_token"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(grant.scopes.to_string(), "user-read-private");
    let (status, wide) = fx
        .post_form(
            "/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", body["refresh_token"].as_str().unwrap()),
                ("client_id", &client),
            ],
        )
        .await;
    assert_eq!(status, 200, "{wide}");
    assert_eq!(
        wide["scope"], "user-library-read user-read-private",
        "the refresh token keeps its scope"
    );
}

// ---------------------------------------------------------------- revoke

#[tokio::test]
async fn revocation_ends_access_and_refresh_tokens_and_ignores_garbage() {
    let fx = server().await;
    let (client, user_id, code) = code(&fx).await;
    let (_, tokens) = fx.post_form("/token", &code_form(&client, &code)).await;
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();

    let (status, _) = fx
        .post_form(
            "/revoke",
            &[
                ("token", access),
                ("token_type_hint", "access_token"),
                ("client_id", &client),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(fx.store.resolve_access_token(access).await.is_err());

    let second = fx
        .issue_code(&client, &user_id, REDIRECT, "user-read-private")
        .await;
    let (_, tokens) = fx
        .post_form("/token", &code_form(&client, second.expose()))
        .await;
    let access2 = tokens["access_token"].as_str().unwrap();
    let refresh2 = tokens["refresh_token"].as_str().unwrap();
    let (status, _) = fx
        .post_form("/revoke", &[("token", refresh2), ("client_id", &client)])
        .await;
    assert_eq!(status, 200);
    assert!(
        fx.store.resolve_access_token(access2).await.is_err(),
        "revoking a refresh token ends its family"
    );
    let (status, body) = fx
        .post_form(
            "/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh2),
                ("client_id", &client),
            ],
        )
        .await;
    refused(status, &body, 400, "invalid_grant", &[refresh2]);

    let (status, _) = fx
        .post_form(
            "/revoke",
            &[
                ("token", "garbage-that-was-never-issued"),
                ("client_id", &client),
            ],
        )
        .await;
    assert_eq!(status, 200, "RFC 7009: unknown tokens are answered 200");
    let (status, body) = fx.post_form("/revoke", &[("client_id", &client)]).await;
    refused(status, &body, 400, "invalid_request", &[refresh]);

    // Another client cannot revoke this one's tokens.
    let other = fx.dcr_client(&[REDIRECT]).await;
    let (status, _) = fx
        .post_form("/revoke", &[("token", refresh), ("client_id", &other)])
        .await;
    assert_eq!(status, 200);
    assert!(
        fx.store
            .rotate_refresh(refresh, &client, fx.server.settings.lifetimes)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn no_debug_string_shows_a_token() {
    let fx = server().await;
    let (access, refresh) = fx.tokens_for("bob", "user-read-private").await;
    let issued = fx
        .store
        .rotate_refresh(
            refresh.expose(),
            &fx.store
                .resolve_access_token(access.expose())
                .await
                .unwrap()
                .client_id,
            fx.server.settings.lifetimes,
        )
        .await
        .unwrap();
    let shown = format!("{:?} {:?} {:?} {:?}", fx.server, issued, access, refresh);
    for secret in [
        access.expose(),
        refresh.expose(),
        issued.access_token.expose(),
        issued.refresh_token.expose(),
    ] {
        assert!(!shown.contains(secret), "{shown}");
    }
}
