//! `ClientHooks` for the generated client: every Spotify call passes through here, keyed by
//! `operation_id`. Today: the bearer token, the real body media type, and dropping progenitor's
//! `api-version` header (Spotify has no use for it).

use super::{Client, body_content_type};
use crate::middleware::auth::TokenSource;
use progenitor_client::{ClientHooks, Error, OperationInfo};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use std::sync::Arc;

/// State the generated client carries for the middleware (cloned with the client, so shared).
#[derive(Clone, Debug)]
pub struct Inner {
    pub tokens: Arc<TokenSource>,
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
        let mut value =
            HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                Error::Custom("the access token contains characters not allowed in a header".into())
            })?;
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
        Ok(())
    }
}
