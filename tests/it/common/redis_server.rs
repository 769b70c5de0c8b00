//! A real Redis for tests: the one `.ci/run` started (`SPOTIFY_MCP_TEST_REDIS_URL`), or one
//! this test starts itself on a free 127.0.0.1 port with the `redis-server` binary.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    pub port: u16,
    child: Option<Child>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl RedisServer {
    /// A private server this test can stop and restart; `None` (with a notice) without the binary.
    pub fn start() -> Option<Self> {
        let mut server = Self {
            port: free_port(),
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
