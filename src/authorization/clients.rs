//! Which client is asking: a dynamically registered one from the store, or (a client id that
//! is an HTTPS URL) one described by its Client ID Metadata Document ([`super::cimd`]).

use super::state::AuthorizationServer;
use crate::store::{OAuthClient, StoreError};

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
    server
        .store
        .load_client(client_id)
        .await?
        .ok_or(ClientError::Unknown)
}
