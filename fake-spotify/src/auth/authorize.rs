//! `GET /authorize` checks the request the way Spotify's accounts service does, then either
//! shows the consent page (pick a user, Agree or Cancel: a real form, `POST /authorize`) or
//! carries out a decision a test queued. Agreeing redirects with a code for the chosen user.

use super::{ALL_SCOPES, CODE_LIFETIME, Code, page};
use crate::server::Shared;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use std::collections::HashMap;
use std::time::Instant;

/// What a test decided the next `GET /authorize` does, instead of showing the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Agree, signed in as this user id.
    Approve(String),
    /// The person clicks Cancel.
    Decline,
}

/// The parameters the page carries through to its form.
const CARRIED: &[&str] = &[
    "client_id",
    "response_type",
    "redirect_uri",
    "state",
    "scope",
    "code_challenge",
    "code_challenge_method",
    "show_dialog",
];

/// A checked authorization request.
pub(crate) struct AuthRequest {
    pub client_id: String,
    redirect_uri: String,
    state: Option<String>,
    pub scope: String,
    challenge: Option<String>,
    /// A user id to preselect on the page.
    pub login_hint: Option<String>,
    /// The [`CARRIED`] parameters as given, for the form's hidden fields.
    pub carried: Vec<(String, String)>,
}

/// Why a request is refused: on a page (when the redirect URI cannot be trusted) or by a
/// redirect with an OAuth `error`.
enum Refusal {
    Page(String),
    Redirect(Box<AuthRequest>, &'static str),
}

fn parse(shared: &Shared, params: &HashMap<String, String>) -> Result<AuthRequest, Refusal> {
    let get = |name: &str| params.get(name).filter(|v| !v.is_empty()).cloned();
    let client_id =
        get("client_id").ok_or(Refusal::Page("INVALID_CLIENT: Invalid client".into()))?;
    let redirect_uri = get("redirect_uri")
        .filter(|uri| redirect_allowed(shared, uri))
        .ok_or(Refusal::Page("INVALID_CLIENT: Invalid redirect URI".into()))?;
    let request = AuthRequest {
        client_id,
        redirect_uri,
        state: params.get("state").cloned(),
        scope: get("scope").unwrap_or_default().replace(',', " "),
        challenge: get("code_challenge"),
        login_hint: get("login_hint"),
        carried: CARRIED
            .iter()
            .filter_map(|k| params.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect(),
    };
    let method = get("code_challenge_method");
    let error = if get("response_type").as_deref() != Some("code") {
        Some("unsupported_response_type")
    } else if !matches!(
        (&request.challenge, method.as_deref()),
        (None, None) | (Some(_), Some("S256"))
    ) {
        Some("invalid_request")
    } else if request
        .scope
        .split_whitespace()
        .any(|s| !ALL_SCOPES.split_whitespace().any(|known| known == s))
    {
        Some("invalid_scope")
    } else {
        None
    };
    match error {
        Some(error) => Err(Refusal::Redirect(Box::new(request), error)),
        None => Ok(request),
    }
}

/// A redirect URI Spotify would accept: one of the registered ones when the knob lists them;
/// otherwise anything but plain `http` to a host that is not a loopback IP literal (so
/// `http://localhost` is refused, as since November 2025).
fn redirect_allowed(shared: &Shared, uri: &str) -> bool {
    let registered = shared.knobs().redirect_uris;
    if !registered.is_empty() {
        return registered.iter().any(|r| r == uri);
    }
    let Ok(url) = url::Url::parse(uri) else {
        return false;
    };
    match url.scheme() {
        "http" => match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            _ => false,
        },
        "https" => url.has_host(),
        // An app's own scheme, e.g. `myapp:/callback`.
        _ => true,
    }
}

/// `303` to the redirect URI with `pairs` and the request's `state`.
fn redirect(request: &AuthRequest, pairs: &[(&str, &str)]) -> Response {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(pairs);
    if let Some(state) = &request.state {
        query.append_pair("state", state);
    }
    let uri = &request.redirect_uri;
    let separator = if uri.contains('?') { '&' } else { '?' };
    let location = format!("{uri}{separator}{}", query.finish());
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

fn refused(refusal: Refusal) -> Response {
    match refusal {
        Refusal::Page(message) => {
            (StatusCode::BAD_REQUEST, Html(page::error(&message))).into_response()
        }
        Refusal::Redirect(request, error) => redirect(&request, &[("error", error)]),
    }
}

/// Agreeing as `user`: a code bound to the user, the client, the redirect URI and the challenge.
fn approve(shared: &Shared, request: &AuthRequest, user: &str) -> Response {
    let code = shared.tokens.new_code(Code {
        scope: request.scope.clone(),
        user: user.to_string(),
        client_id: request.client_id.clone(),
        redirect_uri: request.redirect_uri.clone(),
        challenge: request.challenge.clone(),
        expires: Instant::now() + CODE_LIFETIME,
    });
    redirect(request, &[("code", &code)])
}

fn decline(request: &AuthRequest) -> Response {
    redirect(request, &[("error", "access_denied")])
}

fn params(text: Option<&str>) -> HashMap<String, String> {
    text.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

/// `GET /authorize`: the consent page, or the decision a test queued. Also answers which
/// user was signed in, for the request log.
pub(crate) fn authorize_get(shared: &Shared, query: Option<&str>) -> (Response, Option<String>) {
    let request = match parse(shared, &params(query)) {
        Ok(request) => request,
        Err(refusal) => return (refused(refusal), None),
    };
    match shared.next_decision() {
        Some(Decision::Approve(user)) => (approve(shared, &request, &user), Some(user)),
        Some(Decision::Decline) => (decline(&request), None),
        None => {
            let users = shared.with_state(|state| {
                state
                    .users
                    .iter()
                    .map(|u| u.profile.clone())
                    .collect::<Vec<_>>()
            });
            (Html(page::consent(&request, &users)).into_response(), None)
        }
    }
}

/// `POST /authorize`: the consent form, submitted with `action=agree` and a `user`, or
/// `action=cancel`.
pub(crate) fn authorize_post(shared: &Shared, body: &[u8]) -> (Response, Option<String>) {
    let form: HashMap<String, String> = form_urlencoded::parse(body).into_owned().collect();
    let request = match parse(shared, &form) {
        Ok(request) => request,
        Err(refusal) => return (refused(refusal), None),
    };
    if form.get("action").map(String::as_str) != Some("agree") {
        return (decline(&request), None);
    }
    let user = form.get("user").cloned().unwrap_or_default();
    if !shared.with_state(|state| state.is_user(&user)) {
        let page = page::error("Choose one of the listed accounts to sign in as.");
        return ((StatusCode::BAD_REQUEST, Html(page)).into_response(), None);
    }
    (approve(shared, &request, &user), Some(user))
}
