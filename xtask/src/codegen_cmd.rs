//! `cargo xtask codegen`: spec → tool catalog, operation table and route families → committed
//! Rust + JSON snapshot.

use crate::{emit, emit_operations, files::ensure_file_contents};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub const SPEC: &str = "openapi/spotify.yaml";
pub const GENERATED_TOOLS: &str = "src/mcp/generated_tools.rs";
pub const SNAPSHOT: &str = "tests/snapshots/tools.json";
pub const GENERATED_OPERATIONS: &str = "src/spec/generated_operations.rs";

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// The generated files, as `(path under the root, contents)`, from the spec document `doc`.
pub fn generate(doc: &Value) -> Result<Vec<(&'static str, String)>, String> {
    let prepared = codegen::prepare(doc).map_err(|e| e.to_string())?;
    let tools = codegen::derive_tools(doc, &prepared.adjustments).map_err(|e| e.to_string())?;
    let routes = codegen::route_families(doc, &tools).map_err(|e| e.to_string())?;
    let rows = codegen::operation_rows(&tools, &prepared.adjustments, &routes);

    let mut notes = codegen::tools::common_arguments(doc).map_err(|e| e.to_string())?;
    notes.extend(codegen::tools::own_argument_notes());
    let projection = codegen::tools::projection_rules(doc).map_err(|e| e.to_string())?;
    let id_shapes = codegen::tools::id_shapes(doc)?;
    Ok(vec![
        (
            GENERATED_TOOLS,
            emit::rust(&tools, &notes, &projection, &id_shapes)?,
        ),
        (GENERATED_OPERATIONS, emit_operations::rust(&rows, &routes)?),
        (SNAPSHOT, emit::snapshot(&tools)),
    ])
}

/// Writes the generated files, or with `check` fails naming each stale one.
pub fn run(check: bool) -> Result<(), String> {
    let root = root();
    let doc = codegen::load(&root.join(SPEC)).map_err(|e| e.to_string())?;
    let files = generate(&doc)?;
    let mut errors = Vec::new();
    let mut changed = Vec::new();
    for (path, contents) in &files {
        match ensure_file_contents(&root.join(path), contents, check) {
            Ok(true) => changed.push(*path),
            Ok(false) => {}
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        return Err(errors.join("\n\n"));
    }
    eprintln!(
        "generated from {SPEC}: {}",
        if check {
            "files are current".to_string()
        } else if changed.is_empty() {
            "nothing changed".to_string()
        } else {
            format!("updated {}", changed.join(", "))
        }
    );
    Ok(())
}
