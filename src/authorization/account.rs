//! `/account`: a person signed in with Spotify sees which account is linked, what the server
//! may do with it and which applications they allowed, and can disconnect (grant deleted,
//! consents forgotten, every token revoked). Without a session: a "Sign in with Spotify" link,
//! the same round trip as an application's sign-in, landing back here.

use super::authorize::start_sign_in;
use super::form::Params;
use super::pending::{self, Purpose, Session};
use super::state::{AuthorizationServer, paths};
use super::{cookies, pages, scope_words};
use crate::foundation::metrics::oauth_step;
use crate::store::UserDetails;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::DateTime;
use std::sync::Arc;

/// Starts the Spotify round trip for `/account`.
pub const SIGN_IN: &str = "/account/sign-in";
/// Disconnects the signed-in person (POST, with the CSRF token).
pub const DISCONNECT: &str = "/account/disconnect";

pub fn routes() -> Router<Arc<AuthorizationServer>> {
    Router::new()
        .route(paths::ACCOUNT, get(show))
        .route(SIGN_IN, get(sign_in))
        .route(DISCONNECT, post(disconnect))
}

/// The person this browser signed in as, if its session is intact, current and its own.
fn session(server: &AuthorizationServer, headers: &HeaderMap) -> Option<Session> {
    let sealed = cookies::read(headers, cookies::SESSION);
    let session = pending::open::<Session>(&server.keys, sealed, pending::now()).ok()?;
    let browser = cookies::read(headers, cookies::BROWSER);
    pending::same_browser(browser, &session.browser).then_some(session)
}

async fn show(State(server): State<Arc<AuthorizationServer>>, headers: HeaderMap) -> Response {
    let Some(session) = session(&server, &headers) else {
        oauth_step("account", "signed_out");
        return signed_out(&server);
    };
    match server.store.user_details(&session.user_id).await {
        Ok(Some(details)) => {
            oauth_step("account", "shown");
            let csrf = cookies::read(&headers, cookies::BROWSER)
                .map(pending::csrf_token)
                .unwrap_or_default();
            render(&server.settings.url(DISCONNECT), &details, &csrf)
        }
        Ok(None) => signed_out(&server),
        Err(error) => {
            oauth_step("account", "store_failed");
            tracing::warn!(%error, "the store failed showing /account");
            pages::error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Try again",
                "The server could not reach its database. Try again in a minute.",
            )
        }
    }
}

async fn sign_in(State(server): State<Arc<AuthorizationServer>>) -> Response {
    oauth_step("account", "to_spotify");
    start_sign_in(&server, Purpose::Account)
}

fn signed_out(server: &AuthorizationServer) -> Response {
    let body = format!(
        "<p>See which Spotify account this server holds for you, and which applications you \
         allowed, or disconnect them.</p><p><a id=\"sign-in\" href=\"{}\">Sign in with \
         Spotify</a></p>",
        pages::escape(&server.settings.url(SIGN_IN))
    );
    pages::page(StatusCode::OK, "Your account", &body, &[])
}

fn render(action: &str, details: &UserDetails, csrf: &str) -> Response {
    let e = pages::escape;
    let user = &details.user;
    let name = user.display_name.as_deref().unwrap_or(&user.account_key);
    let abilities: String = details
        .grant_scopes
        .iter()
        .flat_map(|scopes| scopes.iter())
        .map(|scope| format!("<li>{}</li>", e(scope_words::describe(scope))))
        .collect();
    let clients: String = details
        .clients
        .iter()
        .map(|client| {
            format!(
                "<li><strong>{}</strong> <code>{}</code> <span class=\"note\">since {}</span></li>",
                e(client
                    .client_name
                    .as_deref()
                    .unwrap_or("An unnamed application")),
                e(&client.client_id),
                day(client.granted_at),
            )
        })
        .collect();
    let body = format!(
        "<div class=\"who\"><p>Spotify account: <strong id=\"account\">{name}</strong></p>\
         <p class=\"note\">Linked since {since}.</p></div>\
         <p>This server may:</p><ul id=\"scopes\">{abilities}</ul>\
         <p>Applications you allowed:</p><ul id=\"clients\">{clients}</ul>\
         <form method=\"post\" action=\"{action}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button id=\"disconnect\">Disconnect</button></form>\
         <p class=\"note\">Disconnecting deletes the Spotify grant this server holds and signs \
         every application out.</p>",
        name = e(name),
        since = day(details.grant_authorized_at.unwrap_or(user.created_at)),
        clients = if clients.is_empty() {
            "<li>None</li>".to_string()
        } else {
            clients
        },
        action = e(action),
        csrf = e(csrf),
    );
    pages::page(StatusCode::OK, "Your account", &body, &[])
}

/// A Unix time as a UTC date.
fn day(unix: i64) -> String {
    DateTime::from_timestamp(unix, 0).map_or_else(String::new, |t| t.format("%Y-%m-%d").to_string())
}

async fn disconnect(
    State(server): State<Arc<AuthorizationServer>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Params::parse(&body);
    let browser = cookies::read(&headers, cookies::BROWSER);
    let session =
        session(&server, &headers).filter(|_| pending::csrf_matches(browser, form.single("csrf")));
    let Some(session) = session else {
        oauth_step("account", "csrf_refused");
        return pages::error_page(
            StatusCode::FORBIDDEN,
            "Request refused",
            "This request did not come from your account page in this browser. Open the \
             account page and try again.",
        );
    };
    if let Err(error) = server.store.disconnect_user(&session.user_id).await {
        oauth_step("account", "store_failed");
        tracing::warn!(%error, "the store failed disconnecting a user");
        return pages::error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Try again",
            "The server could not reach its database. Try again in a minute.",
        );
    }
    // Tokens this process resolved and the grant it holds go now, not when caches expire.
    server.on_disconnect.run(&session.user_id).await;
    oauth_step("account", "disconnected");
    let mut response = pages::page(
        StatusCode::OK,
        "Disconnected",
        "<p id=\"disconnected\">Your Spotify account is disconnected: this server no longer \
         holds its grant, and every application you allowed is signed out.</p>",
        &[],
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::clear(&server.settings, cookies::SESSION, paths::ACCOUNT),
    );
    response
}
