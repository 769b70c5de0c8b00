//! Users: who signed in with Spotify, and removing everything of one.

use super::model::{AccountKey, Scopes, User, UserSummary};
use super::{Store, StoreError, now, secrets};

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    account_key: String,
    display_name: Option<String>,
    created_at: i64,
    last_seen_at: i64,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: row.id,
            account_key: row.account_key,
            display_name: row.display_name,
            created_at: row.created_at,
            last_seen_at: row.last_seen_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    #[sqlx(flatten)]
    user: UserRow,
    grant_scopes: Option<String>,
}

impl Store {
    /// The user with this Spotify account, created on first sign-in; their display name and
    /// last-seen time are brought up to date.
    pub async fn upsert_user(
        &self,
        account: &AccountKey,
        display_name: Option<&str>,
    ) -> Result<User, StoreError> {
        let at = now();
        let row: UserRow = sqlx::query_as(
            "INSERT INTO users (id, account_key, display_name, created_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (account_key) DO UPDATE \
             SET display_name = excluded.display_name, last_seen_at = excluded.last_seen_at \
             RETURNING id, account_key, display_name, created_at, last_seen_at",
        )
        .bind(secrets::random_id())
        .bind(account.as_str())
        .bind(display_name)
        .bind(at)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.into())
    }

    pub async fn find_user(&self, user_id: &str) -> Result<Option<User>, StoreError> {
        let row: Option<UserRow> = sqlx::query_as(
            "SELECT id, account_key, display_name, created_at, last_seen_at \
             FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(User::from))
    }

    /// Every user, oldest first, with the scopes of their Spotify grant.
    pub async fn list_users(&self) -> Result<Vec<UserSummary>, StoreError> {
        let rows: Vec<SummaryRow> = sqlx::query_as(
            "SELECT u.id, u.account_key, u.display_name, u.created_at, u.last_seen_at, \
             g.scopes AS grant_scopes \
             FROM users u LEFT JOIN spotify_grants g ON g.user_id = u.id \
             ORDER BY u.created_at, u.id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| UserSummary {
                user: row.user.into(),
                grant_scopes: row.grant_scopes.as_deref().map(Scopes::parse),
            })
            .collect())
    }

    /// Removes the user with their grant, codes, tokens, consents and audit records, in one
    /// transaction.
    /// Returns whether there was such a user.
    pub async fn delete_user(&self, user_id: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        // Explicit rather than relying on ON DELETE CASCADE, which SQLite honours only with
        // foreign keys enabled on the connection.
        for table in [
            "oauth_tokens",
            "authorization_codes",
            "consents",
            "spotify_grants",
            "audit_events",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        let deleted = sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(deleted > 0)
    }
}
