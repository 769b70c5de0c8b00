//! The Redis and the PostgreSQL the replicas share: named by the environment, or private ones
//! this run starts on free 127.0.0.1 ports (as `.ci/run` does) and stops when dropped.

use crate::bench::error::BenchError;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A PostgreSQL server for the bench to create its database on (`postgres://…/postgres`).
pub const POSTGRES_VARIABLE: &str = "SPOTIFY_MCP_BENCH_DATABASE_URL";
/// A Redis for the replicas to share.
pub const REDIS_VARIABLE: &str = "SPOTIFY_MCP_BENCH_REDIS_URL";
/// How long a private server may take to answer.
const START_PATIENCE: Duration = Duration::from_secs(30);

/// A shared service and where it came from, for the report.
pub struct Service {
    pub url: String,
    pub origin: String,
    private: Option<Private>,
}

enum Private {
    Redis(std::process::Child, tempfile::TempDir),
    Postgres {
        bin: PathBuf,
        dir: tempfile::TempDir,
    },
}

impl Drop for Service {
    fn drop(&mut self) {
        match self.private.take() {
            Some(Private::Redis(mut child, _dir)) => {
                let _ = child.kill();
                let _ = child.wait();
            }
            Some(Private::Postgres { bin, dir }) => {
                let data = dir.path().join("data");
                let mut stop = as_postgres(&bin.join("pg_ctl"));
                stop.arg("-D")
                    .arg(&data)
                    .args(["-m", "immediate", "-w", "stop"]);
                let _ = stop.stdout(Stdio::null()).stderr(Stdio::null()).status();
            }
            None => {}
        }
    }
}

/// The environment's Redis, else a private `redis-server`.
pub fn redis() -> Result<Service, BenchError> {
    if let Some(url) = variable(REDIS_VARIABLE) {
        return Ok(external(url, REDIS_VARIABLE));
    }
    let port = free_port()?;
    let dir = tempfile::tempdir().map_err(|e| BenchError::Io("a temp dir".into(), e))?;
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .arg("--dir")
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| BenchError::Spawn("redis-server".into(), e))?;
    let service = Service {
        url: format!("redis://127.0.0.1:{port}/"),
        origin: "a private redis-server the bench started".into(),
        private: Some(Private::Redis(child, dir)),
    };
    wait_for_port(port, "redis-server")?;
    Ok(service)
}

/// The environment's PostgreSQL, else a private cluster from the OS package's binaries, else
/// `None` (the PostgreSQL rows are then left out, and the report says so).
pub fn postgres() -> Result<Option<Service>, BenchError> {
    if let Some(url) = variable(POSTGRES_VARIABLE) {
        return Ok(Some(external(url, POSTGRES_VARIABLE)));
    }
    let Some(bin) = postgres_bin() else {
        return Ok(None);
    };
    let port = free_port()?;
    let dir = tempfile::tempdir().map_err(|e| BenchError::Io("a temp dir".into(), e))?;
    // PostgreSQL refuses to run as root: there the cluster belongs to the postgres user.
    if is_root() {
        run(
            Command::new("chown").arg("postgres").arg(dir.path()),
            "chown",
        )?;
    }
    let data = dir.path().join("data");
    let mut initdb = as_postgres(&bin.join("initdb"));
    initdb
        .arg("-D")
        .arg(&data)
        .args(["-A", "trust", "-U", "postgres", "--no-sync"]);
    run(&mut initdb, "initdb")?;
    let service = Service {
        url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
        origin: format!("a private cluster the bench started ({})", bin.display()),
        private: Some(Private::Postgres {
            bin: bin.clone(),
            dir,
        }),
    };
    let Some(Private::Postgres { dir, .. }) = &service.private else {
        unreachable!("just made")
    };
    let options = format!("-h 127.0.0.1 -p {port} -k {} -F", dir.path().display());
    let mut start = as_postgres(&bin.join("pg_ctl"));
    start.arg("-D").arg(&data).args(["-o", &options, "-l"]);
    start.arg(dir.path().join("log")).args(["-w", "start"]);
    run(&mut start, "pg_ctl start")?;
    Ok(Some(service))
}

impl Service {
    /// A new, empty database on this PostgreSQL server: its URL.
    pub fn new_database(&self, name: &str) -> Result<String, BenchError> {
        let psql = postgres_bin().map_or_else(|| PathBuf::from("psql"), |bin| bin.join("psql"));
        let mut create = Command::new(psql);
        create
            .arg(&self.url)
            .args(["-q", "-c", &format!("DROP DATABASE IF EXISTS {name}")])
            .args(["-c", &format!("CREATE DATABASE {name}")]);
        run(&mut create, "psql CREATE DATABASE")?;
        let mut url = self.url.clone();
        let cut = url.rfind('/').filter(|&i| i > "postgres://".len());
        url.truncate(cut.unwrap_or(url.len()));
        Ok(format!("{url}/{name}"))
    }
}

fn external(url: String, variable: &str) -> Service {
    Service {
        url,
        origin: format!("${variable}"),
        private: None,
    }
}

fn variable(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

fn postgres_bin() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    found.sort_by_key(|bin| version_of(bin));
    found.pop()
}

fn version_of(bin: &Path) -> u32 {
    bin.parent()
        .and_then(|dir| dir.file_name()?.to_str()?.parse().ok())
        .unwrap_or(0)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.starts_with(b"0\n"))
}

fn as_postgres(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(command: &mut Command, what: &str) -> Result<(), BenchError> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| BenchError::Spawn(what.into(), e))?;
    if output.status.success() {
        return Ok(());
    }
    Err(BenchError::Protocol(format!(
        "{what} failed: {}",
        String::from_utf8_lossy(&output.stderr).trim()
    )))
}

fn free_port() -> Result<u16, BenchError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| BenchError::Io("a free port".into(), e))?;
    listener
        .local_addr()
        .map(|addr| addr.port())
        .map_err(|e| BenchError::Io("a free port".into(), e))
}

fn wait_for_port(port: u16, what: &str) -> Result<(), BenchError> {
    let deadline = Instant::now() + START_PATIENCE;
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err(BenchError::Timeout(format!("{what} on port {port}")))
}
