//! `cargo xtask codegen`: spec → tool catalog → committed Rust + JSON snapshot.

use crate::{emit, files::ensure_file_contents};
use std::path::{Path, PathBuf};

pub const SPEC: &str = "openapi/spotify.yaml";
pub const GENERATED_TOOLS: &str = "src/mcp/generated_tools.rs";
pub const SNAPSHOT: &str = "tests/snapshots/tools.json";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

pub fn run(check: bool) -> Result<(), String> {
    let root = root();
    let doc = codegen::load(&root.join(SPEC)).map_err(|e| e.to_string())?;
    let prepared = codegen::prepare(&doc).map_err(|e| e.to_string())?;
    let tools = codegen::derive_tools(&doc, &prepared.adjustments).map_err(|e| e.to_string())?;

    let mut notes = codegen::tools::common_arguments(&doc).map_err(|e| e.to_string())?;
    notes.extend(codegen::tools::own_argument_notes());
    let projection = codegen::tools::projection_rules(&doc).map_err(|e| e.to_string())?;
    let id_shapes = codegen::tools::id_shapes(&doc)?;
    let rust = emit::rust(&tools, &notes, &projection, &id_shapes)?;
    let snapshot = emit::snapshot(&tools);
    let mut errors = Vec::new();
    let mut changed = Vec::new();
    for (path, contents) in [(GENERATED_TOOLS, rust), (SNAPSHOT, snapshot)] {
        match ensure_file_contents(&root.join(path), &contents, check) {
            Ok(true) => changed.push(path),
            Ok(false) => {}
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        return Err(errors.join("\n\n"));
    }
    let deprecated = tools.iter().filter(|t| t.deprecated).count();
    eprintln!(
        "{} tools ({} current, {} deprecated) from {SPEC}; {}",
        tools.len(),
        tools.len() - deprecated,
        deprecated,
        if check {
            "generated files are current".to_string()
        } else if changed.is_empty() {
            "nothing changed".to_string()
        } else {
            format!("updated {}", changed.join(", "))
        }
    );
    Ok(())
}
