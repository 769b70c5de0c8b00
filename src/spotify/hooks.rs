//! `ClientHooks` for the generated client: every Spotify call passes through here, keyed by
//! progenitor's `operation_id`. `pre` refuses a URL that left its operation's path template
//! (see [`super::path_guard`]), sets the bearer token of the call's own credentials
//! (refreshed ahead of expiry), the real body media type, and drops progenitor's `api-version`
//! header (Spotify has no use for it); `exec` runs the middleware pipeline; `post` explains a
//! grant Spotify refused for good, and an answer over the size cap. A failure on this side of
//! Spotify is noted in the call ([`Call::take_failure`]) so that it reaches the user typed.

use super::client::Client;
use super::path_guard;
use crate::middleware::call::{Call, CallFailure};
use crate::middleware::pipeline::{AnswerTooLarge, Middleware, bearer_header};
use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use std::sync::Arc;

/// State the generated client carries: the middleware every call shares, and the call it is
/// making (a client is made per tool call by [`super::SpotifyApi::acting_for`]).
#[derive(Clone, Debug)]
pub struct Inner {
    pub middleware: Arc<Middleware>,
    pub call: Arc<Call>,
    /// The base URL's path, which the path guard expects every request to start with.
    pub base_path: Arc<str>,
}

impl Client {
    /// Notes why the call failed and hands progenitor the error it can carry.
    fn fail<E>(&self, failure: CallFailure) -> Error<E> {
        let message = failure.to_string();
        self.inner.call.note_failure(failure);
        Error::Custom(message)
    }
}

impl ClientHooks<Inner> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        if let Err(failure) =
            path_guard::check(&self.inner.base_path, request.url(), info.operation_id)
        {
            return Err(self.fail(failure));
        }
        let headers = request.headers_mut();
        headers.remove("api-version");
        if let Some(media_type) =
            crate::spec::operation(info.operation_id).and_then(|op| op.body_content_type)
        {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(media_type));
        }
        let token = match self.inner.call.credentials().bearer().await {
            Ok(token) => token,
            Err(error) => return Err(self.fail(error.into())),
        };
        let header =
            bearer_header(&token).ok_or_else(|| self.fail(CallFailure::UnsendableToken))?;
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
            .execute(self.client(), request, info.operation_id, &self.inner.call)
            .await
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let Ok(response) = result else {
            return Ok(());
        };
        if let Some(too_large) = response.extensions().get::<AnswerTooLarge>() {
            return Err(self.fail((*too_large).into()));
        }
        if response.status() == StatusCode::UNAUTHORIZED
            && let Some(reason) = self.inner.call.credentials().dead_grant().await
        {
            return Err(self.fail(CallFailure::GrantRefused(reason)));
        }
        Ok(())
    }
}
