//! `cargo xtask spec diff|sync`: keeping `openapi/spotify.yaml` up with Spotify's published
//! OpenAPI document. `model` reduces a document to what tool users observe, `diff` compares two
//! of them, `report` prints the result, `sync` (with `import` and `update`) applies upstream's
//! facts to the project's spec, and `yaml` writes it back in the project's layout.

pub mod diff;
mod edit;
pub mod fetch;
mod import;
pub mod model;
pub mod report;
pub mod sync;
mod update;
pub mod yaml;

use serde_json::Value;
use std::path::{Path, PathBuf};

/// Exit statuses of `spec diff` (sync uses 0, 1 for a spec that no longer generates, and 2).
pub const SAME: u8 = 0;
pub const DIFFERS: u8 = 1;
pub const UNREADABLE: u8 = 2;

/// The project's spec, relative to the workspace root.
pub const PROJECT_SPEC: &str = "openapi/spotify.yaml";

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

pub fn default_spec() -> PathBuf {
    workspace_root().join(PROJECT_SPEC)
}

/// `doc` as YAML in the project's layout, under the comment lines that opened `original`
/// (they say what the file is; a YAML value cannot carry them).
pub fn render(doc: &Value, original: &str) -> String {
    let header: String = original
        .lines()
        .take_while(|line| line.starts_with('#'))
        .map(|line| format!("{line}\n"))
        .collect();
    format!("{header}{}", yaml::to_string(doc))
}

fn read_project(spec: &Path) -> Result<(String, Value), fetch::ReadError> {
    let name = spec.display().to_string();
    let text = fetch::read_text(&name)?;
    let doc = fetch::parse(&text, &name)?;
    Ok((text, doc))
}

fn shown(spec: &Path) -> String {
    spec.strip_prefix(workspace_root())
        .unwrap_or(spec)
        .display()
        .to_string()
}

pub fn run_diff(upstream: &str, spec: &Path, json: bool, notes: bool) -> u8 {
    let (theirs, (_, ours)) =
        match fetch::read_document(upstream).and_then(|up| Ok((up, read_project(spec)?))) {
            Ok(docs) => docs,
            Err(error) => {
                eprintln!("error: {error}");
                return UNREADABLE;
            }
        };
    let differences = diff::diff(&theirs, &ours);
    let project = shown(spec);
    if json {
        print!("{}", report::json(&differences, upstream, &project));
    } else {
        print!("{}", report::text(&differences, upstream, &project, notes));
    }
    match report::counts(&differences) {
        (0, _) => SAME,
        _ => DIFFERS,
    }
}

pub fn run_sync(upstream: &str, spec: &Path, keep_upstream_text: bool) -> u8 {
    let (theirs, (text, mut ours)) =
        match fetch::read_document(upstream).and_then(|up| Ok((up, read_project(spec)?))) {
            Ok(docs) => docs,
            Err(error) => {
                eprintln!("error: {error}");
                return UNREADABLE;
            }
        };
    let log = sync::sync(&mut ours, &theirs, sync::Options { keep_upstream_text });
    let rendered = render(&ours, &text);
    let project = shown(spec);
    if rendered == text {
        println!("{project} already reflects {upstream}; nothing to change.");
        return SAME;
    }
    if let Err(error) = std::fs::write(spec, &rendered) {
        eprintln!("error: cannot write {project}: {error}");
        return DIFFERS;
    }
    for line in &log.lines {
        println!("{line}");
    }
    println!(
        "\nUpdated {project}: {} change{}.",
        log.lines.len(),
        if log.lines.len() == 1 { "" } else { "s" }
    );
    if !log.todos.is_empty() {
        println!(
            "{} for a maintainer (search for `{}`): {}",
            match log.todos.len() {
                1 => "1 operation is left".to_string(),
                n => format!("{n} operations are left"),
            },
            sync::TODO_KEY,
            log.todos.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    if let Err(error) = generates(&ours) {
        eprintln!(
            "error: the synced spec does not generate yet: {error}\nFix {project}, then run `cargo xtask codegen`."
        );
        return DIFFERS;
    }
    println!(
        "Next: `cargo xtask codegen`, then review `git diff {project} tests/snapshots/tools.json`."
    );
    SAME
}

pub fn run_fmt(spec: &Path, check: bool) -> u8 {
    let (text, doc) = match read_project(spec) {
        Ok(read) => read,
        Err(error) => {
            eprintln!("error: {error}");
            return UNREADABLE;
        }
    };
    let rendered = render(&doc, &text);
    let project = shown(spec);
    if rendered == text {
        println!("{project} is in layout.");
        return SAME;
    }
    if check {
        eprintln!("{project} is not in layout; run `cargo xtask spec fmt`.");
        return DIFFERS;
    }
    if let Err(error) = std::fs::write(spec, &rendered) {
        eprintln!("error: cannot write {project}: {error}");
        return DIFFERS;
    }
    println!("Rewrote {project} in layout; review `git diff {project}`.");
    SAME
}

/// Whether `cargo xtask codegen` (and build.rs) will accept `doc`.
pub fn generates(doc: &Value) -> Result<usize, String> {
    let prepared = codegen::prepare(doc).map_err(|e| e.to_string())?;
    let tools = codegen::derive_tools(doc, &prepared.adjustments).map_err(|e| e.to_string())?;
    Ok(tools.len())
}
