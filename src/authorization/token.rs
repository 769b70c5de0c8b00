//! `POST /token` (OAuth 2.1 §3.2): an authorization code with its PKCE verifier, or a refresh
//! token (rotated; a spent one revokes its family), for an access and a refresh token bound to
//! this server's `/mcp`. `POST /revoke` (RFC 7009). Clients are public: they name themselves
//! with `client_id` in the body and prove nothing else; PKCE and rotation carry the security.

use super::oauth_error::{OAuthError, no_store};
use super::state::{AuthorizationServer, paths};
use crate::foundation::metrics::oauth_step;
use crate::store::{IssuedTokens, Presented, Refused, Scopes, StoreError};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

/// Largest `/token` or `/revoke` request read.
pub const MAX_BODY_BYTES: usize = 8 * 1024;

pub fn routes() -> Router<Arc<AuthorizationServer>> {
    Router::new()
        .route(paths::TOKEN, post(token))
        .route(paths::REVOKE, post(revoke))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(super::metadata::cors())
}

/// A form body's parameters; OAuth forbids repeating one (RFC 6749 §3.2).
struct Params(HashMap<String, String>);

impl Params {
    fn parse(body: &[u8]) -> Result<Self, OAuthError> {
        let mut params = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(body) {
            if params
                .insert(name.to_string(), value.into_owned())
                .is_some()
            {
                return Err(OAuthError::invalid_request(format!(
                    "the parameter {name:?} is given more than once"
                )));
            }
        }
        Ok(Self(params))
    }

    fn optional(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn required(&self, name: &str) -> Result<&str, OAuthError> {
        self.optional(name)
            .ok_or_else(|| OAuthError::invalid_request(format!("the parameter {name} is required")))
    }
}

async fn token(State(server): State<Arc<AuthorizationServer>>, body: Bytes) -> Response {
    match grant(&server, &body).await {
        Ok((kind, issued)) => {
            oauth_step("token", kind);
            token_response(&issued)
        }
        Err(refusal) => {
            oauth_step("token", refusal.outcome);
            refusal.error.into_response()
        }
    }
}

/// An OAuth error with the finer outcome the metric counts.
struct Refusal {
    error: OAuthError,
    outcome: &'static str,
}

impl From<OAuthError> for Refusal {
    fn from(error: OAuthError) -> Self {
        let outcome = error.error;
        Self { error, outcome }
    }
}

async fn grant(
    server: &AuthorizationServer,
    body: &[u8],
) -> Result<(&'static str, IssuedTokens), Refusal> {
    let params = Params::parse(body)?;
    let grant_type = params.required("grant_type")?;
    if !matches!(grant_type, "authorization_code" | "refresh_token") {
        return Err(OAuthError::bad_request(
            "unsupported_grant_type",
            "grant_type must be authorization_code or refresh_token",
        )
        .into());
    }
    let client_id = known_client(server, &params).await?;
    check_resource(server, params.optional("resource"))?;
    if grant_type == "authorization_code" {
        Ok(("issued", redeem(server, &params, client_id).await?))
    } else {
        Ok(("refreshed", refresh(server, &params, client_id).await?))
    }
}

/// The `client_id` of the request, if this server knows it (RFC 6749 §3.2.1: public clients
/// name themselves).
async fn known_client<'p>(
    server: &AuthorizationServer,
    params: &'p Params,
) -> Result<&'p str, Refusal> {
    let client_id = params.required("client_id")?;
    match server.store.load_client(client_id).await {
        Ok(Some(_)) => Ok(client_id),
        Ok(None) => Err(OAuthError {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: "unknown client_id; register the client first".to_string(),
        }
        .into()),
        Err(error) => Err(store_failed(&error).into()),
    }
}

/// RFC 8707: a `resource` given must be this server's `/mcp`.
fn check_resource(server: &AuthorizationServer, resource: Option<&str>) -> Result<(), Refusal> {
    match resource {
        Some(resource) if resource != server.settings.resource() => Err(invalid_target(server)),
        _ => Ok(()),
    }
}

fn invalid_target(server: &AuthorizationServer) -> Refusal {
    OAuthError::bad_request(
        "invalid_target",
        format!(
            "this server issues tokens only for the resource {}",
            server.settings.resource()
        ),
    )
    .into()
}

async fn redeem(
    server: &AuthorizationServer,
    params: &Params,
    client_id: &str,
) -> Result<IssuedTokens, Refusal> {
    let code = params.required("code")?;
    let redirect_uri = params.required("redirect_uri")?;
    let verifier = params.required("code_verifier")?;
    let presented = Presented {
        code,
        client_id,
        redirect_uri,
        code_verifier: verifier,
    };
    let resource = server.settings.resource();
    // One transaction: a database failing midway leaves the code for the client's retry.
    match server
        .store
        .exchange_code(&presented, &resource, server.settings.lifetimes)
        .await
    {
        Err(StoreError::Refused(Refused::ResourceMismatch)) => Err(invalid_target(server)),
        exchanged => exchanged.map_err(refused),
    }
}

async fn refresh(
    server: &AuthorizationServer,
    params: &Params,
    client_id: &str,
) -> Result<IssuedTokens, Refusal> {
    let refresh_token = params.required("refresh_token")?;
    let store = &server.store;
    let requested = params.optional("scope").map(Scopes::parse);
    if let Some(requested) = &requested {
        // Checked before rotating, so that a refused request leaves the token usable.
        let granted = store
            .refresh_token_scopes(refresh_token, client_id)
            .await
            .map_err(refused)?;
        if let Some(granted) = granted.filter(|granted| !granted.contains_all(requested)) {
            return Err(OAuthError::bad_request(
                "invalid_scope",
                format!("a refresh may ask for these scopes at most: {granted}"),
            )
            .into());
        }
    }
    let mut issued = store
        .rotate_refresh(refresh_token, client_id, server.settings.lifetimes)
        .await
        .map_err(refused)?;
    if let Some(requested) = requested.filter(|r| *r != issued.scopes) {
        store
            .narrow_access_token(issued.access_token.expose(), &requested)
            .await
            .map_err(refused)?;
        issued.scopes = requested;
    }
    Ok(issued)
}

/// A store error as OAuth says it: a refused code or token is `invalid_grant`.
fn refused(error: StoreError) -> Refusal {
    let StoreError::Refused(reason) = error else {
        return store_failed(&error).into();
    };
    let outcome = match reason {
        Refused::CodeReused => "code_reused",
        Refused::RefreshReused => "refresh_reused",
        Refused::PkceMismatch => "pkce_mismatch",
        Refused::CodeMismatch | Refused::ClientMismatch => "client_mismatch",
        Refused::ResourceMismatch => "invalid_target",
        Refused::CodeExpired | Refused::TokenExpired => "expired",
        Refused::UnknownCode | Refused::UnknownToken | Refused::TokenRevoked => "invalid_grant",
    };
    Refusal {
        error: OAuthError::bad_request("invalid_grant", reason.to_string()),
        outcome,
    }
}

fn store_failed(error: &StoreError) -> OAuthError {
    tracing::error!(%error, "token endpoint: the store failed");
    match error.is_unavailable() {
        true => OAuthError::store_unavailable(),
        false => OAuthError::server_error(),
    }
}

/// RFC 6749 §5.1, never cached.
fn token_response(issued: &IssuedTokens) -> Response {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let body = json!({
        "access_token": issued.access_token.expose(),
        "token_type": "Bearer",
        "expires_in": issued.access_expires_at.saturating_sub(now).max(0),
        "refresh_token": issued.refresh_token.expose(),
        "scope": issued.scopes.to_string(),
    });
    let mut response = Json(body).into_response();
    no_store(&mut response);
    response
}

async fn revoke(State(server): State<Arc<AuthorizationServer>>, body: Bytes) -> Response {
    match revoke_token(&server, &body).await {
        Ok(outcome) => {
            oauth_step("revoke", outcome);
            let mut response = StatusCode::OK.into_response();
            no_store(&mut response);
            response
        }
        Err(refusal) => {
            oauth_step("revoke", refusal.outcome);
            refusal.error.into_response()
        }
    }
}

/// RFC 7009 §2: the hint is only a hint (every kind is looked up), and an unknown token or
/// another client's is answered like a revoked one.
async fn revoke_token(server: &AuthorizationServer, body: &[u8]) -> Result<&'static str, Refusal> {
    let params = Params::parse(body)?;
    let token = params.required("token")?;
    let client_id = known_client(server, &params).await?;
    let revoked = server
        .store
        .revoke(token, client_id)
        .await
        .map_err(|e| Refusal::from(store_failed(&e)))?;
    Ok(match revoked {
        crate::store::Revoked::Nothing => "nothing",
        crate::store::Revoked::AccessToken => "access_token",
        crate::store::Revoked::Family => "family",
    })
}
