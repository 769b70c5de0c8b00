//! What a person allowed a client to do, remembered so the consent page shows once per client.

use super::model::Scopes;
use super::{Store, StoreError, now};

impl Store {
    /// Remembers that the user allowed `client_id` these scopes (added to any allowed before).
    pub async fn record_consent(
        &self,
        user_id: &str,
        client_id: &str,
        scopes: &Scopes,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        // A write first, so SQLite takes the write lock at once (a read first could not be
        // upgraded when another writer got in between).
        sqlx::query(
            "INSERT INTO consents (user_id, client_id, scopes, granted_at) VALUES ($1, $2, '', $3) \
             ON CONFLICT (user_id, client_id) DO UPDATE SET granted_at = excluded.granted_at",
        )
        .bind(user_id)
        .bind(client_id)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        let before: String =
            sqlx::query_scalar("SELECT scopes FROM consents WHERE user_id = $1 AND client_id = $2")
                .bind(user_id)
                .bind(client_id)
                .fetch_one(&mut *tx)
                .await?;
        sqlx::query("UPDATE consents SET scopes = $3 WHERE user_id = $1 AND client_id = $2")
            .bind(user_id)
            .bind(client_id)
            .bind(Scopes::parse(&before).union(scopes).to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the user already allowed `client_id` every one of `scopes`.
    pub async fn has_consent(
        &self,
        user_id: &str,
        client_id: &str,
        scopes: &Scopes,
    ) -> Result<bool, StoreError> {
        let granted: Option<String> =
            sqlx::query_scalar("SELECT scopes FROM consents WHERE user_id = $1 AND client_id = $2")
                .bind(user_id)
                .bind(client_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(granted.is_some_and(|granted| Scopes::parse(&granted).contains_all(scopes)))
    }
}
