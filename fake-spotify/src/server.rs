//! The HTTP side: an accept loop that can reset a connection on demand, and the handler that
//! logs a request, applies the knobs and hands it to the accounts service or the Web API.

use crate::auth::{IssuedToken, Tokens};
use crate::data::catalog::Catalog;
use crate::faults::{self, Fault};
use crate::knobs::Knobs;
use crate::log::RequestLog;
use crate::state::State;
use crate::{admin, api, auth};
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinSet;

/// Request bodies larger than this are refused (413): the fake only ever needs small ones.
const MAX_REQUEST_BODY: usize = 1 << 20;

pub(crate) struct Shared {
    knobs: Mutex<Knobs>,
    /// Requests the faults apply to since the knobs were last set.
    fault_count: AtomicU64,
    pub catalog: Catalog,
    state: Mutex<State>,
    pub tokens: Tokens,
    pub log: RequestLog,
    /// `http://127.0.0.1:PORT/v1`
    pub api_base: String,
}

impl Shared {
    pub fn new(addr: SocketAddr, knobs: Knobs) -> Self {
        let catalog = Catalog::generate(knobs.seed);
        let state = State::generate(knobs.seed, &catalog);
        Self {
            knobs: Mutex::new(knobs),
            fault_count: AtomicU64::new(0),
            catalog,
            state: Mutex::new(state),
            tokens: Tokens::default(),
            log: RequestLog::default(),
            api_base: format!("http://{addr}/v1"),
        }
    }

    pub fn knobs(&self) -> Knobs {
        self.knobs.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set_knobs(&self, mut knobs: Knobs) {
        let mut current = self.knobs.lock().unwrap_or_else(|e| e.into_inner());
        knobs.seed = current.seed;
        *current = knobs;
        self.fault_count.store(0, Ordering::SeqCst);
    }

    pub fn with_state<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn issue_user_token(&self) -> IssuedToken {
        self.tokens.issue(
            true,
            auth::ALL_SCOPES,
            self.knobs().token_lifetime_secs,
            true,
        )
    }
}

/// Lets a handler reset the connection its request came on.
#[derive(Clone)]
pub(crate) struct ConnectionKill(Arc<Notify>);

impl ConnectionKill {
    pub fn kill(&self) {
        self.0.notify_one();
    }
}

pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let router = Router::new()
        .nest("/__fake", admin::router())
        .fallback(handle)
        .with_state(shared);
    // Owned here, so aborting this task closes every connection with it.
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        connections.spawn(async move {
            // A second handle on the socket, to set SO_LINGER 0 (a reset) when asked to.
            let Ok(socket) = stream.as_fd().try_clone_to_owned() else {
                return;
            };
            let kill = Arc::new(Notify::new());
            let handle = ConnectionKill(kill.clone());
            let service = hyper::service::service_fn(
                move |mut request: hyper::Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(handle.clone());
                    let mut router = router.clone();
                    tower_service::Service::call(&mut router, request)
                },
            );
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                _ = kill.notified() => {
                    let _ = socket2::SockRef::from(&socket).set_linger(Some(Duration::ZERO));
                }
            }
        });
    }
}

/// Every request but the admin ones.
async fn handle(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let knobs = shared.knobs();
    let path = parts.uri.path().to_string();
    let in_scope = match &knobs.fault_path_prefix {
        Some(prefix) => path.starts_with(prefix.as_str()),
        None => path.starts_with("/v1/"),
    };
    let fault = if knobs
        .never_answer_path
        .as_deref()
        .is_some_and(|prefix| path.starts_with(prefix))
    {
        Some(Fault::NeverAnswer)
    } else if in_scope {
        let count = shared.fault_count.fetch_add(1, Ordering::SeqCst) + 1;
        faults::decide(&knobs, count)
    } else {
        None
    };
    let seq = shared.log.push(
        parts.method.as_str(),
        &path,
        parts.uri.query(),
        fault.map(Fault::name),
    );
    let response = carry_out(&shared, &knobs, fault, parts, body).await;
    shared.log.answered(seq, response.status().as_u16());
    response
}

/// The answer to a request, with `fault` applied.
async fn carry_out(
    shared: &Shared,
    knobs: &Knobs,
    fault: Option<Fault>,
    parts: axum::http::request::Parts,
    body: Body,
) -> Response {
    let path = parts.uri.path();
    let body = match axum::body::to_bytes(body, MAX_REQUEST_BODY).await {
        Ok(body) => body,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    if knobs.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.latency_ms)).await;
    }
    if let Some(fault) = fault
        && let Some(response) = faults::before(fault, knobs, !path.starts_with("/v1/")).await
    {
        return response;
    }
    let (status, json) = if path == "/api/token" {
        auth::token_endpoint(shared, &parts.headers, &body)
    } else if path == "/authorize" {
        return auth::authorize(shared, parts.uri.query());
    } else if let Some(rest) = path.strip_prefix("/v1/") {
        let request = api::ApiRequest {
            method: parts.method.as_str(),
            segments: rest.split('/').filter(|s| !s.is_empty()).collect(),
            query: api::Query::parse(parts.uri.query()),
            headers: &parts.headers,
            body: &body,
        };
        api::answer(shared, knobs, request)
    } else {
        api::error(404, "Service not found", None)
    };
    let kill = parts.extensions.get::<ConnectionKill>().cloned();
    faults::after(fault, knobs, status, json, kill).await
}

/// A JSON (or empty) answer.
pub(crate) fn respond(status: u16, json: Option<serde_json::Value>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match json {
        Some(json) => (status, axum::Json(json)).into_response(),
        None => (status, Body::empty()).into_response(),
    }
}
