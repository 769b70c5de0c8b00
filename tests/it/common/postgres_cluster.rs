//! A private PostgreSQL cluster a test owns: `initdb` and `pg_ctl` from
//! /usr/lib/postgresql/*/bin (as the postgres user when the test runs as root: PostgreSQL
//! refuses root), on a free 127.0.0.1 port, stopped and started at will, removed on drop.
//! Optionally with TLS (`ssl=on`) and a certificate for 127.0.0.1 from a CA made for the test.
//!
//! Without the binaries [`PostgresCluster::start`] prints `SKIPPED` and returns `None`; with
//! `CI` set it fails instead (`.ci/run` installs PostgreSQL).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

pub struct PostgresCluster {
    pub port: u16,
    bin: PathBuf,
    dir: tempfile::TempDir,
    /// `-c name=value` settings the server starts with (TLS).
    settings: Vec<String>,
    running: bool,
    as_postgres: bool,
}

/// The CA files of a TLS cluster: the one that signed its certificate, and an unrelated one.
pub struct ClusterCa {
    pub right: PathBuf,
    pub wrong: PathBuf,
}

impl PostgresCluster {
    /// A running cluster without TLS; `None` (SKIPPED) without the binaries, outside CI.
    pub fn start() -> Option<Self> {
        Self::create(false).map(|(cluster, _)| cluster)
    }

    /// A running cluster with `ssl=on`, and the CA files to verify it with (or not).
    pub fn start_with_tls() -> Option<(Self, ClusterCa)> {
        Self::create(true).map(|(cluster, ca)| (cluster, ca.expect("TLS files")))
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres` (trust authentication, no password).
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server as a crash would (`-m immediate`: no clean shutdown), waiting for it.
    pub fn stop(&mut self) {
        if self.running {
            self.pg_ctl(&["stop", "-m", "immediate", "-w", "-t", "20"])
                .expect("pg_ctl stops the cluster");
            self.running = false;
        }
    }

    /// Starts the stopped server on the same port, returning once it accepts connections.
    pub fn restart(&mut self) {
        let options = format!(
            "-h 127.0.0.1 -p {} -k {} -F {}",
            self.port,
            self.dir.path().display(),
            self.settings.join(" ")
        );
        let log = self.dir.path().join("log");
        let started = self.pg_ctl(&[
            "start",
            "-w",
            "-t",
            "30",
            "-o",
            &options,
            "-l",
            log.to_str().unwrap(),
        ]);
        if let Err(problem) = started {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            panic!("PostgreSQL did not start: {problem}\n{log}");
        }
        self.running = true;
    }

    fn create(tls: bool) -> Option<(Self, Option<ClusterCa>)> {
        let Some(bin) = binaries() else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but no PostgreSQL binaries are in /usr/lib/postgresql/*/bin: .ci/run \
                 installs them"
            );
            eprintln!("SKIPPED: no PostgreSQL binaries in /usr/lib/postgresql/*/bin");
            return None;
        };
        let mut cluster = Self {
            port: super::free_port(),
            bin,
            dir: tempfile::tempdir().expect("a temp dir"),
            settings: Vec::new(),
            running: false,
            as_postgres: is_root(),
        };
        cluster.give_to_postgres(cluster.dir.path());
        let data = cluster.data();
        cluster
            .run(
                "initdb",
                &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync"],
            )
            .expect("initdb creates the cluster");
        let ca = tls.then(|| cluster.enable_tls());
        cluster.restart();
        Some((cluster, ca))
    }

    /// Writes a certificate for 127.0.0.1 (and its key, owned by the server's user, 0600) and
    /// turns TLS on; the client must use it or not (`sslmode`).
    fn enable_tls(&mut self) -> ClusterCa {
        let (ca, cert, key) = super::redis_server::certificates();
        let (wrong, _, _) = super::redis_server::certificates();
        let path = |name: &str| self.dir.path().join(name);
        for (name, pem) in [("ca.pem", &ca), ("wrong-ca.pem", &wrong)] {
            std::fs::write(path(name), pem).unwrap();
        }
        std::fs::write(path("server.crt"), cert).unwrap();
        std::fs::write(path("server.key"), key).unwrap();
        set_mode(&path("server.key"), 0o600);
        self.give_to_postgres(&path("server.crt"));
        self.give_to_postgres(&path("server.key"));
        self.settings = vec![
            "-c ssl=on".to_string(),
            format!("-c ssl_cert_file={}", path("server.crt").display()),
            format!("-c ssl_key_file={}", path("server.key").display()),
        ];
        ClusterCa {
            right: path("ca.pem"),
            wrong: path("wrong-ca.pem"),
        }
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn pg_ctl(&self, args: &[&str]) -> Result<(), String> {
        let data = self.data();
        let mut all = vec!["-D", data.as_str()];
        all.extend_from_slice(args);
        self.run("pg_ctl", &all)
    }

    /// Runs a PostgreSQL program, as the postgres user when this test is root.
    fn run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let binary = self.bin.join(program);
        let mut command = match self.as_postgres {
            true => {
                let mut command = Command::new("runuser");
                command.args(["-u", "postgres", "--"]).arg(&binary);
                command
            }
            false => Command::new(&binary),
        };
        let output: Output = command
            .args(args)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
        match output.status.success() {
            true => Ok(()),
            false => Err(format!(
                "{program} failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            )),
        }
    }

    fn give_to_postgres(&self, path: &Path) {
        if self.as_postgres {
            let status = Command::new("chown")
                .arg("postgres")
                .arg(path)
                .status()
                .expect("chown runs");
            assert!(status.success(), "chown postgres {}", path.display());
        }
    }
}

impl Drop for PostgresCluster {
    fn drop(&mut self) {
        if self.running {
            let _ = self.pg_ctl(&["stop", "-m", "immediate", "-w", "-t", "10"]);
        }
    }
}

/// Polls `probe` every 20 ms until it holds or `within` passes; returns how long it took.
pub async fn wait_until<F, Fut>(within: Duration, mut probe: F) -> Option<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < within {
        if probe().await {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// The newest /usr/lib/postgresql/*/bin holding initdb.
fn binaries() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}
