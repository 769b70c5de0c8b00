//! Everything linked to one user, for `/account` and `spotify-mcp users show`, and undoing the
//! link (`/account`'s Disconnect).

use super::model::{LinkedClient, Scopes, UserDetails};
use super::{Store, StoreError, now};

#[derive(sqlx::FromRow)]
struct LinkedRow {
    client_id: String,
    metadata: String,
    scopes: String,
    granted_at: i64,
}

impl Store {
    /// The user, their grant's scopes, the clients they allowed and their live tokens.
    pub async fn user_details(&self, user_id: &str) -> Result<Option<UserDetails>, StoreError> {
        let Some(user) = self.find_user(user_id).await? else {
            return Ok(None);
        };
        let grant: Option<(String, i64)> =
            sqlx::query_as("SELECT scopes, authorized_at FROM spotify_grants WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        let clients: Vec<LinkedRow> = sqlx::query_as(
            "SELECT c.client_id, o.metadata, c.scopes, c.granted_at FROM consents c \
             JOIN oauth_clients o ON o.client_id = c.client_id \
             WHERE c.user_id = $1 ORDER BY c.granted_at, c.client_id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        let live_tokens: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM oauth_tokens \
             WHERE user_id = $1 AND revoked_at IS NULL AND used_at IS NULL AND expires_at > $2",
        )
        .bind(user_id)
        .bind(now())
        .fetch_one(&self.pool)
        .await?;
        Ok(Some(UserDetails {
            user,
            grant_scopes: grant.as_ref().map(|(scopes, _)| Scopes::parse(scopes)),
            grant_authorized_at: grant.map(|(_, at)| at),
            clients: clients.into_iter().map(linked_client).collect(),
            live_tokens,
        }))
    }

    /// Unlinks the user's Spotify account: their grant, consents and codes are removed and
    /// every token is revoked, in one transaction; the user record stays (for `users list`).
    /// Returns whether there was a grant.
    pub async fn disconnect_user(&self, user_id: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE oauth_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
        )
        .bind(user_id)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        for table in ["authorization_codes", "consents"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        let had_grant = sqlx::query("DELETE FROM spotify_grants WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(had_grant > 0)
    }
}

/// The client's own name from its registration, when it gave one.
fn linked_client(row: LinkedRow) -> LinkedClient {
    let client_name = serde_json::from_str::<serde_json::Value>(&row.metadata)
        .ok()
        .and_then(|m| {
            m.get("client_name")
                .and_then(|n| n.as_str())
                .map(str::to_string)
        });
    LinkedClient {
        client_id: row.client_id,
        client_name,
        scopes: Scopes::parse(&row.scopes),
        granted_at: row.granted_at,
    }
}
