//! The path of every Spotify call after progenitor built the request: cache lookup, the
//! rate-limit governor, the request itself with its permitted retries (a 401 refresh, a short
//! 429 wait, 5xx and connection failures of idempotent calls), then storing the answer or
//! invalidating what a write made stale. Called from `ClientHooks::exec`.

use super::cache::Cache;
use super::call::{Call, CallFailure};
use super::governor::{Decision, Governor};
use super::routes::RouteMemory;
use super::served::CachedRead;
use crate::credentials::Credentials;
use crate::foundation::metrics;
use crate::foundation::secret::Secret;
use crate::spec::{self, Operation};
use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Method, Request, Response, StatusCode};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Error bodies are read (for Spotify's `reason`) up to this size.
const MAX_ERROR_BODY: usize = 64 * 1024;
/// Success bodies are read up to this size unless configured otherwise.
const DEFAULT_MAX_BODY: usize = 8 * 1024 * 1024;
/// First retry delay; doubled per retry, with jitter.
const BACKOFF_BASE: Duration = Duration::from_millis(200);

/// The middleware state every call shares (whose token a call sends is the call's own: [`Call`]).
#[derive(Debug)]
pub struct Middleware {
    pub cache: Option<Arc<Cache>>,
    pub governor: Arc<Governor>,
    pub retries: u32,
    /// Success bodies larger than this are not read: the call fails with [`AnswerTooLarge`].
    pub max_body_bytes: usize,
    /// Which side of each route family Spotify moved in 2026 this app may use.
    pub routes: RouteMemory,
}

pub fn bearer_header(token: &Secret) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose())).ok()?;
    value.set_sensitive(true);
    Some(value)
}

fn sent_token(request: &Request) -> Option<Secret> {
    let value = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(Secret::new)
}

fn rebuild(status: StatusCode, headers: HeaderMap, body: Bytes) -> Response {
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Response::from(response)
}

/// Reads an error answer's body (bounded) for Spotify's `reason`, and gives the answer back.
async fn inspect(response: Response) -> (Response, Option<String>) {
    let status = response.status();
    let headers = response.headers().clone();
    let mut response = response;
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_ERROR_BODY {
            body.truncate(MAX_ERROR_BODY);
            break;
        }
    }
    let reason = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            v.pointer("/error/reason")
                .and_then(|r| r.as_str())
                .map(String::from)
        });
    (rebuild(status, headers, Bytes::from(body)), reason)
}

/// Marks an answer whose body was over the size cap and was not read; the `post` hook turns it
/// into the call's error.
#[derive(Debug, Clone, Copy)]
pub struct AnswerTooLarge {
    pub limit: usize,
}

impl From<AnswerTooLarge> for CallFailure {
    fn from(too_large: AnswerTooLarge) -> Self {
        CallFailure::AnswerTooLarge {
            limit: too_large.limit,
        }
    }
}

/// Reads a success body up to `limit` bytes, so an oversized answer never fills memory; over
/// the cap, an empty answer marked [`AnswerTooLarge`] stands in.
async fn read_capped(response: Response, limit: usize) -> reqwest::Result<Response> {
    let status = response.status();
    let headers = response.headers().clone();
    let too_large = || {
        let mut marked = rebuild(StatusCode::BAD_GATEWAY, HeaderMap::new(), Bytes::new());
        marked.extensions_mut().insert(AnswerTooLarge { limit });
        marked
    };
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Ok(too_large());
    }
    let mut response = response;
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Ok(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(rebuild(status, headers, Bytes::from(body)))
}

/// The answer for a call held back by a cooldown: Spotify's own 429 shape, never sent upstream.
fn cooldown_response(retry_after_secs: u64, reason: Option<String>) -> Response {
    let mut error = json!({
        "status": 429,
        "message": "Spotify asked to slow down; spotify-mcp holds calls until the cooldown ends (this call was not sent)",
    });
    if let Some(reason) = reason {
        error["reason"] = json!(reason);
    }
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
    rebuild(
        StatusCode::TOO_MANY_REQUESTS,
        headers,
        Bytes::from(json!({ "error": error }).to_string()),
    )
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

async fn backoff(attempt: u32) {
    let base = BACKOFF_BASE * 2u32.saturating_pow(attempt);
    let jittered = base.mul_f64(0.5 + fastrand::f64());
    tokio::time::sleep(jittered).await;
}

impl Middleware {
    /// No cache, no shared state, no retries: for one-off calls such as reading the profile at login.
    pub fn plain() -> Self {
        Self {
            cache: None,
            governor: Arc::new(Governor::new(Duration::ZERO, None)),
            retries: 0,
            max_body_bytes: DEFAULT_MAX_BODY,
            routes: RouteMemory::default(),
        }
    }

    /// Whether the cache still answers `read`'s request with the same body: same identity,
    /// no write since (the key holds the generations), not expired, not replaced.
    pub async fn still_serves(&self, read: &CachedRead, credentials: &dyn Credentials) -> bool {
        let (Some(cache), Some(op)) = (&self.cache, spec::operation(read.op_id)) else {
            return false;
        };
        let identity = credentials.identity().await;
        let key = cache.key(&identity, &read.url, op).await;
        if key != read.key {
            return false;
        }
        cache.get(&key).await.is_some_and(|body| {
            (body.as_ptr() == read.body.as_ptr() && body.len() == read.body.len())
                || body == read.body
        })
    }

    pub async fn execute(
        &self,
        http: &reqwest::Client,
        request: Request,
        op_id: &'static str,
        call: &Call,
    ) -> reqwest::Result<Response> {
        let op = spec::operation(op_id);
        let is_get = request.method() == Method::GET;
        // Only the cache needs to know who is asking.
        let identity = match &self.cache {
            Some(_) => call.credentials().identity().await,
            None => String::new(),
        };
        let url = request.url().clone();

        let mut slot = None;
        if let (Some(cache), Some(op), true) = (&self.cache, op, is_get)
            && let Some(ttl) = cache.ttl(op)
        {
            let key = cache.key(&identity, &url, op).await;
            if let Some(body) = cache.get(&key).await {
                call.note_cached(CachedRead {
                    op_id,
                    url,
                    key,
                    body: body.clone(),
                });
                let mut headers = HeaderMap::new();
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                return Ok(rebuild(StatusCode::OK, headers, body));
            }
            slot = Some((key, ttl));
        }

        let mut response = self.send(http, request, op, op_id, call).await?;
        let succeeded = response.status().is_success();
        if succeeded {
            response = read_capped(response, self.max_body_bytes).await?;
        }

        if let (Some((key, ttl)), Some(cache)) = (slot, &self.cache)
            && response.status() == StatusCode::OK
        {
            let (status, headers) = (response.status(), response.headers().clone());
            let body = response.bytes().await?;
            cache.put(key.clone(), body.clone(), ttl).await;
            call.note_cached(CachedRead {
                op_id,
                url,
                key,
                body: body.clone(),
            });
            return Ok(rebuild(status, headers, body));
        }
        call.note_uncached();
        if let (Some(cache), Some(op), false) = (&self.cache, op, is_get)
            && succeeded
        {
            cache.invalidate(&identity, &url, op).await;
        }
        Ok(response)
    }

    async fn send(
        &self,
        http: &reqwest::Client,
        request: Request,
        op: Option<&'static Operation>,
        op_id: &'static str,
        call: &Call,
    ) -> reqwest::Result<Response> {
        let idempotent = op.is_some_and(|o| o.idempotent);
        let mut retries_left = if idempotent { self.retries } else { 0 };
        let mut attempt = 0;
        let mut refreshed = false;
        let mut waited = false;
        let mut next = Some(request);
        loop {
            let request = next.take().expect("a request for every attempt");
            match self.governor.check().await {
                Decision::Go => {}
                Decision::Wait(left) => tokio::time::sleep(left).await,
                Decision::Reject {
                    retry_after_secs,
                    reason,
                } => return Ok(cooldown_response(retry_after_secs, reason)),
            }
            let spare = request.try_clone();
            let rejected = sent_token(&request);
            let started = Instant::now();
            let response = match http.execute(request).await {
                Ok(response) => response,
                Err(error) => {
                    metrics::upstream_failed(op_id);
                    if error.is_connect() && retries_left > 0 && spare.is_some() {
                        retries_left -= 1;
                        backoff(attempt).await;
                        attempt += 1;
                        next = spare;
                        continue;
                    }
                    return Err(error);
                }
            };
            let status = response.status();
            let (response, reason) = if status.is_client_error() || status.is_server_error() {
                inspect(response).await
            } else {
                (response, None)
            };
            metrics::upstream(op_id, status.as_u16(), reason.as_deref(), started.elapsed());

            if status == StatusCode::UNAUTHORIZED && !refreshed {
                // One refresh and one retry; when the token cannot be renewed, `post` says why.
                refreshed = true;
                if let (Some(mut spare), Some(rejected)) = (spare, rejected)
                    && let Some(Ok(token)) =
                        call.credentials().renew_after_rejection(&rejected).await
                    && let Some(header) = bearer_header(&token)
                {
                    spare.headers_mut().insert(AUTHORIZATION, header);
                    next = Some(spare);
                    continue;
                }
                return Ok(response);
            }
            if status == StatusCode::TOO_MANY_REQUESTS {
                let wait = self
                    .governor
                    .record(retry_after(response.headers()), reason)
                    .await;
                if !waited && wait <= self.governor.max_wait() && spare.is_some() {
                    waited = true;
                    tokio::time::sleep(wait).await;
                    next = spare;
                    continue;
                }
                return Ok(response);
            }
            if status.is_server_error() && retries_left > 0 && spare.is_some() {
                retries_left -= 1;
                backoff(attempt).await;
                attempt += 1;
                next = spare;
                continue;
            }
            return Ok(response);
        }
    }
}
