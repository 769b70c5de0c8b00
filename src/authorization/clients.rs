//! Which client is asking: a dynamically registered one from the store, or (a client id that
//! is an HTTPS URL) one described by its Client ID Metadata Document ([`super::cimd`]), fetched
//! on first use and again once the stored copy is older than [`cimd::REFRESH_AFTER_SECS`].

use super::cimd;
use super::state::AuthorizationServer;
use crate::foundation::metrics::oauth_step;
use crate::store::{ClientKind, ClientRegistration, OAuthClient, Store, StoreError};

/// Most clients of one kind (registered, or metadata documents) kept; when full, the ones
/// nobody used within [`UNUSED_CLIENT_GRACE_SECS`] are removed to make room.
pub const MAX_CLIENTS_PER_KIND: i64 = 10_000;
/// How long an unused client is safe from pruning (time enough to finish signing in).
pub const UNUSED_CLIENT_GRACE_SECS: i64 = 3600;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(
        "unknown client_id: register the client first (POST /register), or use a client id metadata document URL"
    )]
    Unknown,
    #[error("the client's metadata document cannot be used: {0}")]
    MetadataDocument(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The client with this id, or why it cannot be used.
pub async fn find_client(
    server: &AuthorizationServer,
    client_id: &str,
) -> Result<OAuthClient, ClientError> {
    if !cimd::is_document_url(client_id) {
        return server
            .store
            .load_client(client_id)
            .await?
            .ok_or(ClientError::Unknown);
    }
    if let Some(client) = fresh_document(&server.store, client_id).await? {
        return Ok(client);
    }
    let settings = &server.settings;
    let accepted = cimd::fetch(
        client_id,
        settings.allow_private_client_metadata,
        &settings.scopes,
    )
    .await
    .map_err(|error| {
        oauth_step("client_metadata_document", error.outcome());
        ClientError::MetadataDocument(error.to_string())
    })?;
    if !has_room(&server.store, ClientKind::MetadataDocument).await? {
        oauth_step("client_metadata_document", "full");
        return Err(ClientError::MetadataDocument(format!(
            "this server keeps at most {MAX_CLIENTS_PER_KIND} metadata documents and all are in \
             use; retry later"
        )));
    }
    let registration = ClientRegistration::MetadataDocument {
        url: client_id.to_string(),
    };
    let metadata = serde_json::Value::Object(accepted.metadata);
    let client = server
        .store
        .register_client(&registration, &metadata, &accepted.redirect_uris)
        .await?;
    oauth_step("client_metadata_document", "fetched");
    Ok(client)
}

/// The stored copy of a metadata document, if it is recent enough to use without fetching.
async fn fresh_document(store: &Store, url: &str) -> Result<Option<OAuthClient>, StoreError> {
    let Some(client) = store.load_client(url).await? else {
        return Ok(None);
    };
    let Some(updated_at) = store.client_updated_at(url).await? else {
        return Ok(None);
    };
    let age = unix_now().saturating_sub(updated_at);
    Ok(
        (client.registration == "cimd" && (0..cimd::REFRESH_AFTER_SECS).contains(&age))
            .then_some(client),
    )
}

/// Whether another client of this kind may be stored, pruning unused ones when full.
pub async fn has_room(store: &Store, kind: ClientKind) -> Result<bool, StoreError> {
    if store.count_clients(kind).await? < MAX_CLIENTS_PER_KIND {
        return Ok(true);
    }
    store
        .prune_unused_clients(kind, UNUSED_CLIENT_GRACE_SECS)
        .await?;
    Ok(store.count_clients(kind).await? < MAX_CLIENTS_PER_KIND)
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
