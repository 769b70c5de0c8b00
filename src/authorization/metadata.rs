//! Discovery: the protected resource metadata of `/mcp` (RFC 9728) and this authorization
//! server's metadata (RFC 8414), also at `/.well-known/openid-configuration`, the other path
//! MCP clients try. Browser-based clients read them cross-origin, so they answer CORS.

use super::state::{AuthorizationServer, Settings, paths};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::sync::Arc;
use tower_http::cors::CorsLayer;

/// Where OpenID Connect clients look for the same document (MCP clients try both).
pub const OPENID_CONFIGURATION: &str = "/.well-known/openid-configuration";

pub fn routes() -> Router<Arc<AuthorizationServer>> {
    let resource_metadata_of_mcp = format!("{}{}", paths::RESOURCE_METADATA, paths::MCP);
    Router::new()
        .route(paths::RESOURCE_METADATA, get(resource_metadata))
        .route(&resource_metadata_of_mcp, get(resource_metadata))
        .route(paths::SERVER_METADATA, get(server_metadata))
        .route(OPENID_CONFIGURATION, get(server_metadata))
        .layer(cors())
}

/// CORS for the routes browser-based clients call from another origin: any origin, no
/// credentials (these routes read no cookie). Never for the pages a person sees.
pub fn cors() -> CorsLayer {
    use axum::http::{Method, header};
    CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            mcp_protocol_version(),
        ])
        .max_age(std::time::Duration::from_secs(3600))
}

/// Browser MCP clients send it on discovery requests too (a non-simple header: preflighted).
fn mcp_protocol_version() -> axum::http::HeaderName {
    axum::http::HeaderName::from_static("mcp-protocol-version")
}

async fn resource_metadata(State(server): State<Arc<AuthorizationServer>>) -> Json<Value> {
    crate::foundation::metrics::oauth_step("resource_metadata", "served");
    Json(resource_metadata_document(&server.settings))
}

async fn server_metadata(State(server): State<Arc<AuthorizationServer>>) -> Json<Value> {
    crate::foundation::metrics::oauth_step("server_metadata", "served");
    Json(server_metadata_document(&server.settings))
}

/// RFC 9728 §2 for the resource `/mcp`.
pub fn resource_metadata_document(settings: &Settings) -> Value {
    json!({
        "resource": settings.resource(),
        "authorization_servers": [settings.issuer],
        "scopes_supported": scopes(settings),
        "bearer_methods_supported": ["header"],
        "resource_name": "Spotify (spotify-mcp)",
    })
}

/// RFC 8414 §2, with the MCP-relevant extensions (client id metadata documents, `iss` in the
/// authorization response).
pub fn server_metadata_document(settings: &Settings) -> Value {
    json!({
        "issuer": settings.issuer,
        "authorization_endpoint": settings.url(paths::AUTHORIZE),
        "token_endpoint": settings.url(paths::TOKEN),
        "registration_endpoint": settings.url(paths::REGISTER),
        "revocation_endpoint": settings.url(paths::REVOKE),
        "scopes_supported": scopes(settings),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "revocation_endpoint_auth_methods_supported": ["none"],
        "client_id_metadata_document_supported": true,
        "authorization_response_iss_parameter_supported": true,
    })
}

fn scopes(settings: &Settings) -> Vec<&str> {
    settings.scopes.iter().collect()
}
