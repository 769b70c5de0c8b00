//! Access and refresh tokens this server issues to MCP clients: hashes only, refresh tokens
//! rotated on use, and a refresh token presented twice revokes its whole family.

use super::error::Refused;
use super::model::{AccessGrant, IssuedTokens, Redeemed, Revoked, Scopes, TokenLifetimes};
use super::{Store, StoreError, now, secrets};

#[derive(sqlx::FromRow)]
struct TokenRow {
    kind: String,
    client_id: String,
    user_id: String,
    scopes: String,
    resource: String,
    family_id: String,
    expires_at: i64,
    used_at: Option<i64>,
    revoked_at: Option<i64>,
}

const TOKEN_COLUMNS: &str =
    "kind, client_id, user_id, scopes, resource, family_id, expires_at, used_at, revoked_at";

impl Store {
    /// A new access and refresh token for what `grant` authorizes, in its family.
    pub async fn issue_tokens(
        &self,
        grant: &Redeemed,
        lifetimes: TokenLifetimes,
    ) -> Result<IssuedTokens, StoreError> {
        let mut tx = self.pool.begin().await?;
        let issued = insert_pair(&mut tx, grant, lifetimes).await?;
        tx.commit().await?;
        Ok(issued)
    }

    /// Exchanges a refresh token for a new pair. The old one is spent in the same statement
    /// that checks it, so two racing requests cannot both rotate it; presenting a spent one
    /// revokes every token of its family ([`Refused::RefreshReused`]).
    pub async fn rotate_refresh(
        &self,
        refresh_token: &str,
        client_id: &str,
        lifetimes: TokenLifetimes,
    ) -> Result<IssuedTokens, StoreError> {
        let hash = secrets::hash(refresh_token);
        let at = now();
        let mut tx = self.pool.begin().await?;
        let spent: Option<TokenRow> = sqlx::query_as(&format!(
            "UPDATE oauth_tokens SET used_at = $2 \
             WHERE token_hash = $1 AND kind = 'refresh' AND client_id = $3 \
             AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2 \
             RETURNING {TOKEN_COLUMNS}"
        ))
        .bind(&hash)
        .bind(at)
        .bind(client_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(spent) = spent else {
            drop(tx);
            return Err(self.refuse_refresh(&hash, client_id, at).await?.into());
        };
        let grant = Redeemed {
            user_id: spent.user_id,
            client_id: spent.client_id,
            scopes: Scopes::parse(&spent.scopes),
            resource: spent.resource,
            family_id: spent.family_id,
        };
        let issued = insert_pair(&mut tx, &grant, lifetimes).await?;
        tx.commit().await?;
        Ok(issued)
    }

    /// Whom an access token acts for, if it is valid.
    pub async fn resolve_access_token(&self, token: &str) -> Result<AccessGrant, StoreError> {
        let row = self
            .find_token(&secrets::hash(token))
            .await?
            .filter(|row| row.kind == "access")
            .ok_or(Refused::UnknownToken)?;
        if row.revoked_at.is_some() {
            return Err(Refused::TokenRevoked.into());
        }
        if row.expires_at <= now() {
            return Err(Refused::TokenExpired.into());
        }
        Ok(AccessGrant {
            user_id: row.user_id,
            client_id: row.client_id,
            scopes: Scopes::parse(&row.scopes),
            resource: row.resource,
            expires_at: row.expires_at,
        })
    }

    /// RFC 7009: revokes a token the client holds. A refresh token takes its whole family
    /// with it (the access tokens issued alongside included); another client's token, or an
    /// unknown one, is left alone.
    pub async fn revoke(&self, token: &str, client_id: &str) -> Result<Revoked, StoreError> {
        let hash = secrets::hash(token);
        let Some(row) = self.find_token(&hash).await? else {
            return Ok(Revoked::Nothing);
        };
        if row.client_id != client_id {
            return Ok(Revoked::Nothing);
        }
        let at = now();
        if row.kind == "refresh" {
            self.revoke_family(&row.family_id, at).await?;
            return Ok(Revoked::Family);
        }
        sqlx::query(
            "UPDATE oauth_tokens SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(&hash)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(Revoked::AccessToken)
    }

    /// Revokes every token of the user, with every client (`users revoke`): each client must
    /// have them sign in again. Returns how many tokens were still live.
    pub async fn revoke_user_tokens(&self, user_id: &str) -> Result<u64, StoreError> {
        Ok(sqlx::query(
            "UPDATE oauth_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
        )
        .bind(user_id)
        .bind(now())
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    /// Revokes every token issued from one authorization.
    pub(super) async fn revoke_family(&self, family_id: &str, at: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE oauth_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
        )
        .bind(family_id)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn find_token(&self, hash: &str) -> Result<Option<TokenRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {TOKEN_COLUMNS} FROM oauth_tokens WHERE token_hash = $1"
        ))
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Why a refresh token could not be rotated; a spent one revokes its family.
    async fn refuse_refresh(
        &self,
        hash: &str,
        client_id: &str,
        at: i64,
    ) -> Result<Refused, StoreError> {
        let Some(row) = self.find_token(hash).await?.filter(|r| r.kind == "refresh") else {
            return Ok(Refused::UnknownToken);
        };
        Ok(if row.client_id != client_id {
            Refused::ClientMismatch
        } else if row.used_at.is_some() {
            self.revoke_family(&row.family_id, at).await?;
            Refused::RefreshReused
        } else if row.revoked_at.is_some() {
            Refused::TokenRevoked
        } else {
            Refused::TokenExpired
        })
    }
}

/// Inserts an access and a refresh token for `grant`, inside the caller's transaction.
pub(super) async fn insert_pair(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    grant: &Redeemed,
    lifetimes: TokenLifetimes,
) -> Result<IssuedTokens, StoreError> {
    let at = now();
    let access = secrets::random_token();
    let refresh = secrets::random_token();
    let access_expires_at = at.saturating_add(lifetimes.access.as_secs() as i64);
    let refresh_expires_at = at.saturating_add(lifetimes.refresh.as_secs() as i64);
    for (kind, token, expires_at) in [
        ("access", &access, access_expires_at),
        ("refresh", &refresh, refresh_expires_at),
    ] {
        sqlx::query(
            "INSERT INTO oauth_tokens (token_hash, kind, client_id, user_id, scopes, resource, \
             family_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(secrets::hash(token.expose()))
        .bind(kind)
        .bind(&grant.client_id)
        .bind(&grant.user_id)
        .bind(grant.scopes.to_string())
        .bind(&grant.resource)
        .bind(&grant.family_id)
        .bind(expires_at)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(IssuedTokens {
        access_token: access,
        refresh_token: refresh,
        access_expires_at,
        refresh_expires_at,
        scopes: grant.scopes.clone(),
        family_id: grant.family_id.clone(),
    })
}
