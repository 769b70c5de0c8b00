//! `ClientHooks` for the generated client: every Spotify call passes through here, keyed by
//! progenitor's `operation_id`. `pre` sets the bearer token (refreshed ahead of expiry), the
//! real body media type, and drops progenitor's `api-version` header (Spotify has no use for
//! it); `exec` runs the middleware pipeline; `post` explains a grant Spotify refused for good, and an answer over the size cap.

use super::Client;
use crate::middleware::auth::TokenSource;
use crate::middleware::pipeline::{AnswerTooLarge, Middleware, bearer_header};
use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use std::sync::Arc;

/// State the generated client carries for the middleware (cloned with the client, so shared).
#[derive(Clone, Debug)]
pub struct Inner {
    pub tokens: Arc<TokenSource>,
    pub middleware: Arc<Middleware>,
}

impl ClientHooks<Inner> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let headers = request.headers_mut();
        headers.remove("api-version");
        if let Some(media_type) =
            crate::spec::operation(info.operation_id).and_then(|op| op.body_content_type)
        {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(media_type));
        }
        let token = self
            .inner
            .tokens
            .bearer()
            .await
            .map_err(|e| Error::Custom(e.to_string()))?;
        let header = bearer_header(&token).ok_or_else(|| {
            Error::Custom("the access token contains characters not allowed in a header".into())
        })?;
        request.headers_mut().insert(AUTHORIZATION, header);
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        self.inner
            .middleware
            .execute(self.client(), request, info.operation_id)
            .await
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        if let Ok(response) = result
            && let Some(too_large) = response.extensions().get::<AnswerTooLarge>()
        {
            return Err(Error::Custom(too_large.message()));
        }
        if let Ok(response) = result
            && response.status() == StatusCode::UNAUTHORIZED
            && let Some(reason) = self.inner.tokens.dead_grant().await
        {
            return Err(Error::Custom(reason));
        }
        Ok(())
    }
}
