//! Servers under test as child processes, driven by a real rmcp client over stdio or
//! streamable HTTP. Children are killed when their session is dropped, on every exit path.

use super::error::BenchError;
use rmcp::ServiceExt;
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

/// Longest any one step (spawn and initialize, a call, a shutdown) may take.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(20);

pub type Client = RunningService<RoleClient, ()>;

/// How to start one server: its program, arguments and environment.
#[derive(Debug, Clone)]
pub struct Launch {
    pub name: &'static str,
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Flags that make it serve streamable HTTP instead of stdio, when set.
    pub http: Option<Vec<String>>,
}

/// What the server prints on stderr once it listens, with `addr=IP:PORT`.
const LISTENING: &str = "serving MCP over HTTP";

/// A running server and the client connected to it.
pub struct Session {
    pub client: Client,
    pub pid: u32,
    /// Over HTTP: the server process (over stdio the transport owns it) and its /mcp URL.
    http: Option<(tokio::process::Child, String)>,
}

impl Launch {
    pub fn new(name: &'static str, program: PathBuf) -> Self {
        Self {
            name,
            program,
            args: Vec::new(),
            env: Vec::new(),
            http: None,
        }
    }

    /// The same server over streamable HTTP, started with `flags` added.
    pub fn over_http(&self, flags: &[&str]) -> Self {
        Self {
            http: Some(flags.iter().map(|f| f.to_string()).collect()),
            ..self.clone()
        }
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, name: &str, value: impl Into<String>) -> Self {
        self.env.push((name.to_string(), value.into()));
        self
    }

    fn command(&self) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(&self.program);
        command.args(&self.args).kill_on_drop(true);
        // The caller's own Spotify settings (a Redis URL, a token file) must not leak in.
        for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("SPOTIFY_")) {
            command.env_remove(name);
        }
        command.envs(self.env.iter().map(|(n, v)| (n, v)));
        command
    }

    /// Spawns the server and completes `initialize`, over stdio or streamable HTTP.
    pub async fn connect(&self) -> Result<Session, BenchError> {
        match &self.http {
            Some(flags) => self.connect_http(flags).await,
            None => self.connect_stdio().await,
        }
    }

    async fn connect_http(&self, flags: &[String]) -> Result<Session, BenchError> {
        let (child, addr) = self.spawn_http(flags).await?;
        let pid = child
            .id()
            .ok_or_else(|| BenchError::Protocol(format!("{}: the child has no pid", self.name)))?;
        let url = format!("http://{addr}/mcp");
        let client = http_client(&url, self.name).await?;
        Ok(Session {
            client,
            pid,
            http: Some((child, url)),
        })
    }

    /// Spawns the server with `flags` added and waits until it says where it listens: the
    /// child (killed when dropped) and its address.
    pub async fn spawn_http(
        &self,
        flags: &[String],
    ) -> Result<(tokio::process::Child, std::net::SocketAddr), BenchError> {
        let mut command = self.command();
        command
            .args(flags)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .map_err(|e| BenchError::Spawn(self.program.display().to_string(), e))?;
        let stderr = child
            .stderr
            .take()
            .ok_or_else(|| BenchError::Protocol("stderr is not piped".into()))?;
        let mut lines = BufReader::new(stderr).lines();
        let listening = async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains(LISTENING)
                    && let Some(addr) = line
                        .split_whitespace()
                        .find_map(|w| w.strip_prefix("addr="))
                {
                    return Some(addr.to_string());
                }
            }
            None
        };
        let addr = tokio::time::timeout(STEP_TIMEOUT, listening)
            .await
            .map_err(|_| BenchError::Timeout(format!("{}: listening over HTTP", self.name)))?
            .ok_or_else(|| {
                BenchError::Protocol(format!("{}: exited before listening", self.name))
            })?;
        // Keep reading, so a chatty server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let addr = addr
            .parse()
            .map_err(|_| BenchError::Protocol(format!("{}: bad address {addr}", self.name)))?;
        Ok((child, addr))
    }

    async fn connect_stdio(&self) -> Result<Session, BenchError> {
        let command = self.command();
        let (transport, _) = TokioChildProcess::builder(command)
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| BenchError::Spawn(self.program.display().to_string(), e))?;
        let pid = transport
            .id()
            .ok_or_else(|| BenchError::Protocol(format!("{}: the child has no pid", self.name)))?;
        let client = tokio::time::timeout(STEP_TIMEOUT, ().serve(transport))
            .await
            .map_err(|_| BenchError::Timeout(format!("{}: initialize", self.name)))?
            .map_err(|e| BenchError::Protocol(format!("{}: initialize failed: {e}", self.name)))?;
        Ok(Session {
            client,
            pid,
            http: None,
        })
    }
}

/// A new MCP session over streamable HTTP.
async fn http_client(url: &str, name: &str) -> Result<Client, BenchError> {
    let transport = StreamableHttpClientTransport::from_uri(url.to_string());
    tokio::time::timeout(STEP_TIMEOUT, ().serve(transport))
        .await
        .map_err(|_| BenchError::Timeout(format!("{name}: initialize over HTTP")))?
        .map_err(|e| BenchError::Protocol(format!("{name}: initialize over HTTP failed: {e}")))
}

impl Session {
    /// Ends the session; over stdio the server exits on EOF (or is killed), over HTTP it is killed.
    pub async fn close(self) {
        let _ = tokio::time::timeout(STEP_TIMEOUT, self.client.cancel()).await;
        if let Some((mut child, _)) = self.http {
            let _ = child.start_kill();
            let _ = tokio::time::timeout(STEP_TIMEOUT, child.wait()).await;
        }
    }

    /// Over HTTP, the address the server listens on.
    pub fn http_addr(&self) -> Option<std::net::SocketAddr> {
        let (_, url) = self.http.as_ref()?;
        url.strip_prefix("http://")?
            .strip_suffix("/mcp")?
            .parse()
            .ok()
    }

    /// The server's resident memory now and at its peak, in KiB, from /proc.
    pub fn memory(&self) -> Result<Memory, BenchError> {
        Memory::of(self.pid)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// VmRSS: resident now.
    pub rss_kib: u64,
    /// VmHWM: the peak resident size so far.
    pub peak_kib: u64,
}

impl Memory {
    pub fn of(pid: u32) -> Result<Self, BenchError> {
        let path = format!("/proc/{pid}/status");
        let status = std::fs::read_to_string(&path).map_err(|e| BenchError::Io(path, e))?;
        Self::parse(&status)
            .ok_or_else(|| BenchError::Protocol(format!("no VmRSS/VmHWM in /proc/{pid}/status")))
    }

    fn parse(status: &str) -> Option<Self> {
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        };
        Some(Self {
            rss_kib: field("VmRSS:")?,
            peak_kib: field("VmHWM:")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Memory;

    #[test]
    fn reads_proc_status() {
        let status = "Name:\tspotify-mcp\nVmHWM:\t    9120 kB\nVmRSS:\t    8004 kB\nThreads:\t3\n";
        assert_eq!(
            Memory::parse(status),
            Some(Memory {
                rss_kib: 8004,
                peak_kib: 9120
            })
        );
        assert_eq!(Memory::parse("Name:\tx\n"), None);
    }

    #[test]
    fn reads_this_process() {
        let memory = Memory::of(std::process::id()).unwrap();
        assert!(memory.rss_kib > 0 && memory.peak_kib >= memory.rss_kib);
    }
}
