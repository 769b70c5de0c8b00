//! A real Redis for tests: the one `.ci/run` started (`SPOTIFY_MCP_TEST_REDIS_URL`), or one
//! this test starts itself on a free 127.0.0.1 port with the `redis-server` binary.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    pub port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// A private server this test can stop and restart; `None` (with a notice) without the binary.
    pub fn start() -> Option<Self> {
        let mut server = Self {
            port: super::free_port(),
            child: None,
        };
        server.restart().then_some(server)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// (Re)starts the server on its port; waits until it answers (at most 10 s).
    pub fn restart(&mut self) -> bool {
        let spawned = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        match spawned {
            Ok(child) => self.child = Some(child),
            Err(_) => {
                eprintln!(
                    "SKIPPED: no redis-server binary (.ci/run installs it); this Redis check cannot run here"
                );
                return false;
            }
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not start on port {}", self.port);
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The URL of a Redis to share: `.ci/run`'s, or a private one (kept alive by the returned guard).
pub fn shared() -> Option<(String, Option<RedisServer>)> {
    if let Ok(url) = std::env::var("SPOTIFY_MCP_TEST_REDIS_URL") {
        return Some((url, None));
    }
    let server = RedisServer::start()?;
    Some((server.url(), Some(server)))
}

/// `url` with database `db` selected: tests sharing one Redis keep global keys (the cooldown)
/// apart this way.
pub fn database(url: &str, db: u8) -> String {
    format!("{}/{db}", url.trim_end_matches('/'))
}

/// Keys under the middleware's prefix.
pub async fn count_keys(url: &str, pattern: &str) -> usize {
    let client = redis::Client::open(url).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(pattern)
        .query_async(&mut connection)
        .await
        .unwrap();
    keys.len()
}

/// A private `redis-server` that speaks only TLS on 127.0.0.1, with a certificate from a CA made
/// for this test (the CA's PEM is in `ca_file`).
pub struct TlsRedisServer {
    pub port: u16,
    pub ca_file: std::path::PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl TlsRedisServer {
    /// `None` (with a notice) when `redis-server` is missing or cannot speak TLS, unless `CI` or
    /// `SPOTIFY_MCP_TEST_REDIS_TLS` is set: there the test must run, so this fails instead.
    pub fn start() -> Option<Self> {
        let required = std::env::var_os("CI").is_some()
            || std::env::var_os("SPOTIFY_MCP_TEST_REDIS_TLS").is_some();
        match Self::try_start() {
            Ok(server) => Some(server),
            Err(problem) if required => panic!("the TLS Redis check must run here: {problem}"),
            Err(problem) => {
                eprintln!("SKIPPED: {problem}; this TLS Redis check cannot run here");
                None
            }
        }
    }

    pub fn url(&self) -> String {
        format!("rediss://127.0.0.1:{}/", self.port)
    }

    fn try_start() -> Result<Self, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name);
        let (ca, cert, key) = certificates();
        for (name, pem) in [("ca.pem", &ca), ("cert.pem", &cert), ("key.pem", &key)] {
            std::fs::write(path(name), pem).unwrap();
        }
        let port = super::free_port();
        let mut child = Command::new("redis-server")
            .args([
                "--port",
                "0",
                "--tls-port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
            ])
            .args([
                "--save",
                "",
                "--appendonly",
                "no",
                "--tls-auth-clients",
                "no",
            ])
            .arg("--tls-cert-file")
            .arg(path("cert.pem"))
            .arg("--tls-key-file")
            .arg(path("key.pem"))
            .arg("--tls-ca-cert-file")
            .arg(path("ca.pem"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|_| "no redis-server binary (.ci/run installs it)".to_string())?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!(
                    "redis-server refused the TLS options ({status}): built without TLS?"
                ));
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(Self {
                    port,
                    ca_file: path("ca.pem"),
                    child,
                    _dir: dir,
                });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        Err(format!(
            "redis-server did not listen on TLS port {port} within 10 s"
        ))
    }
}

impl Drop for TlsRedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// PEM of a fresh CA, and of a certificate it signed for 127.0.0.1 with its key.
pub fn certificates() -> (String, String, String) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "spotify-mcp test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_pem = pem("CERTIFICATE", ca.self_signed(&ca_key).unwrap().der());
    let issuer = Issuer::new(ca, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    let server_pem = pem(
        "CERTIFICATE",
        server.signed_by(&server_key, &issuer).unwrap().der(),
    );
    (
        ca_pem,
        server_pem,
        pem("PRIVATE KEY", &server_key.serialize_der()),
    )
}

/// PEM text of DER bytes (rcgen is built without its `pem` feature).
fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = text
        .as_bytes()
        .chunks(64)
        .map(|line| std::str::from_utf8(line).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}
