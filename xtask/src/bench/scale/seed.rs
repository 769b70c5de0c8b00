//! Runs `bench-scale-seed` (the server package's bench helper, `src/bin/bench-scale-seed.rs`):
//! users and grants straight into the store, tokens for the active ones, and the resolver's
//! cold and warm timings.

use crate::bench::error::BenchError;
use fake_spotify::FakeUser;
use serde::Deserialize;
use serde_json::json;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// Seeding 10,000 users on a busy machine stays well within this.
const SEED_PATIENCE: Duration = Duration::from_secs(180);

/// One active person: the fake's user and the Spotify login it issued them.
pub struct Active {
    pub user: FakeUser,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub scope: String,
}

/// What the seeder answered.
#[derive(Debug, Deserialize)]
pub struct Seeded {
    /// MCP access tokens of the active people seeded in this step, in order.
    pub tokens: Vec<String>,
    pub seed_secs: f64,
    /// p50 and p99, in nanoseconds.
    pub resolve_cold_ns: [u64; 2],
    pub resolve_warm_ns: [u64; 2],
}

/// Seeds users `from..to` (user `i` is `active[i]` where there is one) with `env` (the
/// replicas' configuration), then times `samples` token resolutions.
pub async fn seed(
    program: &Path,
    env: &[(String, String)],
    range: std::ops::Range<usize>,
    active: &[Active],
    samples: usize,
) -> Result<Seeded, BenchError> {
    let active: Vec<_> = active
        .iter()
        .map(|a| {
            json!({
                "account_id": a.user.account_id, "id": a.user.id,
                "display_name": a.user.display_name, "access_token": a.access_token,
                "refresh_token": a.refresh_token, "scope": a.scope,
            })
        })
        .collect();
    let plan =
        json!({ "from": range.start, "to": range.end, "active": active, "samples": samples });
    let mut command = tokio::process::Command::new(program);
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("SPOTIFY_")) {
        command.env_remove(name);
    }
    command
        .envs(env.iter().map(|(n, v)| (n, v)))
        .env("SPOTIFY_MCP_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command
        .spawn()
        .map_err(|e| BenchError::Spawn(program.display().to_string(), e))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin
        .write_all(plan.to_string().as_bytes())
        .await
        .map_err(|e| BenchError::Io("the seeder's stdin".into(), e))?;
    drop(stdin);
    let output = tokio::time::timeout(SEED_PATIENCE, child.wait_with_output())
        .await
        .map_err(|_| BenchError::Timeout(format!("seeding users {range:?}")))?
        .map_err(|e| BenchError::Io("the seeder".into(), e))?;
    if !output.status.success() {
        return Err(BenchError::Protocol(format!(
            "the seeder failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|e| BenchError::Protocol(format!("the seeder's answer: {e}")))
}
