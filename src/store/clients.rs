//! OAuth clients that registered with this server: by Dynamic Client Registration or by a
//! Client ID Metadata Document.

use super::model::{ClientRegistration, OAuthClient};
use super::{Store, StoreError, now, secrets};

#[derive(sqlx::FromRow)]
struct ClientRow {
    client_id: String,
    registration: String,
    metadata: String,
    redirect_uris: String,
    created_at: i64,
}

impl TryFrom<ClientRow> for OAuthClient {
    type Error = StoreError;

    fn try_from(row: ClientRow) -> Result<Self, StoreError> {
        let corrupt = |_| StoreError::Corrupt("client registration");
        Ok(OAuthClient {
            client_id: row.client_id,
            registration: row.registration,
            metadata: serde_json::from_str(&row.metadata).map_err(corrupt)?,
            redirect_uris: serde_json::from_str(&row.redirect_uris).map_err(corrupt)?,
            created_at: row.created_at,
        })
    }
}

impl Store {
    /// Records a client. A dynamically registered one gets a new random id; a metadata
    /// document's URL is its id, and registering it again replaces its metadata and redirect
    /// URIs (the document was fetched anew).
    pub async fn register_client(
        &self,
        registration: &ClientRegistration,
        metadata: &serde_json::Value,
        redirect_uris: &[String],
    ) -> Result<OAuthClient, StoreError> {
        let (client_id, kind) = match registration {
            ClientRegistration::Dynamic => (secrets::random_id(), "dcr"),
            ClientRegistration::MetadataDocument { url } => (url.clone(), "cimd"),
        };
        let row: ClientRow = sqlx::query_as(
            "INSERT INTO oauth_clients (client_id, registration, metadata, redirect_uris, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) \
             ON CONFLICT (client_id) DO UPDATE SET metadata = excluded.metadata, \
             redirect_uris = excluded.redirect_uris, updated_at = excluded.updated_at \
             RETURNING client_id, registration, metadata, redirect_uris, created_at",
        )
        .bind(&client_id)
        .bind(kind)
        .bind(metadata.to_string())
        .bind(serde_json::to_string(redirect_uris).expect("strings serialize"))
        .bind(now())
        .fetch_one(&self.pool)
        .await?;
        row.try_into()
    }

    /// The client with this id, if registered.
    pub async fn load_client(&self, client_id: &str) -> Result<Option<OAuthClient>, StoreError> {
        let row: Option<ClientRow> = sqlx::query_as(
            "SELECT client_id, registration, metadata, redirect_uris, created_at \
             FROM oauth_clients WHERE client_id = $1",
        )
        .bind(client_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(OAuthClient::try_from).transpose()
    }
}
