//! Authorization codes: stored as hashes, redeemed once.

use super::error::Refused;
use super::model::{
    IssuedCode, IssuedTokens, NewCode, Presented, Redeemed, Scopes, TokenLifetimes,
};
use super::tokens::insert_pair;
use super::{Store, StoreError, now, secrets};
use std::time::Duration;

#[derive(sqlx::FromRow)]
struct CodeRow {
    client_id: String,
    user_id: String,
    code_challenge: String,
    redirect_uri: String,
    resource: String,
    scopes: String,
    expires_at: i64,
}

impl Store {
    /// A new code for `code` (only its hash is kept), valid for `ttl`.
    pub async fn issue_code(
        &self,
        code: &NewCode,
        ttl: Duration,
    ) -> Result<IssuedCode, StoreError> {
        let secret = secrets::random_token();
        let at = now();
        let expires_at = at.saturating_add(ttl.as_secs() as i64);
        sqlx::query(
            "INSERT INTO authorization_codes (code_hash, client_id, user_id, code_challenge, \
             redirect_uri, resource, scopes, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(secrets::hash(secret.expose()))
        .bind(&code.client_id)
        .bind(&code.user_id)
        .bind(&code.code_challenge)
        .bind(&code.redirect_uri)
        .bind(&code.resource)
        .bind(code.scopes.to_string())
        .bind(expires_at)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(IssuedCode {
            code: secret,
            expires_at,
        })
    }

    /// Redeems a code for the client that presents it: once only, even when two requests race
    /// (one statement marks it used and reads it). A code presented again revokes the tokens
    /// its first redemption led to. A failed check still uses the code up: guesses at the
    /// verifier get one try.
    pub async fn redeem_code(
        &self,
        code: &str,
        client_id: &str,
        redirect_uri: &str,
        code_verifier: &str,
    ) -> Result<Redeemed, StoreError> {
        let presented = Presented {
            code,
            client_id,
            redirect_uri,
            code_verifier,
        };
        let mut tx = self.pool.begin().await?;
        let Some(checked) = self.spend(&mut tx, &presented).await? else {
            tx.rollback().await?;
            return Err(self.refuse_spent_code(code).await?.into());
        };
        tx.commit().await?;
        Ok(checked?)
    }

    /// [`Self::redeem_code`] and the tokens it leads to (for `resource` only) in one
    /// transaction: a database that fails midway leaves the code unspent, never spent without
    /// tokens, so the client's retry succeeds. A failed check still spends the code.
    pub async fn exchange_code(
        &self,
        presented: &Presented<'_>,
        resource: &str,
        lifetimes: TokenLifetimes,
    ) -> Result<IssuedTokens, StoreError> {
        let mut tx = self.pool.begin().await?;
        let Some(checked) = self.spend(&mut tx, presented).await? else {
            tx.rollback().await?;
            return Err(self.refuse_spent_code(presented.code).await?.into());
        };
        let checked = checked.and_then(|redeemed| match redeemed.resource == resource {
            true => Ok(redeemed),
            false => Err(Refused::ResourceMismatch),
        });
        let redeemed = match checked {
            Ok(redeemed) => redeemed,
            Err(refused) => {
                tx.commit().await?;
                return Err(refused.into());
            }
        };
        let issued = insert_pair(&mut tx, &redeemed, lifetimes).await?;
        tx.commit().await?;
        Ok(issued)
    }

    /// Marks the code used in `tx` and checks it: `None` when no unused code matches (the
    /// caller ends `tx`, then asks [`Self::refuse_spent_code`] why); a refusal is kept once
    /// `tx` commits.
    async fn spend(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        presented: &Presented<'_>,
    ) -> Result<Option<Result<Redeemed, Refused>>, StoreError> {
        let family_id = secrets::random_id();
        let at = now();
        let row: Option<CodeRow> = sqlx::query_as(
            "UPDATE authorization_codes SET used_at = $2, family_id = $3 \
             WHERE code_hash = $1 AND used_at IS NULL \
             RETURNING client_id, user_id, code_challenge, redirect_uri, resource, scopes, \
             expires_at",
        )
        .bind(secrets::hash(presented.code))
        .bind(at)
        .bind(&family_id)
        .fetch_optional(&mut **tx)
        .await?;
        Ok(row.map(|row| {
            check(row, presented, at).map(|row| Redeemed {
                user_id: row.user_id,
                client_id: row.client_id,
                scopes: Scopes::parse(&row.scopes),
                resource: row.resource,
                family_id,
            })
        }))
    }

    /// Why a code could not be redeemed; a used one has its token family revoked.
    async fn refuse_spent_code(&self, code: &str) -> Result<Refused, StoreError> {
        let (hash, at) = (secrets::hash(code), now());
        let family: Option<Option<String>> =
            sqlx::query_scalar("SELECT family_id FROM authorization_codes WHERE code_hash = $1")
                .bind(&hash)
                .fetch_optional(&self.pool)
                .await?;
        let Some(family) = family else {
            return Ok(Refused::UnknownCode);
        };
        if let Some(family) = family {
            self.revoke_family(&family, at).await?;
        }
        Ok(Refused::CodeReused)
    }
}

/// A spent code's checks: not expired, the presenting client and redirect, the PKCE verifier.
fn check(row: CodeRow, presented: &Presented<'_>, at: i64) -> Result<CodeRow, Refused> {
    if row.expires_at <= at {
        return Err(Refused::CodeExpired);
    }
    if row.client_id != presented.client_id || row.redirect_uri != presented.redirect_uri {
        return Err(Refused::CodeMismatch);
    }
    if !secrets::pkce_matches(presented.code_verifier, &row.code_challenge) {
        return Err(Refused::PkceMismatch);
    }
    Ok(row)
}
