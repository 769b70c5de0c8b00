//! `POST /api/token`: client credentials, authorization codes (with the PKCE verifier and the
//! exact redirect URI checked) and refresh tokens.

use super::{Holder, Tokens};
use crate::server::Shared;
use axum::http::{HeaderMap, header};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Instant;

/// What the token endpoint answered, and for which user.
pub(crate) struct TokenAnswer {
    pub status: u16,
    pub json: Value,
    pub user: Option<String>,
}

fn oauth_error(status: u16, error: &str, description: &str) -> TokenAnswer {
    TokenAnswer {
        status,
        json: json!({ "error": error, "error_description": description }),
        user: None,
    }
}

/// The client of a request: HTTP Basic `client_id:secret`, else the form's `client_id`.
struct Client {
    id: String,
    /// Whether a client secret came with it.
    authenticated: bool,
}

fn client(headers: &HeaderMap, form: &HashMap<String, String>) -> Option<Client> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(decode_basic);
    let client = match basic {
        Some((id, secret)) => Client {
            id,
            authenticated: !secret.is_empty(),
        },
        None => Client {
            id: form.get("client_id")?.clone(),
            authenticated: form.get("client_secret").is_some_and(|s| !s.is_empty()),
        },
    };
    (!client.id.is_empty()).then_some(client)
}

/// `POST /api/token`.
pub(crate) fn token_endpoint(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> TokenAnswer {
    let form: HashMap<String, String> = form_urlencoded::parse(body).into_owned().collect();
    let Some(client) = client(headers, &form) else {
        return oauth_error(400, "invalid_client", "Invalid client");
    };
    let lifetime = shared.knobs().token_lifetime_secs;
    let tokens = &shared.tokens;
    let issued = match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => tokens.issue(Holder::App, "", lifetime, false),
        Some("authorization_code") => match exchange_code(tokens, &client, &form) {
            Ok((holder, scope)) => tokens.issue(holder, &scope, lifetime, true),
            Err(refused) => return refused,
        },
        Some("refresh_token") => {
            let refresh = form.get("refresh_token").map(String::as_str).unwrap_or("");
            let Some((scope, user, client_id)) = tokens.refresh_grant(refresh) else {
                return oauth_error(400, "invalid_grant", "Invalid refresh token");
            };
            // Like Spotify, a refresh answer may omit the refresh token: the old one stays valid.
            let holder = Holder::User {
                id: user,
                client_id,
            };
            tokens.issue(holder, &scope, lifetime, false)
        }
        Some(other) => {
            return oauth_error(
                400,
                "unsupported_grant_type",
                &format!(
                    "grant_type must be client_credentials, authorization_code or refresh_token, not {other}"
                ),
            );
        }
        None => return oauth_error(400, "invalid_request", "grant_type is missing"),
    };
    let mut answer = json!({
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "scope": issued.scope,
    });
    if let Some(refresh) = issued.refresh_token {
        answer["refresh_token"] = json!(refresh);
    }
    TokenAnswer {
        status: 200,
        json: answer,
        user: issued.user,
    }
}

/// The user and scope an authorization code grants, after the checks Spotify makes: the same
/// client, the same redirect URI, and the PKCE verifier (or else a client secret).
fn exchange_code(
    tokens: &Tokens,
    client: &Client,
    form: &HashMap<String, String>,
) -> Result<(Holder, String), TokenAnswer> {
    let code = form.get("code").map(String::as_str).unwrap_or("");
    let invalid = |description: &str| oauth_error(400, "invalid_grant", description);
    let grant = tokens
        .take_code(code)
        .ok_or_else(|| invalid("Invalid authorization code"))?;
    if grant.expires <= Instant::now() {
        return Err(invalid("Authorization code expired"));
    }
    if grant.client_id != client.id {
        return Err(oauth_error(400, "invalid_client", "Invalid client"));
    }
    if form.get("redirect_uri") != Some(&grant.redirect_uri) {
        return Err(invalid("Invalid redirect URI"));
    }
    match (&grant.challenge, form.get("code_verifier")) {
        (Some(challenge), Some(verifier)) if s256(verifier) == *challenge => {}
        (Some(_), Some(_)) => return Err(invalid("code_verifier was incorrect")),
        (Some(_), None) => {
            return Err(oauth_error(
                400,
                "invalid_request",
                "code_verifier required",
            ));
        }
        (None, _) if !client.authenticated => {
            return Err(oauth_error(400, "invalid_client", "Invalid client secret"));
        }
        (None, _) => {}
    }
    let holder = Holder::User {
        id: grant.user,
        client_id: grant.client_id,
    };
    Ok((holder, grant.scope))
}

/// `BASE64URL-NOPAD(SHA-256(verifier))`, the S256 code challenge of a verifier.
pub(crate) fn s256(verifier: &str) -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `(client id, secret)` of an HTTP Basic `client_id:secret` credential.
fn decode_basic(encoded: &str) -> Option<(String, String)> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (id, secret) = text.split_once(':').unwrap_or((&text, ""));
    Some((id.to_string(), secret.to_string()))
}
