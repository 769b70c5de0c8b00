//! Project automation: `cargo xtask codegen [--check]`, `cargo xtask spec diff|sync`,
//! `cargo xtask bench`.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use xtask::{bench, codegen_cmd, spec};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "spotify-mcp project tasks")]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Regenerate the MCP tools (src/mcp/generated_tools.rs), their snapshot
    /// (tests/snapshots/tools.json) and the operation table (src/spec/generated_operations.rs)
    /// from openapi/spotify.yaml.
    Codegen {
        /// Change nothing; fail with a diff when the committed files are stale.
        #[arg(long)]
        check: bool,
    },
    /// Compare openapi/spotify.yaml with Spotify's published OpenAPI document, or import its
    /// changes.
    Spec {
        #[command(subcommand)]
        command: SpecTask,
    },
    /// Build the release server, run it against the fake Spotify next to a minimal rmcp
    /// server (the floor), print one table of figures and write it to BENCHMARKS.md.
    Bench {
        /// Fewer iterations, for a fast check; writes no file unless --output is given.
        #[arg(long)]
        quick: bool,
        /// Use the binaries already built (the release server and floor, and the optimized
        /// driver in target/bench-tools).
        #[arg(long)]
        no_build: bool,
        /// Where to write the report [default: BENCHMARKS.md, for a full run].
        #[arg(long)]
        output: Option<PathBuf>,
        /// Only the scale rows: two multi-user replicas on SQLite and on PostgreSQL
        /// ($SPOTIFY_MCP_BENCH_DATABASE_URL, else a private cluster the bench starts), sharing a
        /// Redis ($SPOTIFY_MCP_BENCH_REDIS_URL, else a private redis-server).
        #[arg(long)]
        scale: bool,
    },
}

#[derive(Subcommand)]
enum SpecTask {
    /// Report what differs from upstream, grouped by tag. Exit status: 0 nothing to change,
    /// 1 changes to apply, 2 a document could not be read.
    Diff {
        /// Spotify's document: a file path, or an http(s) URL to fetch.
        #[arg(long)]
        upstream: String,
        /// The project's spec to compare [default: openapi/spotify.yaml].
        #[arg(long)]
        spec: Option<PathBuf>,
        /// Print every difference, notes included, as JSON.
        #[arg(long)]
        json: bool,
        /// Also list notes (deliberate project refinements) in the text report.
        #[arg(long)]
        notes: bool,
    },
    /// Apply upstream's changes to the project's spec, keeping its x-mcp-* keys and
    /// descriptions; new operations get an `x-mcp-todo` for a maintainer.
    Sync {
        /// Spotify's document: a file path, or an http(s) URL to fetch.
        #[arg(long)]
        upstream: String,
        /// The spec to update [default: openapi/spotify.yaml].
        #[arg(long)]
        spec: Option<PathBuf>,
        /// Also copy Spotify's summaries and descriptions into what is added.
        #[arg(long)]
        keep_upstream_text: bool,
    },
    /// Rewrite the spec in the layout `spec sync` writes, after a hand edit, so that a later sync
    /// shows only real changes. Exit status: 0 already in layout (or rewritten), 1 not in layout
    /// with --check, 2 unreadable.
    Fmt {
        /// The spec to rewrite [default: openapi/spotify.yaml].
        #[arg(long)]
        spec: Option<PathBuf>,
        /// Change nothing; fail when the spec is not in layout.
        #[arg(long)]
        check: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Task::Codegen { check } => codegen_cmd::run(check),
        Task::Bench {
            quick,
            no_build,
            output,
            scale,
        } => {
            let plan = if quick {
                bench::Plan::QUICK
            } else {
                bench::Plan::FULL
            };
            let output =
                output.or_else(|| (!quick).then(|| bench::workspace_root().join("BENCHMARKS.md")));
            bench::run(bench::Options {
                plan,
                rows: if scale {
                    bench::Rows::ScaleOnly
                } else {
                    bench::Rows::All
                },
                build: !no_build,
                output,
            })
            .map_err(|e| e.to_string())
        }
        Task::Spec { command } => {
            let code = match command {
                SpecTask::Diff {
                    upstream,
                    spec: path,
                    json,
                    notes,
                } => spec::run_diff(
                    &upstream,
                    &path.unwrap_or_else(spec::default_spec),
                    json,
                    notes,
                ),
                SpecTask::Sync {
                    upstream,
                    spec: path,
                    keep_upstream_text,
                } => spec::run_sync(
                    &upstream,
                    &path.unwrap_or_else(spec::default_spec),
                    keep_upstream_text,
                ),
                SpecTask::Fmt { spec: path, check } => {
                    spec::run_fmt(&path.unwrap_or_else(spec::default_spec), check)
                }
            };
            return ExitCode::from(code);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
