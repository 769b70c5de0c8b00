//! BENCHMARKS.md: the table with the machine, revision and method it came from.

use super::machine::{IDLE_WINDOW, Machine};
use super::plan::Plan;

/// Above this share of the CPUs busy while the bench was idle, the run is flagged.
const BUSY: f64 = 0.10;

/// `new` (a run's generated text) followed by the sections of `old` that follow the generated
/// ones (hand-written: `## ` headings after "## How it is measured"), so a run keeps them.
pub fn keep_hand_sections(old: &str, new: &str) -> String {
    const LAST_GENERATED: &str = "## How it is measured";
    let Some(start) = old.find(LAST_GENERATED) else {
        return new.to_string();
    };
    let after = &old[start + LAST_GENERATED.len()..];
    match after.find("\n## ") {
        Some(next) => format!("{}\n{}", new.trim_end(), &after[next..]),
        None => new.to_string(),
    }
}

pub fn markdown(
    machine: &Machine,
    table: &str,
    plan: Plan,
    busy: (Option<f64>, Option<f64>),
) -> String {
    let percent = |share: Option<f64>| {
        share.map_or_else(|| "unknown".into(), |s| format!("{:.0}%", s * 100.0))
    };
    let (before, after) = (percent(busy.0), percent(busy.1));
    let window = IDLE_WINDOW.as_secs();
    let skew = if [busy.0, busy.1].iter().flatten().any(|&s| s > BUSY) {
        format!(
            "\n**Other work was running**: {before} of the CPUs were busy in the {window} s before the run and \
             {after} in the {window} s after it, while the bench itself was idle. The figures, latencies and rates above all, may be \
             skewed by it; ratios to the floor, measured in the same run, are the steadier reading.\n"
        )
    } else {
        format!(
            "\nThe machine was quiet: {before} of the CPUs busy in the {window} s before the run, {after} after.\n"
        )
    };
    format!(
        "# Benchmarks\n\n\
         Written by `cargo xtask bench`; run it again rather than editing this file.\n\n\
         - Machine: {cpus} CPUs ({cpu}), {memory} memory, {kernel}\n\
         - Date: {date}\n\
         - Commit: {commit}\n{skew}\n\
         {table}\n\
         ## How it is measured\n\n\
         - Both servers are release builds (the workspace's release profile: fat LTO, one codegen unit), started \
           as child processes. The measuring side (this bench, with its rmcp client, its load generator and the \
           fake Spotify) is itself an optimized build (`--profile bench-tools`), the same for both servers. \
           **spotify-mcp** runs `serve` against the fake Spotify (`fake-spotify`, in the bench process on \
           127.0.0.1) with a static access token. The **floor** is `xtask/src/bin/bench-floor.rs`: a minimal rmcp \
           server with a no-op tool and a tool answering a fixed ~14 KB album-shaped object. Ratios are \
           spotify-mcp ÷ floor; for answer sizes, projected ÷ raw.\n\
         - A cache hit of spotify-mcp reuses the finished answer while the cache still serves the same body \
           (`src/mcp/answer_memo.rs`); a miss decodes, projects and encodes Spotify's 26 KB album.\n\
         - Cold start: spawn → `initialize` → `tools/list` answered, {cold} runs each, alternating, median.\n\
         - Latency: {calls} sequential calls per row (the cache-hit server warmed by one call; misses with \
           `--cache-max-bytes 0`); p50/p99 by nearest rank. At the fake's 50 ms latency: {slow} calls, overhead = \
           latency − 50 ms.\n\
         - Throughput: {throughput} calls with 1, 16 or 64 in flight. Over stdio: the rmcp client, one session. \
           Over streamable HTTP (`serve --transport http`, and the floor's `--http`): a raw load generator \
           (`xtask/src/bench/load.rs`, hyper's HTTP/1.1 client connection, like wrk) with 1, 16 or 64 keep-alive \
           connections, each its own MCP session with one call in flight (spotify-mcp limits a session's \
           in-flight requests); each connection's first answer is decoded in full, later ones only checked for a \
           successful result. The load generator shares the machine's CPUs with the server.\n\
         - Memory: VmRSS (idle, after `tools/list`) and VmHWM (peak) from `/proc/PID/status`.\n\
         - `tools/list`: bytes of the whole answer; \"shown to a model\" is the catalog as clients send it, \
           `[{{name, description, input_schema}}]` in compact JSON, counted in bytes and in cl100k_base tokens \
           (tiktoken-rs). Answers: `structuredContent` as JSON, \
           default vs `--raw-responses`, on the fake's data (185 markets, three images, full pages).\n\
         - Targets (issue 7): a cache-hit `get_album` no slower than the floor's 14 KB tool, cold start within 3× \
           the floor, HTTP cache hits at 64 in flight above 10,000 calls/s, idle RSS under 15 MB.\n",
        cpus = machine.cpus,
        cpu = machine.cpu_model,
        memory = machine.memory,
        kernel = machine.kernel,
        date = machine.date,
        commit = machine.commit,
        cold = plan.cold_starts,
        calls = plan.calls,
        slow = plan.slow_calls,
        throughput = plan.throughput_calls,
    )
}

#[cfg(test)]
mod tests {
    use super::keep_hand_sections;

    #[test]
    fn a_run_keeps_the_hand_written_sections_after_its_own() {
        let old =
            "# Benchmarks\nold table\n## How it is measured\nold method\n\n## By hand\nnotes\n";
        let new = "# Benchmarks\nnew table\n## How it is measured\nnew method\n";
        let kept = keep_hand_sections(old, new);
        assert!(kept.starts_with(new.trim_end()));
        assert!(kept.contains("## By hand\nnotes"));
        assert!(!kept.contains("old table") && !kept.contains("old method"));
        assert_eq!(keep_hand_sections("", new), new);
    }
}
