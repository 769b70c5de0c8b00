//! Each user's Spotify grant, sealed: the tokens are AES-256-GCM ciphertext in the database,
//! bound to the user's row so a sealed grant cannot be moved to another user.

use super::model::{NewGrant, Scopes, SpotifyGrant};
use super::{Store, StoreError, now};
use crate::foundation::sealed::SealError;
use crate::foundation::secret::Secret;
use serde::{Deserialize, Serialize};

/// What is sealed: the two tokens, nothing else.
#[derive(Serialize, Deserialize)]
struct Tokens {
    access: Secret,
    refresh: Option<Secret>,
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    sealed_tokens: String,
    scopes: String,
    expires_at: i64,
    authorized_at: i64,
    version: i64,
}

/// The associated data a user's grant is sealed with.
fn context(user_id: &str) -> String {
    format!("spotify-mcp/store/spotify_grants/{user_id}")
}

impl Store {
    /// Stores `grant` for the user if the stored one is still at `expected_version` (`None`:
    /// there is none yet), and returns the new version. Otherwise
    /// [`StoreError::GrantChanged`]: someone else refreshed first; load theirs.
    pub async fn save_grant(
        &self,
        user_id: &str,
        grant: &NewGrant,
        expected_version: Option<i64>,
    ) -> Result<i64, StoreError> {
        let tokens = Tokens {
            access: grant.access_token.clone(),
            refresh: grant.refresh_token.clone(),
        };
        let plain = serde_json::to_vec(&tokens).expect("two strings serialize");
        let sealed = self.keys.seal(&plain, &context(user_id));
        let scopes = grant.scopes.to_string();
        let written =
            match expected_version {
                None => {
                    sqlx::query(
                        "INSERT INTO spotify_grants (user_id, sealed_tokens, scopes, expires_at, \
                     authorized_at, version, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6) \
                     ON CONFLICT (user_id) DO NOTHING",
                    )
                    .bind(user_id)
                    .bind(&sealed)
                    .bind(&scopes)
                    .bind(grant.expires_at)
                    .bind(grant.authorized_at)
                    .bind(now())
                    .execute(&self.pool)
                    .await
                    .map_err(unknown_user)?
                    .rows_affected()
                        > 0
                }
                Some(version) => sqlx::query(
                    "UPDATE spotify_grants SET sealed_tokens = $2, scopes = $3, expires_at = $4, \
                     authorized_at = $5, version = version + 1, updated_at = $6 \
                     WHERE user_id = $1 AND version = $7",
                )
                .bind(user_id)
                .bind(&sealed)
                .bind(&scopes)
                .bind(grant.expires_at)
                .bind(grant.authorized_at)
                .bind(now())
                .bind(version)
                .execute(&self.pool)
                .await?
                .rows_affected()
                    > 0,
            };
        if !written {
            return Err(StoreError::GrantChanged);
        }
        Ok(expected_version.unwrap_or(0) + 1)
    }

    /// The user's grant, opened, or `None` when they have none.
    pub async fn load_grant(&self, user_id: &str) -> Result<Option<SpotifyGrant>, StoreError> {
        let row: Option<GrantRow> = sqlx::query_as(
            "SELECT sealed_tokens, scopes, expires_at, authorized_at, version \
             FROM spotify_grants WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let plain = self
            .keys
            .open(&row.sealed_tokens, &context(user_id))
            .map_err(|error| match error {
                SealError::WrongKey => StoreError::GrantKey,
                SealError::Format => StoreError::Corrupt("Spotify grant"),
            })?;
        let tokens: Tokens =
            serde_json::from_slice(&plain).map_err(|_| StoreError::Corrupt("Spotify grant"))?;
        Ok(Some(SpotifyGrant {
            user_id: user_id.to_string(),
            access_token: tokens.access,
            refresh_token: tokens.refresh,
            scopes: Scopes::parse(&row.scopes),
            expires_at: row.expires_at,
            authorized_at: row.authorized_at,
            version: row.version,
        }))
    }
}

/// A grant for a user that does not exist breaks the foreign key.
fn unknown_user(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::UnknownUser,
        _ => StoreError::from(error),
    }
}
