//! Servers under test as child processes, driven by a real rmcp client over stdio.
//! Children are killed when their session is dropped, on every exit path.

use super::BenchError;
use rmcp::ServiceExt;
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

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
}

/// A running server and the client connected to it.
pub struct Session {
    pub client: Client,
    pub pid: u32,
}

impl Launch {
    pub fn new(name: &'static str, program: PathBuf) -> Self {
        Self {
            name,
            program,
            args: Vec::new(),
            env: Vec::new(),
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

    /// Spawns the server and completes `initialize` over its stdin/stdout.
    pub async fn connect(&self) -> Result<Session, BenchError> {
        let mut command = tokio::process::Command::new(&self.program);
        command.args(&self.args).kill_on_drop(true);
        // The caller's own Spotify settings (a Redis URL, a token file) must not leak in.
        for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("SPOTIFY_")) {
            command.env_remove(name);
        }
        command.envs(self.env.iter().map(|(n, v)| (n, v)));
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
        Ok(Session { client, pid })
    }
}

impl Session {
    /// Closes stdin and waits for the server to exit (it is killed if it does not).
    pub async fn close(self) {
        let _ = tokio::time::timeout(STEP_TIMEOUT, self.client.cancel()).await;
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
