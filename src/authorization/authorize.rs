//! `GET /authorize`: an MCP client's authorization request (OAuth 2.1 with PKCE S256, RFC 8707's
//! `resource`), checked and carried to Spotify's sign-in; `GET /callback`: Spotify's answer,
//! which stores the person's grant ([`super::sign_in`]) and goes on to the consent page or the
//! client.

use super::form::Params;
use super::pending::{self, ClientRequest, Purpose, STEP_LIFETIME, SignIn};
use super::state::{AuthorizationServer, paths};
use super::{consent, cookies, pages, sign_in};
use crate::foundation::metrics::oauth_step;
use crate::foundation::secret::Secret;
use crate::store::Scopes;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use oauth2::PkceCodeVerifier;
use std::sync::Arc;

/// The longest `state` carried through the sign-in: the sealed request lives in a cookie, and
/// browsers keep cookies up to 4 KB.
const MAX_STATE_LEN: usize = 1024;

pub fn routes() -> Router<Arc<AuthorizationServer>> {
    Router::new()
        .route(paths::AUTHORIZE, get(authorize))
        .route(paths::SPOTIFY_CALLBACK, get(callback))
}

/// Why an authorization request is refused, and how the refusal reaches the person.
#[derive(Debug)]
enum Rejection {
    /// The redirect URI cannot be trusted (unknown client, unregistered URI): a page.
    Page {
        outcome: &'static str,
        status: StatusCode,
        message: String,
    },
    /// An OAuth error sent back to the client's (registered) redirect URI.
    Redirect {
        error: &'static str,
        description: String,
        redirect_uri: String,
        state: Option<String>,
    },
}

async fn authorize(
    State(server): State<Arc<AuthorizationServer>>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    match check_request(&server, &params).await {
        Ok(request) => {
            oauth_step("authorize", "to_spotify");
            start_sign_in(&server, Purpose::Client(request))
        }
        Err(Rejection::Page {
            outcome,
            status,
            message,
        }) => {
            oauth_step("authorize", outcome);
            pages::error_page(
                status,
                "This application's request cannot be used",
                &message,
            )
        }
        Err(Rejection::Redirect {
            error,
            description,
            redirect_uri,
            state,
        }) => {
            oauth_step("authorize", error);
            pages::client_redirect(
                &redirect_uri,
                &[("error", error), ("error_description", &description)],
                state.as_deref(),
                &server.settings.issuer,
            )
        }
    }
}

/// The request, if its client, redirect URI, PKCE, scope and resource are acceptable.
async fn check_request(
    server: &AuthorizationServer,
    params: &Params,
) -> Result<ClientRequest, Rejection> {
    let page = |outcome, status, message: String| Rejection::Page {
        outcome,
        status,
        message,
    };
    let client_id = params
        .get("client_id")
        .map_err(|e| page("invalid_request", StatusCode::BAD_REQUEST, e.to_string()))?
        .ok_or_else(|| {
            page(
                "invalid_request",
                StatusCode::BAD_REQUEST,
                "The request names no client_id.".into(),
            )
        })?;
    let client = super::clients::find_client(server, client_id)
        .await
        .map_err(|e| page("unknown_client", StatusCode::BAD_REQUEST, e.to_string()))?;
    let redirect_uri = params
        .get("redirect_uri")
        .map_err(|e| page("bad_redirect_uri", StatusCode::BAD_REQUEST, e.to_string()))?
        .filter(|uri| client.redirect_uris.iter().any(|r| r == uri))
        .ok_or_else(|| {
            page(
                "bad_redirect_uri",
                StatusCode::BAD_REQUEST,
                "The redirect_uri is missing or is not one this client registered (it must \
                 match exactly)."
                    .into(),
            )
        })?;
    // From here on errors go back to the client: its redirect URI is known to be its own.
    let state = params.single("state").map(str::to_string);
    let refuse = |error, description: String| Rejection::Redirect {
        error,
        description,
        redirect_uri: redirect_uri.to_string(),
        state: state.clone(),
    };
    check_oauth_params(server, params, state.as_deref())
        .map_err(|(error, description)| refuse(error, description))
        .map(|(code_challenge, scopes, resource)| ClientRequest {
            client_id: client.client_id.clone(),
            redirect_uri: redirect_uri.to_string(),
            state: state.clone(),
            code_challenge,
            scopes,
            resource,
        })
}

/// The code challenge, scopes and resource of a request, or the OAuth error and its
/// description.
fn check_oauth_params(
    server: &AuthorizationServer,
    params: &Params,
    state: Option<&str>,
) -> Result<(String, String, String), (&'static str, String)> {
    for name in [
        "response_type",
        "state",
        "code_challenge",
        "code_challenge_method",
        "scope",
        "resource",
    ] {
        params
            .get(name)
            .map_err(|e| ("invalid_request", e.to_string()))?;
    }
    if params.single("response_type") != Some("code") {
        return Err((
            "unsupported_response_type",
            "response_type must be code".into(),
        ));
    }
    if state.is_some_and(|s| s.len() > MAX_STATE_LEN) {
        return Err((
            "invalid_request",
            format!("state is longer than {MAX_STATE_LEN} characters"),
        ));
    }
    let challenge = check_pkce(params)?;
    let scopes = check_scopes(&server.settings.scopes, params.single("scope"))?;
    let resource = server.settings.resource();
    if params.single("resource").is_some_and(|r| r != resource) {
        return Err((
            "invalid_target",
            format!("this server's only resource is {resource}"),
        ));
    }
    Ok((challenge, scopes, resource))
}

/// The S256 code challenge (RFC 7636: 43 to 128 unreserved characters); `plain` is refused.
fn check_pkce(params: &Params) -> Result<String, (&'static str, String)> {
    if params.single("code_challenge_method") != Some("S256") {
        return Err((
            "invalid_request",
            "PKCE is required: send code_challenge with code_challenge_method=S256".into(),
        ));
    }
    let challenge = params.single("code_challenge").unwrap_or_default();
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
    if !(43..=128).contains(&challenge.len()) || !challenge.bytes().all(unreserved) {
        return Err((
            "invalid_request",
            "code_challenge must be the base64url SHA-256 of the code verifier (43 characters)"
                .into(),
        ));
    }
    Ok(challenge.to_string())
}

/// The scopes asked for (all the server's when none), if the server has every one.
fn check_scopes(allowed: &Scopes, asked: Option<&str>) -> Result<String, (&'static str, String)> {
    let Some(asked) = asked
        .map(Scopes::parse)
        .filter(|s| s.iter().next().is_some())
    else {
        return Ok(allowed.to_string());
    };
    if !allowed.contains_all(&asked) {
        let unknown: Vec<&str> = asked
            .iter()
            .filter(|s| !allowed.iter().any(|a| a == *s))
            .collect();
        return Err((
            "invalid_scope",
            format!("this server does not offer {}", unknown.join(" ")),
        ));
    }
    Ok(asked.to_string())
}

/// Sends the person to Spotify's sign-in, the request sealed in a cookie named after
/// Spotify's `state`: only this browser can finish it, on any replica.
pub fn start_sign_in(server: &AuthorizationServer, purpose: Purpose) -> Response {
    let scopes = server.settings.scopes.iter().map(str::to_string).collect();
    let spotify = server.spotify.authorize(&scopes);
    let sign_in = SignIn {
        purpose,
        spotify_state: spotify.state.clone(),
        spotify_verifier: Secret::new(spotify.verifier.secret().clone()),
        expires_at: pending::now() + STEP_LIFETIME.as_secs(),
    };
    let sealed = pending::seal(&server.keys, &sign_in);
    let mut response = pages::redirect(&spotify.url);
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(
            &server.settings,
            &cookies::sign_in_name(&spotify.state),
            &sealed,
            paths::SPOTIFY_CALLBACK,
            Some(STEP_LIFETIME),
        ),
    );
    response
}

async fn callback(
    State(server): State<Arc<AuthorizationServer>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    let spotify_state = params.single("state").unwrap_or_default();
    let cookie = cookies::sign_in_name(spotify_state);
    let opened = pending::open::<SignIn>(
        &server.keys,
        cookies::read(&headers, &cookie),
        pending::now(),
    )
    .and_then(|sign_in| {
        (sign_in.spotify_state == spotify_state)
            .then_some(sign_in)
            .ok_or(pending::PendingError::Tampered)
    });
    let sign_in = match opened {
        Ok(sign_in) => sign_in,
        Err(problem) => {
            oauth_step("callback", "no_sign_in");
            let message = problem.to_string();
            return pages::error_page(StatusCode::BAD_REQUEST, "Sign-in cannot continue", &message);
        }
    };
    let mut response = finish_sign_in(&server, &params, &headers, sign_in).await;
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::clear(&server.settings, &cookie, paths::SPOTIFY_CALLBACK),
    );
    response
}

/// Spotify's answer to a sign-in this browser started: the grant stored, then the consent
/// page, the client, or `/account`.
async fn finish_sign_in(
    server: &AuthorizationServer,
    params: &Params,
    headers: &HeaderMap,
    sign_in: SignIn,
) -> Response {
    let code = match (params.single("error"), params.single("code")) {
        (None, Some(code)) => code.to_string(),
        (error, _) => {
            oauth_step("callback", "declined");
            let reason = error.unwrap_or("no code");
            return declined(server, &sign_in.purpose, reason);
        }
    };
    let verifier = PkceCodeVerifier::new(sign_in.spotify_verifier.expose().to_string());
    let user = match sign_in::store_sign_in(server, code, verifier).await {
        Ok(user) => user,
        Err(problem) => {
            oauth_step("callback", problem.outcome());
            tracing::warn!(error = %problem, "signing in with Spotify failed");
            return failed(server, &sign_in.purpose, &problem.to_string());
        }
    };
    oauth_step("callback", "signed_in");
    let browser = cookies::read(headers, cookies::BROWSER)
        .filter(|nonce| nonce.len() == 43)
        .map_or_else(pending::random_nonce, str::to_string);
    let mut response = match sign_in.purpose {
        Purpose::Client(request) => consent::after_sign_in(server, request, &user, &browser).await,
        Purpose::Account => pages::redirect(&server.settings.url(paths::ACCOUNT)),
    };
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        cookies::set(&server.settings, cookies::BROWSER, &browser, "/", None),
    );
    headers.append(
        header::SET_COOKIE,
        sign_in::session_cookie(server, &user.id, &browser),
    );
    response
}

/// The person said no at Spotify: the client hears `access_denied`.
fn declined(server: &AuthorizationServer, purpose: &Purpose, reason: &str) -> Response {
    match purpose {
        Purpose::Client(request) => pages::client_redirect(
            &request.redirect_uri,
            &[
                ("error", "access_denied"),
                (
                    "error_description",
                    "the person did not sign in with Spotify",
                ),
            ],
            request.state.as_deref(),
            &server.settings.issuer,
        ),
        Purpose::Account => pages::error_page(
            StatusCode::OK,
            "Not signed in",
            &format!("Spotify did not sign you in ({reason})."),
        ),
    }
}

/// Spotify or the store failed: the client hears `server_error`, a person at `/account` why.
fn failed(server: &AuthorizationServer, purpose: &Purpose, why: &str) -> Response {
    match purpose {
        Purpose::Client(request) => pages::client_redirect(
            &request.redirect_uri,
            &[("error", "server_error"), ("error_description", why)],
            request.state.as_deref(),
            &server.settings.issuer,
        ),
        Purpose::Account => pages::error_page(StatusCode::BAD_GATEWAY, "Sign-in failed", why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_default_to_all_and_must_be_offered() {
        let allowed = Scopes::parse("a b c");
        assert_eq!(check_scopes(&allowed, None), Ok("a b c".into()));
        assert_eq!(check_scopes(&allowed, Some("  ")), Ok("a b c".into()));
        assert_eq!(check_scopes(&allowed, Some("c a")), Ok("a c".into()));
        let (error, description) = check_scopes(&allowed, Some("a d")).unwrap_err();
        assert_eq!(error, "invalid_scope");
        assert!(description.contains('d'), "{description}");
    }

    #[test]
    fn pkce_must_be_s256_with_a_well_formed_challenge() {
        let ok = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        let with = |query: String| check_pkce(&Params::parse(query.as_bytes()));
        assert_eq!(
            with(format!("code_challenge={ok}&code_challenge_method=S256")),
            Ok(ok.into())
        );
        for refused in [
            format!("code_challenge={ok}"),
            format!("code_challenge={ok}&code_challenge_method=plain"),
            "code_challenge_method=S256".into(),
            "code_challenge=short&code_challenge_method=S256".into(),
            format!("code_challenge={ok}%20&code_challenge_method=S256"),
        ] {
            assert_eq!(
                with(refused.clone()).unwrap_err().0,
                "invalid_request",
                "{refused}"
            );
        }
    }
}
