//! `cargo xtask bench`: the release server against the fake Spotify, driven by a real MCP
//! client over stdio and a raw load generator over streamable HTTP, next to a minimal rmcp
//! server (the floor) driven the same way; one table, printed and written to BENCHMARKS.md.

mod binaries;
mod error;
pub mod load;
pub mod machine;
pub mod measure;
mod phases;
mod plan;
pub mod process;
pub mod report;
mod rows;
mod servers;
pub mod sizes;
pub mod stats;
mod suite;
pub mod table;
pub mod throughput;

pub use binaries::{Binaries, workspace_root};
pub use error::BenchError;
pub use plan::{Options, Plan};

pub fn run(options: Options) -> Result<(), BenchError> {
    let root = workspace_root();
    if options.build {
        binaries::build(&root)?;
    }
    if cfg!(debug_assertions) {
        return binaries::hand_over(&root, &options);
    }
    let binaries = Binaries::release(&root);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| BenchError::Io("a tokio runtime".into(), e))?;
    let busy_before = machine::busy_share();
    let rows = runtime.block_on(suite::measure_all(options.plan, &binaries))?;
    let busy_after = machine::busy_share();
    let text = table::render(&rows);
    println!("{text}");
    if let Some(path) = options.output {
        let machine = machine::Machine::describe();
        let markdown = report::markdown(&machine, &text, options.plan, (busy_before, busy_after));
        std::fs::write(&path, markdown)
            .map_err(|e| BenchError::Io(path.display().to_string(), e))?;
        eprintln!("bench: wrote {}", path.display());
    }
    Ok(())
}
