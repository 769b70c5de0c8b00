//! The consent page: which client asks (its self-declared name beside its client id and where
//! it sends the person back, so an impostor stands out), what it will be able to do, and as
//! which Spotify account. `POST /consent` records the answer (remembered per client) and
//! completes the client's authorization with a code. The form is bound to the browser: its
//! sealed request names the hash of the browser's nonce cookie, and its CSRF token is derived
//! from that nonce.

use super::form::Params;
use super::pending::{self, AwaitingConsent, ClientRequest, STEP_LIFETIME};
use super::state::{AuthorizationServer, paths};
use super::{cookies, pages, scope_words};
use crate::foundation::metrics::oauth_step;
use crate::store::{NewCode, OAuthClient, Scopes, User};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use std::sync::Arc;
use std::time::Duration;

/// How long an authorization code may wait to be redeemed.
pub const CODE_LIFETIME: Duration = Duration::from_secs(60);

pub fn routes() -> Router<Arc<AuthorizationServer>> {
    Router::new().route(paths::CONSENT, post(answer))
}

/// After the person signed in for `request`: the code at once when they allowed this client
/// these scopes before, else the consent page.
pub async fn after_sign_in(
    server: &AuthorizationServer,
    request: ClientRequest,
    user: &User,
    browser: &str,
) -> Response {
    let scopes = Scopes::parse(&request.scopes);
    match server
        .store
        .has_consent(&user.id, &request.client_id, &scopes)
        .await
    {
        Ok(true) => {
            oauth_step("consent", "remembered");
            issue_code(server, &request, &user.id).await
        }
        Ok(false) => show(server, request, user, browser).await,
        Err(e) => server_failed("consent", &e),
    }
}

async fn show(
    server: &AuthorizationServer,
    request: ClientRequest,
    user: &User,
    browser: &str,
) -> Response {
    let client = match super::clients::find_client(server, &request.client_id).await {
        Ok(client) => client,
        Err(e) => {
            oauth_step("consent", "unknown_client");
            return pages::error_page(
                StatusCode::BAD_REQUEST,
                "Unknown application",
                &e.to_string(),
            );
        }
    };
    let awaiting = AwaitingConsent {
        request,
        user_id: user.id.clone(),
        browser: pending::browser_hash(browser),
        expires_at: pending::now() + STEP_LIFETIME.as_secs(),
    };
    oauth_step("consent", "shown");
    render(
        &server.settings.url(paths::CONSENT),
        &client,
        &awaiting.request,
        user.display_name.as_deref().unwrap_or(&user.account_key),
        &pending::seal(&server.keys, &awaiting),
        &pending::csrf_token(browser),
    )
}

/// The page. Everything the client or Spotify chose is escaped.
fn render(
    action: &str,
    client: &OAuthClient,
    request: &ClientRequest,
    account: &str,
    sealed: &str,
    csrf: &str,
) -> Response {
    let e = pages::escape;
    let name = client
        .metadata
        .get("client_name")
        .and_then(|n| n.as_str())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or("An unnamed application");
    let abilities: String = Scopes::parse(&request.scopes)
        .iter()
        .map(|scope| format!("<li>{}</li>", e(scope_words::describe(scope))))
        .collect();
    let body = format!(
        "<p><strong id=\"client-name\">{name}</strong> asks to use your Spotify account through \
         this server.</p>\
         <div class=\"who\"><p class=\"note\">The name is the application's own claim. Check \
         where it came from:</p>\
         <p>Client ID: <code id=\"client-id\">{client_id}</code></p>\
         <p>Sends you back to: <code id=\"redirect\">{redirect}</code></p></div>\
         <p>Signed in to Spotify as <strong id=\"account\">{account}</strong>.</p>\
         <p>It will be able to:</p><ul>{abilities}</ul>\
         <form method=\"post\" action=\"{action}\">\
         <input type=\"hidden\" name=\"request\" value=\"{sealed}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button class=\"allow\" id=\"allow\" name=\"decision\" value=\"allow\">Allow</button>\
         <button id=\"deny\" name=\"decision\" value=\"deny\">Deny</button></form>\
         <p class=\"note\">You can disconnect at any time on your account page.</p>",
        name = e(name),
        client_id = e(&client.client_id),
        redirect = e(&redirect_shown(&request.redirect_uri)),
        account = e(account),
        action = e(action),
        sealed = e(sealed),
        csrf = e(csrf),
    );
    let targets: Vec<String> = pages::form_target(&request.redirect_uri)
        .into_iter()
        .collect();
    pages::page(StatusCode::OK, "Allow access to Spotify?", &body, &targets)
}

/// Where the client sends the person back, as a person checks it: the host and port of a web
/// address, the whole URI of an app's own scheme.
fn redirect_shown(redirect_uri: &str) -> String {
    match url::Url::parse(redirect_uri) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => {
            let host = url.host_str().unwrap_or_default();
            match url.port() {
                Some(port) => format!("{}://{host}:{port}", url.scheme()),
                None => format!("{}://{host}", url.scheme()),
            }
        }
        _ => redirect_uri.to_string(),
    }
}

/// `POST /consent`: Allow or Deny, from the page this browser was shown.
async fn answer(
    State(server): State<Arc<AuthorizationServer>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Params::parse(&body);
    let browser = cookies::read(&headers, cookies::BROWSER);
    if !pending::csrf_matches(browser, form.single("csrf")) {
        return forbidden();
    }
    let awaiting = match pending::open::<AwaitingConsent>(
        &server.keys,
        form.single("request"),
        pending::now(),
    ) {
        Ok(awaiting) => awaiting,
        Err(problem) => {
            oauth_step("consent", "no_request");
            let message = problem.to_string();
            return pages::error_page(StatusCode::BAD_REQUEST, "Consent expired", &message);
        }
    };
    if !pending::same_browser(browser, &awaiting.browser) {
        return forbidden();
    }
    let request = &awaiting.request;
    match form.single("decision") {
        Some("allow") => {
            let scopes = Scopes::parse(&request.scopes);
            if let Err(e) = server
                .store
                .record_consent(&awaiting.user_id, &request.client_id, &scopes)
                .await
            {
                return server_failed("consent", &e);
            }
            oauth_step("consent", "allowed");
            issue_code(&server, request, &awaiting.user_id).await
        }
        Some("deny") => {
            oauth_step("consent", "denied");
            pages::client_redirect(
                &request.redirect_uri,
                &[
                    ("error", "access_denied"),
                    ("error_description", "the person denied the request"),
                ],
                request.state.as_deref(),
                &server.settings.issuer,
            )
        }
        _ => pages::error_page(
            StatusCode::BAD_REQUEST,
            "No answer",
            "Choose Allow or Deny on the consent page.",
        ),
    }
}

fn forbidden() -> Response {
    oauth_step("consent", "csrf_refused");
    pages::error_page(
        StatusCode::FORBIDDEN,
        "Request refused",
        "This answer did not come from the consent page shown in this browser. Start again \
         from the application.",
    )
}

/// A code for the client, sent to its redirect URI with `state` and `iss`.
pub async fn issue_code(
    server: &AuthorizationServer,
    request: &ClientRequest,
    user_id: &str,
) -> Response {
    let code = NewCode {
        client_id: request.client_id.clone(),
        user_id: user_id.to_string(),
        code_challenge: request.code_challenge.clone(),
        redirect_uri: request.redirect_uri.clone(),
        resource: request.resource.clone(),
        scopes: Scopes::parse(&request.scopes),
    };
    match server.store.issue_code(&code, CODE_LIFETIME).await {
        Ok(issued) => {
            oauth_step("code", "issued");
            pages::client_redirect(
                &request.redirect_uri,
                &[("code", issued.code.expose())],
                request.state.as_deref(),
                &server.settings.issuer,
            )
        }
        Err(e) => server_failed("code", &e),
    }
}

fn server_failed(step: &'static str, error: &crate::store::StoreError) -> Response {
    oauth_step(step, "store_failed");
    tracing::warn!(%error, "the store failed during sign-in");
    pages::error_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Try again",
        "The server could not reach its database. Try again in a minute.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_escapes_what_the_client_chose() {
        let client = OAuthClient {
            client_id: "id\"><script>".into(),
            registration: "dcr".into(),
            metadata: serde_json::json!({ "client_name": "<script>alert(1)</script>" }),
            redirect_uris: vec![],
            created_at: 0,
        };
        let request = ClientRequest {
            client_id: client.client_id.clone(),
            redirect_uri: "http://127.0.0.1:5/cb".into(),
            state: None,
            code_challenge: String::new(),
            scopes: "user-read-email".into(),
            resource: String::new(),
        };
        let response = render("/consent", &client, &request, "<b>Ada</b>", "v1:a+b=", "t");
        let body = futures::executor::block_on(axum::body::to_bytes(response.into_body(), 1 << 20))
            .unwrap();
        let html = String::from_utf8(body.to_vec()).unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>Ada"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(html.contains("See your email address"), "{html}");
        assert!(html.contains("http://127.0.0.1:5<"), "{html}");
    }
}
