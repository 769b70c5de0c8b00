//! TCP_NODELAY on accepted connections: rmcp writes each answer in several small pieces, and
//! without NODELAY Nagle's algorithm holds the last piece until the client's delayed ACK
//! (~40 ms on Linux), so every call on a keep-alive connection stalls. A plain HTTP/1.1 client
//! on one TCP connection sends 30 JSON-RPC requests, and the server's end of that connection
//! must have the option set (read from the server process's own socket, so no timing is
//! involved). The round trips are printed, not asserted: a loaded machine makes them noise.

use crate::common;

use common::fake_spotify::FakeSpotify;
use common::http_server::{ACCEPT, HttpServer, initialize};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CALLS: usize = 30;

/// One request on the open connection; returns the status, headers and body (de-chunked).
async fn exchange(
    stream: &mut TcpStream,
    port: u16,
    session: Option<&str>,
    body: &Value,
) -> (u16, String, String) {
    let body = body.to_string();
    let mut request = format!(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: {ACCEPT}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n",
        body.len()
    );
    if let Some(session) = session {
        request.push_str(&format!("Mcp-Session-Id: {session}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(&body);
    stream.write_all(request.as_bytes()).await.unwrap();

    let mut buffer = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            break end;
        }
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the server closed the connection");
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let lower = head.to_ascii_lowercase();
    let mut rest = buffer[head_end + 4..].to_vec();
    if lower.contains("transfer-encoding: chunked") {
        while !rest.ends_with(b"0\r\n\r\n") {
            let n = stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "the server closed the connection mid-answer");
            rest.extend_from_slice(&chunk[..n]);
        }
    } else {
        let length: usize = lower
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map(|v| v.trim().parse().unwrap())
            .unwrap_or(0);
        while rest.len() < length {
            let n = stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "the server closed the connection mid-answer");
            rest.extend_from_slice(&chunk[..n]);
        }
    }
    (status, head, String::from_utf8_lossy(&rest).to_string())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[tokio::test]
async fn calls_on_one_keep_alive_connection_do_not_stall() {
    let fake = FakeSpotify::start().await;
    let server = HttpServer::start(&fake, &[]).await;
    let port = server.addr.port();
    let run = async {
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        // The client side sends without delay too: only the server's writes are under test.
        stream.set_nodelay(true).unwrap();
        let (status, head, _) = exchange(&mut stream, port, None, &initialize(1)).await;
        assert_eq!(status, 200, "{head}");
        let session = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .starts_with("mcp-session-id:")
                    .then(|| l.split_once(':').unwrap().1.trim().to_string())
            })
            .expect("a session id");
        let initialized = json!({ "jsonrpc": "2.0", "method": "notifications/initialized" });
        let (status, _, _) = exchange(&mut stream, port, Some(&session), &initialized).await;
        assert_eq!(status, 202);

        #[cfg(target_os = "linux")]
        assert!(
            server_side_nodelay(server.child.id().expect("running"), &stream),
            "the server's end of the connection lacks TCP_NODELAY: its writes wait for delayed ACKs"
        );

        let mut times = Vec::with_capacity(CALLS);
        for id in 0..CALLS {
            let ping = json!({ "jsonrpc": "2.0", "id": 100 + id, "method": "ping" });
            let started = Instant::now();
            let (status, _, body) = exchange(&mut stream, port, Some(&session), &ping).await;
            times.push(started.elapsed());
            assert_eq!(status, 200);
            assert!(body.contains(&format!("\"id\":{}", 100 + id)), "{body}");
        }
        times
    };
    let mut times = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("30 calls within 60 s");
    times.sort();
    let median = times[CALLS / 2];
    println!(
        "{CALLS} JSON-RPC calls on one keep-alive connection: min {:?}, median {median:?}, max {:?}",
        times[0],
        times[CALLS - 1]
    );
}

/// Whether the server process's end of `client`'s connection has TCP_NODELAY: each socket of
/// the process is borrowed with `pidfd_getfd` (allowed on one's own child) until the one whose
/// peer is `client` is found, and asked directly.
#[cfg(target_os = "linux")]
fn server_side_nodelay(pid: u32, client: &TcpStream) -> bool {
    use rustix::process::{Pid, PidfdFlags, PidfdGetfdFlags, pidfd_getfd, pidfd_open};
    let ours = client.local_addr().unwrap();
    let pid = Pid::from_raw(pid as i32).expect("a child's pid is positive");
    let pidfd = pidfd_open(pid, PidfdFlags::empty()).expect("pidfd_open on the child");
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd", pid = pid.as_raw_nonzero())).unwrap();
    for entry in fds.map(Result::unwrap) {
        let is_socket = std::fs::read_link(entry.path())
            .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"));
        let Ok(fd) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        if !is_socket {
            continue;
        }
        let Ok(socket) = pidfd_getfd(&pidfd, fd, PidfdGetfdFlags::empty()) else {
            continue; // closed since the listing
        };
        let peer = rustix::net::getpeername(&socket).ok().flatten();
        if peer.and_then(|p| std::net::SocketAddr::try_from(p).ok()) == Some(ours) {
            return rustix::net::sockopt::tcp_nodelay(&socket).expect("TCP_NODELAY is readable");
        }
    }
    panic!("the server process holds no socket connected to {ours}");
}
