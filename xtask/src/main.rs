//! Project automation: `cargo xtask codegen [--check]`.

mod codegen_cmd;
mod emit;
mod files;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "spotify-mcp project tasks")]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Regenerate the MCP tools (src/mcp/generated_tools.rs) and their snapshot
    /// (tests/snapshots/tools.json) from openapi/spotify.yaml.
    Codegen {
        /// Change nothing; fail with a diff when the committed files are stale.
        #[arg(long)]
        check: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Task::Codegen { check } => codegen_cmd::run(check),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
