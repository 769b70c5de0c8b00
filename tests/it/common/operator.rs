//! The operator's commands (`spotify-mcp users …`, `spotify-mcp audit …`) run as the real
//! binary against a test's database, as an operator runs them.

use serde_json::Value;
use std::time::Duration;

/// What one run of the binary ended with.
pub struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

/// `spotify-mcp ARGS` with only the database URL in its environment (no encryption key: the
/// operator's commands must not need one), ended within 30 s.
pub async fn run(database_url: &str, args: &[&str]) -> Run {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_spotify-mcp"))
        .args(args)
        .env_clear()
        .env("SPOTIFY_MCP_DATABASE_URL", database_url)
        .env("SPOTIFY_MCP_LOG", "warn")
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(30), output)
        .await
        .expect("the command ends within 30 s")
        .expect("the binary runs");
    Run {
        ok: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `spotify-mcp audit --json ARGS`: the records it prints; the command must succeed.
pub async fn audit_json(database_url: &str, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["audit", "--json"];
    all.extend_from_slice(args);
    let run = run(database_url, &all).await;
    assert!(run.ok, "audit {args:?} failed: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}
