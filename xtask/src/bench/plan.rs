//! What a run measures and how much: the options of `cargo xtask bench`.

use std::path::PathBuf;
use std::time::Duration;

/// How much to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub cold_starts: usize,
    pub calls: usize,
    /// Calls at the fake's 50 ms latency (each takes at least that).
    pub slow_calls: usize,
    pub throughput_calls: usize,
    /// Longest any one timed loop may run.
    pub budget: Duration,
}

impl Plan {
    pub const FULL: Plan = Plan {
        cold_starts: 10,
        calls: 1_000,
        slow_calls: 1_000,
        throughput_calls: 5_000,
        budget: Duration::from_secs(120),
    };
    pub const QUICK: Plan = Plan {
        cold_starts: 3,
        calls: 100,
        slow_calls: 20,
        throughput_calls: 500,
        budget: Duration::from_secs(30),
    };
}

/// Which rows a run measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// The single-server table and the scale rows.
    All,
    /// Only the scale rows (`--scale`): two multi-user replicas, SQLite and PostgreSQL.
    ScaleOnly,
}

pub struct Options {
    pub plan: Plan,
    pub rows: Rows,
    pub build: bool,
    /// Where to write the Markdown report, if anywhere.
    pub output: Option<PathBuf>,
}

/// The fake's latency for the overhead measurement.
pub const SLOW_FAKE: Duration = Duration::from_millis(50);
pub const CONCURRENCY: [usize; 3] = [1, 16, 64];
