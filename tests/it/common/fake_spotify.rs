//! A fake Spotify Web API and accounts service: a real HTTP server on 127.0.0.1 that records
//! every request and answers with whatever the test set.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    pub fn json_body(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    }
}

#[derive(Debug, Clone)]
pub struct Canned {
    pub status: u16,
    pub body: Option<Value>,
    pub headers: Vec<(String, String)>,
    /// How long the fake waits before answering (to let concurrent callers pile up).
    pub delay: Option<Duration>,
}

impl Canned {
    pub fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
            headers: Vec::new(),
            delay: None,
        }
    }
    /// A Web API error in Spotify's shape: `{"error": {"status", "message"}}`.
    pub fn error(status: u16, message: &str) -> Self {
        Self::json(
            status,
            serde_json::json!({ "error": { "status": status, "message": message } }),
        )
    }
    pub fn empty(status: u16) -> Self {
        Self {
            status,
            body: None,
            headers: Vec::new(),
            delay: None,
        }
    }
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }
}

#[derive(Default)]
struct Shared {
    requests: Vec<Recorded>,
    /// `(path prefix, answer)` used once each, first match wins; checked before `routes`.
    queue: VecDeque<(String, Canned)>,
    /// `(path prefix, answer)` used every time, first match wins; checked before `default`.
    routes: Vec<(String, Canned)>,
    default: Option<Canned>,
}

pub struct FakeSpotify {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    _server: tokio::task::JoinHandle<()>,
}

impl FakeSpotify {
    pub async fn start() -> Self {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("fake Spotify serves");
        });
        Self {
            addr,
            shared,
            _server: server,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answer every request with `canned` from now on (after any queued answers).
    pub fn respond(&self, canned: Canned) {
        self.shared.lock().unwrap().default = Some(canned);
    }

    /// Answer the next request with `canned`.
    pub fn respond_once(&self, canned: Canned) {
        self.respond_once_at("", canned);
    }

    /// Answer the next request whose path starts with `prefix` with `canned`.
    pub fn respond_once_at(&self, prefix: &str, canned: Canned) {
        self.shared
            .lock()
            .unwrap()
            .queue
            .push_back((prefix.to_string(), canned));
    }

    /// Answer every request whose path starts with `prefix` with `canned` (after queued answers).
    pub fn respond_at(&self, prefix: &str, canned: Canned) {
        self.shared
            .lock()
            .unwrap()
            .routes
            .push((prefix.to_string(), canned));
    }

    /// Requests whose path starts with `prefix`.
    pub fn requests_at(&self, prefix: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.path.starts_with(prefix))
            .collect()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().unwrap().requests.clone()
    }

    pub fn take_requests(&self) -> Vec<Recorded> {
        std::mem::take(&mut self.shared.lock().unwrap().requests)
    }
}

async fn handle(State(shared): State<Arc<Mutex<Shared>>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 16 << 20)
        .await
        .unwrap_or_default();
    let query = parts.uri.query().map(url_pairs).unwrap_or_default();
    let canned = {
        let mut shared = shared.lock().unwrap();
        shared.requests.push(Recorded {
            method: parts.method.to_string(),
            path: parts.uri.path().to_string(),
            query,
            headers: parts.headers.clone(),
            body,
        });
        let path = parts.uri.path();
        let queued = shared
            .queue
            .iter()
            .position(|(prefix, _)| path.starts_with(prefix.as_str()));
        match queued {
            Some(index) => shared.queue.remove(index).map(|(_, canned)| canned),
            None => shared
                .routes
                .iter()
                .find(|(prefix, _)| path.starts_with(prefix.as_str()))
                .map(|(_, canned)| canned.clone())
                .or_else(|| shared.default.clone()),
        }
    };
    let canned = canned.unwrap_or_else(|| Canned::empty(204));
    if let Some(delay) = canned.delay {
        tokio::time::sleep(delay).await;
    }
    let status = StatusCode::from_u16(canned.status).expect("valid status");
    let mut response = match canned.body {
        Some(body) => (status, axum::Json(body)).into_response(),
        None => status.into_response(),
    };
    for (name, value) in canned.headers {
        response.headers_mut().insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    response
}

/// Decodes `a=1&b=x%2Cy` into pairs.
pub fn url_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}
