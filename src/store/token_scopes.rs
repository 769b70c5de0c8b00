//! Narrowing the scope of a refreshed access token (RFC 6749 §6): the refresh token keeps the
//! scopes it was granted; only the access token issued alongside it may carry fewer.

use super::model::Scopes;
use super::{Store, StoreError, now, secrets};

impl Store {
    /// The scopes of a refresh token the client may still rotate (not spent, revoked or
    /// expired), without rotating it; `None` for any other token.
    pub async fn refresh_token_scopes(
        &self,
        refresh_token: &str,
        client_id: &str,
    ) -> Result<Option<Scopes>, StoreError> {
        let scopes: Option<String> = sqlx::query_scalar(
            "SELECT scopes FROM oauth_tokens WHERE token_hash = $1 AND kind = 'refresh' \
             AND client_id = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3",
        )
        .bind(secrets::hash(refresh_token))
        .bind(client_id)
        .bind(now())
        .fetch_optional(&self.pool)
        .await?;
        Ok(scopes.as_deref().map(Scopes::parse))
    }

    /// Gives a just-issued access token fewer scopes.
    pub async fn narrow_access_token(
        &self,
        access_token: &str,
        scopes: &Scopes,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE oauth_tokens SET scopes = $2 WHERE token_hash = $1 AND kind = 'access'",
        )
        .bind(secrets::hash(access_token))
        .bind(scopes.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
