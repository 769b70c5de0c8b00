//! `ClientHooks` for the generated client: every Spotify call passes through here, keyed by
//! progenitor's `operation_id`. The bearer token (refreshed ahead of expiry), one refresh and
//! retry after a 401, the real body media type, and dropping progenitor's `api-version` header
//! (Spotify has no use for it).

use super::{Client, body_content_type};
use crate::middleware::auth::{AuthError, Secret, TokenSource};
use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use std::sync::Arc;

/// State the generated client carries for the middleware (cloned with the client, so shared).
#[derive(Clone, Debug)]
pub struct Inner {
    pub tokens: Arc<TokenSource>,
}

fn bearer_header(token: &Secret) -> Result<HeaderValue, AuthError> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
        AuthError::Grant("the access token contains characters not allowed in a header".into())
    })?;
    value.set_sensitive(true);
    Ok(value)
}

fn sent_token(request: &reqwest::Request) -> Option<Secret> {
    let value = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(Secret::new)
}

impl ClientHooks<Inner> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let headers = request.headers_mut();
        headers.remove("api-version");
        if let Some(media_type) = body_content_type(info.operation_id) {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(media_type));
        }
        let token = self
            .inner
            .tokens
            .bearer()
            .await
            .map_err(|e| Error::Custom(e.to_string()))?;
        let header = bearer_header(&token).map_err(|e| Error::Custom(e.to_string()))?;
        request.headers_mut().insert(AUTHORIZATION, header);
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let retry = request.try_clone();
        let rejected = sent_token(&request);
        let response = self.client().execute(request).await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        // One refresh and one retry; when the token cannot be renewed, `post` says why.
        let (Some(mut retry), Some(rejected)) = (retry, rejected) else {
            return Ok(response);
        };
        match self.inner.tokens.renew_after_rejection(&rejected).await {
            Some(Ok(token)) => match bearer_header(&token) {
                Ok(header) => {
                    retry.headers_mut().insert(AUTHORIZATION, header);
                    self.client().execute(retry).await
                }
                Err(_) => Ok(response),
            },
            _ => Ok(response),
        }
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        if let Ok(response) = result
            && response.status() == StatusCode::UNAUTHORIZED
            && let Some(reason) = self.inner.tokens.dead_grant().await
        {
            return Err(Error::Custom(reason));
        }
        Ok(())
    }
}
