//! Keeping the client table bounded and fresh: how old a client's stored metadata is (metadata
//! documents are fetched again when stale), how many clients of a kind there are, and pruning
//! the ones nobody ever used.

use super::client_kind::ClientKind;
use super::{Store, StoreError, now};

impl Store {
    /// When the client's metadata was last written (Unix seconds), if the client is known.
    pub async fn client_updated_at(&self, client_id: &str) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT updated_at FROM oauth_clients WHERE client_id = $1")
                .bind(client_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// How many clients of this kind are known.
    pub async fn count_clients(&self, kind: ClientKind) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM oauth_clients WHERE registration = $1")
                .bind(kind.as_str())
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Removes the clients of this kind that were last written more than `min_age_secs` ago
    /// and have no consent, code or token: registrations nobody went on to use. Returns how
    /// many were removed.
    pub async fn prune_unused_clients(
        &self,
        kind: ClientKind,
        min_age_secs: i64,
    ) -> Result<u64, StoreError> {
        Ok(sqlx::query(
            "DELETE FROM oauth_clients WHERE registration = $1 AND updated_at < $2 \
             AND client_id NOT IN (SELECT client_id FROM consents) \
             AND client_id NOT IN (SELECT client_id FROM authorization_codes) \
             AND client_id NOT IN (SELECT client_id FROM oauth_tokens)",
        )
        .bind(kind.as_str())
        .bind(now().saturating_sub(min_age_secs))
        .execute(&self.pool)
        .await?
        .rows_affected())
    }
}
