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
pub mod scale;
mod servers;
pub mod sizes;
pub mod stats;
mod suite;
pub mod table;
pub mod throughput;

pub use binaries::{Binaries, workspace_root};
pub use error::BenchError;
pub use plan::{Options, Plan, Rows};

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
    let rows = match options.rows {
        Rows::ScaleOnly => None,
        Rows::All => Some(runtime.block_on(suite::measure_all(options.plan, &binaries))?),
    };
    let busy_after = machine::busy_share();
    let scale_plan = match options.plan {
        Plan::QUICK => scale::ScalePlan::QUICK,
        _ => scale::ScalePlan::FULL,
    };
    let scale = runtime.block_on(scale::measure(&binaries, scale_plan))?;
    let machine = machine::Machine::describe();
    let busy = [busy_after, busy_before]
        .into_iter()
        .flatten()
        .reduce(f64::max);
    let section = scale::report::section(&scale, &machine, busy);
    let mut markdown = None;
    if let Some(rows) = &rows {
        let text = table::render(rows);
        println!("{text}");
        markdown = Some(report::markdown(
            &machine,
            &text,
            options.plan,
            (busy_before, busy_after),
        ));
    }
    println!("{section}");
    if let Some(path) = options.output {
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        let text = match markdown {
            Some(new) => report::keep_hand_sections(&old, &new),
            None => old,
        };
        let text = scale::report::splice(&text, &section);
        std::fs::write(&path, text).map_err(|e| BenchError::Io(path.display().to_string(), e))?;
        eprintln!("bench: wrote {}", path.display());
    }
    Ok(())
}
