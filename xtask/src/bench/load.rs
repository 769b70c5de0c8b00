//! A load generator for streamable HTTP, in the spirit of wrk: raw HTTP/1.1 keep-alive
//! connections (hyper's client connection, no pool), one MCP session per connection, requests
//! serialized once and answers checked without decoding them. The rmcp client spends more CPU per
//! call than the servers it measures, and shares their two cores: with it, the table showed the
//! client's speed, not the server's.

use super::error::BenchError;
use super::measure::Call;
use super::process::STEP_TIMEOUT;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const SESSION_HEADER: &str = "mcp-session-id";
const VERSION_HEADER: &str = "mcp-protocol-version";
const PROTOCOL_VERSION: &str = "2025-06-18";

/// One keep-alive connection carrying one initialized MCP session.
pub(crate) struct Connection {
    sender: SendRequest<Full<Bytes>>,
    addr: SocketAddr,
    host: String,
    session: Option<String>,
    /// `Authorization: Bearer` on every request (multi-user mode), when set.
    bearer: Option<String>,
}

impl Connection {
    /// A new connection to `addr` with an initialized session, acting for `bearer`'s user.
    pub(crate) async fn open(addr: SocketAddr, bearer: Option<&str>) -> Result<Self, String> {
        let mut this = Self {
            sender: handshake(addr).await?,
            addr,
            host: addr.to_string(),
            session: None,
            bearer: bearer.map(|token| format!("Bearer {token}")),
        };
        let initialize = json!({
            "jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": { "name": "spotify-mcp-bench", "version": "1" }
            }
        });
        let (status, headers, body) = this.post(Bytes::from(initialize.to_string())).await?;
        if status != StatusCode::OK || !contains(&body, b"\"result\"") {
            return Err(format!("initialize answered {status}: {}", lossy(&body)));
        }
        this.session = headers
            .get(SESSION_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        let initialized = json!({ "jsonrpc": "2.0", "method": "notifications/initialized" });
        let (status, _, body) = this.post(Bytes::from(initialized.to_string())).await?;
        if !status.is_success() {
            return Err(format!("initialized answered {status}: {}", lossy(&body)));
        }
        Ok(this)
    }

    /// Connects again when the server closed the connection (kept alive and idle past its
    /// header timeout, while a worker served its other sessions): the MCP session lives on.
    pub(crate) async fn reopen_if_closed(&mut self) -> Result<(), String> {
        if self.sender.is_closed() {
            self.sender = handshake(self.addr).await?;
        }
        Ok(())
    }

    pub(crate) async fn post(
        &mut self,
        body: Bytes,
    ) -> Result<(StatusCode, hyper::HeaderMap, Bytes), String> {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri("/mcp")
            .header("host", &self.host)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header(VERSION_HEADER, PROTOCOL_VERSION);
        if let Some(session) = &self.session {
            request = request.header(SESSION_HEADER, session);
        }
        if let Some(bearer) = &self.bearer {
            request = request.header("authorization", bearer);
        }
        let request = request.body(Full::new(body)).map_err(|e| e.to_string())?;
        self.sender.ready().await.map_err(|e| e.to_string())?;
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| format!("request: {e}"))?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| format!("answer body: {e}"))?
            .to_bytes();
        Ok((parts.status, parts.headers, body))
    }

    /// Ends the session, so the server's session limit is free for the next run.
    pub(crate) async fn close(mut self) {
        let Some(session) = self.session.take() else {
            return;
        };
        if self.reopen_if_closed().await.is_err() {
            return;
        }
        let mut request = Request::builder()
            .method(Method::DELETE)
            .uri("/mcp")
            .header("host", &self.host)
            .header(SESSION_HEADER, session)
            .header(VERSION_HEADER, PROTOCOL_VERSION);
        if let Some(bearer) = &self.bearer {
            request = request.header("authorization", bearer);
        }
        let request = request.body(Full::new(Bytes::new()));
        if let (Ok(request), Ok(())) = (request, self.sender.ready().await) {
            let _ = tokio::time::timeout(STEP_TIMEOUT, self.sender.send_request(request)).await;
        }
    }
}

/// A keep-alive HTTP/1.1 connection to `addr`, its driver spawned.
async fn handshake(addr: SocketAddr) -> Result<SendRequest<Full<Bytes>>, String> {
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect to {addr}: {e}"))?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let (sender, connection) = http1::handshake(TokioIo::new(tcp))
        .await
        .map_err(|e| format!("HTTP handshake: {e}"))?;
    tokio::spawn(connection);
    Ok(sender)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

pub(crate) fn lossy(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned()
}

/// Whether an answer to a `tools/call` is a successful result. The first answer of each
/// connection is decoded in full; later ones are only searched, to keep the client cheap.
pub(crate) fn successful(body: &[u8], decode: bool) -> Result<(), String> {
    if !decode {
        return if contains(body, b"\"result\"") && !contains(body, b"\"isError\":true") {
            Ok(())
        } else {
            Err(format!("not a successful result: {}", lossy(body)))
        };
    }
    let text = std::str::from_utf8(body).map_err(|e| e.to_string())?;
    // The answer is JSON, or one server-sent event whose data line is the JSON.
    let json = text
        .lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .map(str::trim)
        .find(|data| !data.is_empty())
        .unwrap_or(text);
    let message: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let result = message
        .get("result")
        .ok_or_else(|| format!("no result: {}", lossy(body)))?;
    if result.get("isError") == Some(&serde_json::Value::Bool(true)) {
        return Err(format!("the call failed: {}", lossy(body)));
    }
    Ok(())
}

/// Successful `call`s per second over `concurrency` connections, each its own session with one
/// call in flight, until `total` calls are sent or `budget` is spent.
pub async fn calls_per_second(
    addr: SocketAddr,
    call: &Call,
    concurrency: usize,
    total: usize,
    budget: Duration,
) -> Result<f64, BenchError> {
    let failed = |problem: String| {
        BenchError::Protocol(format!(
            "{} at {concurrency} connections: {problem}",
            call.tool
        ))
    };
    let mut connections = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let opened = tokio::time::timeout(STEP_TIMEOUT, Connection::open(addr, None))
            .await
            .map_err(|_| failed("opening a session timed out".into()))?
            .map_err(failed)?;
        connections.push(opened);
    }
    let request = Bytes::from(
        json!({
            "jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": { "name": call.tool, "arguments": call.arguments }
        })
        .to_string(),
    );
    let issued = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for mut connection in connections {
        let (issued, request) = (issued.clone(), request.clone());
        workers.spawn(async move {
            let mut done = 0usize;
            let outcome = loop {
                if issued.fetch_add(1, Ordering::Relaxed) >= total || started.elapsed() > budget {
                    break Ok((done, Instant::now()));
                }
                let answer = tokio::time::timeout(STEP_TIMEOUT, connection.post(request.clone()));
                match answer.await {
                    Ok(Ok((StatusCode::OK, _, body))) => match successful(&body, done == 0) {
                        Ok(()) => done += 1,
                        Err(problem) => break Err(problem),
                    },
                    Ok(Ok((status, _, body))) => {
                        break Err(format!("answered {status}: {}", lossy(&body)));
                    }
                    Ok(Err(problem)) => break Err(problem),
                    Err(_) => break Err("a call timed out".into()),
                }
            };
            connection.close().await;
            outcome
        });
    }
    let (mut done, mut ended) = (0, started);
    let mut problem = None;
    while let Some(joined) = workers.join_next().await {
        match joined {
            Ok(Ok((n, at))) => (done, ended) = (done + n, ended.max(at)),
            Ok(Err(p)) => problem = problem.or(Some(p)),
            Err(e) => problem = problem.or(Some(format!("a worker failed: {e}"))),
        }
    }
    match problem {
        Some(problem) => Err(failed(problem)),
        // Until the last call's answer: closing the sessions is not part of the rate.
        None => Ok(done as f64 / ended.duration_since(started).as_secs_f64()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_success_and_failure() {
        let ok = b"data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]}}\n\n";
        let failed = b"data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"isError\":true}}\n\n";
        let error = b"{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602}}";
        for decode in [true, false] {
            assert!(successful(ok, decode).is_ok());
            assert!(successful(failed, decode).is_err());
            assert!(successful(error, decode).is_err());
        }
    }
}
