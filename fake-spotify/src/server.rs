//! The HTTP side: an accept loop that can reset a connection on demand, and the handler that
//! logs a request, applies the knobs and hands it to the accounts service or the Web API.

use crate::auth::{Decision, Holder, IssuedToken, Tokens};
use crate::data::catalog::Catalog;
use crate::faults::{self, Fault};
use crate::knobs::Knobs;
use crate::log::RequestLog;
use crate::state::{FakeUser, State};
use crate::{admin, api, auth};
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use std::collections::VecDeque;
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
    /// What the next `GET /authorize` requests do instead of showing the page, in order.
    decisions: Mutex<VecDeque<Decision>>,
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
            decisions: Mutex::new(VecDeque::new()),
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

    /// A token with every scope for user `id` of app `client_id`, as after a sign-in.
    pub fn issue_token_for(&self, id: &str, client_id: &str) -> IssuedToken {
        let holder = Holder::User {
            id: id.to_string(),
            client_id: client_id.to_string(),
        };
        let lifetime = self.knobs().token_lifetime_secs;
        self.tokens.issue(holder, auth::ALL_SCOPES, lifetime, true)
    }

    pub fn issue_user_token(&self) -> IssuedToken {
        self.issue_token_for(crate::state::USER_ID, auth::TEST_CLIENT_ID)
    }

    pub fn add_user(&self, display_name: &str) -> FakeUser {
        self.with_state(|state| state.add_user(&self.catalog, display_name))
    }

    pub fn queue_decision(&self, decision: Decision) {
        lock(&self.decisions).push_back(decision);
    }

    pub fn next_decision(&self) -> Option<Decision> {
        lock(&self.decisions).pop_front()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
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
    let user = auth::bearer_token(&parts.headers).and_then(|t| shared.tokens.user_of(t));
    let seq = shared.log.push(
        parts.method.as_str(),
        &path,
        parts.uri.query(),
        fault.map(Fault::name),
        user,
    );
    let (response, signed_in) = carry_out(&shared, &knobs, fault, parts, body).await;
    shared
        .log
        .answered(seq, response.status().as_u16(), signed_in);
    response
}

/// The answer to a request, with `fault` applied, and the user an accounts request signed in.
async fn carry_out(
    shared: &Shared,
    knobs: &Knobs,
    fault: Option<Fault>,
    parts: axum::http::request::Parts,
    body: Body,
) -> (Response, Option<String>) {
    let path = parts.uri.path();
    let body = match axum::body::to_bytes(body, MAX_REQUEST_BODY).await {
        Ok(body) => body,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE.into_response(), None),
    };
    if knobs.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.latency_ms)).await;
    }
    if let Some(fault) = fault
        && let Some(response) = faults::before(fault, knobs, !path.starts_with("/v1/")).await
    {
        return (response, None);
    }
    let mut signed_in = None;
    let (status, json) = if path == "/api/token" {
        let answer = auth::token_endpoint(shared, &parts.headers, &body);
        signed_in = answer.user;
        (answer.status, Some(answer.json))
    } else if path == "/authorize" {
        return match parts.method.as_str() {
            "POST" => auth::authorize_post(shared, &body),
            _ => auth::authorize_get(shared, parts.uri.query()),
        };
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
    (
        faults::after(fault, knobs, status, json, kill).await,
        signed_in,
    )
}

/// A JSON (or empty) answer.
pub(crate) fn respond(status: u16, json: Option<serde_json::Value>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match json {
        Some(json) => (status, axum::Json(json)).into_response(),
        None => (status, Body::empty()).into_response(),
    }
}
