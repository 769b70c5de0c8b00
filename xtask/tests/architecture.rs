//! The architecture of issue 13, checked on every `cargo test --workspace`: in `src/` no module
//! imports from a layer above its own (the table is `LAYERS` in
//! `xtask/src/architecture/layers.rs`), no files in `src/`, `codegen/src/` or `xtask/src/` import
//! from each other, and no hand-written function there is over 120 lines. The rules, what counts
//! as an import, and the check's limits are documented in `xtask/src/architecture/mod.rs`.
//!
//! Run it alone with `cargo test -p xtask --test architecture`. To check another checkout (a
//! branch unpacked elsewhere), set `ARCHITECTURE_CHECK_ROOT` to its workspace directory.
//!
//! The other tests here run the same check on small synthetic trees, to show each rule fails
//! when it should and passes when it should.

use std::path::{Path, PathBuf};
use tempfile::TempDir;
use xtask::architecture::{MAX_FN_LINES, SOURCE_DIRS, Violation, check, report};

fn workspace() -> PathBuf {
    match std::env::var_os("ARCHITECTURE_CHECK_ROOT") {
        Some(root) => PathBuf::from(root),
        None => xtask::bench::workspace_root(),
    }
}

#[test]
fn the_workspace_follows_its_architecture() {
    let root = workspace();
    for dir in SOURCE_DIRS {
        assert!(
            root.join(dir).is_dir(),
            "{} is missing",
            root.join(dir).display()
        );
    }
    let violations = check(&root).expect("the sources parse");
    assert!(violations.is_empty(), "{}", report(&violations));
}

/// A workspace of the given files, each `(path, text)`.
fn tree(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a file has a directory"))
            .expect("create the file's directory");
        std::fs::write(path, text).expect("write a source file");
    }
    dir
}

fn violations(dir: &Path) -> Vec<Violation> {
    check(dir).expect("the synthetic sources parse")
}

const LAYERED_LIB: &str = "pub mod foundation;\npub mod spec;\npub mod mcp;\n";

#[test]
fn a_clean_tree_passes() {
    let dir = tree(&[
        (
            "src/lib.rs",
            "pub mod foundation;\npub mod mcp;\npub use mcp::Server;\nuse crate::foundation::Secret;\n",
        ),
        ("src/main.rs", "fn main() { let _ = ::std::env::args(); }\n"),
        (
            "src/foundation/mod.rs",
            "mod secret;\npub use secret::Secret;\n",
        ),
        (
            "src/foundation/secret.rs",
            "pub struct Secret(pub String);\n",
        ),
        (
            "src/mcp/mod.rs",
            "mod server;\npub use server::Server;\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n",
        ),
        (
            "src/mcp/server.rs",
            "use crate::foundation::Secret;\npub(crate) struct Hidden;\n\
             pub struct Server(pub Secret);\n\
             fn make() -> Server { Server(super::super::foundation::Secret(String::new())) }\n",
        ),
        ("codegen/src/lib.rs", "mod a;\nmod b;\npub use a::A;\n"),
        (
            "codegen/src/a.rs",
            "use crate::b::B;\npub struct A(pub B);\n",
        ),
        ("codegen/src/b.rs", "pub struct B;\n"),
    ]);
    let found = violations(dir.path());
    assert!(found.is_empty(), "{}", report(&found));
}

#[test]
fn an_upward_import_fails_however_it_is_written() {
    let dir = tree(&[
        ("src/lib.rs", &format!("{LAYERED_LIB}pub use mcp::Tool;\n")),
        ("src/mcp.rs", "pub struct Tool;\npub fn list() {}\n"),
        (
            "src/spec.rs",
            "pub fn table() -> crate::Tool { crate::Tool }\n",
        ),
        (
            "src/foundation/mod.rs",
            "pub mod metrics;\nuse crate::mcp::Tool;\n",
        ),
        (
            "src/foundation/metrics.rs",
            "pub fn count() { super::super::mcp::list(); }\n\
             pub fn log() { println!(\"{:?}\", std::mem::size_of::<crate::mcp::Tool>()); }\n",
        ),
    ]);
    let upward: Vec<(String, Vec<String>, String)> = violations(dir.path())
        .into_iter()
        .map(|violation| match violation {
            Violation::UpwardImport {
                file,
                paths,
                target,
                ..
            } => (file, paths, target),
            other => panic!("only upward imports are wrong here, found: {other}"),
        })
        .collect();
    let expected = [
        // A `super::` chain reaching another top-level module, in an expression; then a
        // `crate::` path inside a macro call.
        (
            "src/foundation/metrics.rs",
            &["super::super::mcp::list", "crate::mcp::Tool"][..],
        ),
        ("src/foundation/mod.rs", &["crate::mcp::Tool"]),
        // Through lib.rs's re-export, to the file that defines the item (named twice, once here).
        ("src/spec.rs", &["crate::Tool"]),
    ];
    let expected: Vec<(String, Vec<String>, String)> = expected
        .iter()
        .map(|(file, paths)| {
            let paths = paths.iter().map(|path| path.to_string()).collect();
            (file.to_string(), paths, "src/mcp.rs".to_string())
        })
        .collect();
    assert_eq!(upward, expected);
}

#[test]
fn a_module_outside_the_layer_table_fails() {
    let dir = tree(&[
        ("src/lib.rs", "pub mod foundation;\npub mod helpers;\n"),
        ("src/foundation.rs", "pub struct Secret;\n"),
        ("src/helpers.rs", "pub fn help() {}\n"),
    ]);
    assert_eq!(
        violations(dir.path()),
        [Violation::UnlistedModule {
            file: "src/helpers.rs".into(),
            module: "helpers".into(),
        }]
    );
}

#[test]
fn an_import_cycle_fails() {
    let dir = tree(&[
        // Two files, each using the other's item.
        (
            "xtask/src/lib.rs",
            "pub mod a;\npub mod b;\npub mod ring;\n",
        ),
        ("xtask/src/a.rs", "use crate::b::B;\npub struct A;\n"),
        (
            "xtask/src/b.rs",
            "pub struct B;\npub fn make() -> super::a::A { super::a::A }\n",
        ),
        // Three files round a circle, one step through a mod.rs re-export.
        (
            "xtask/src/ring/mod.rs",
            "mod one;\nmod three;\nmod two;\npub use two::Two;\n",
        ),
        (
            "xtask/src/ring/one.rs",
            "use super::Two;\npub struct One;\n",
        ),
        (
            "xtask/src/ring/two.rs",
            "use super::three::Three;\npub struct Two;\n",
        ),
        (
            "xtask/src/ring/three.rs",
            "pub struct Three(super::one::One);\n",
        ),
    ]);
    let cycles: Vec<(Vec<String>, usize)> = violations(dir.path())
        .into_iter()
        .map(|violation| match violation {
            Violation::Cycle { files, steps } => (files, steps.len()),
            other => panic!("only cycles are wrong here, found: {other}"),
        })
        .collect();
    assert_eq!(
        cycles,
        [
            (vec!["xtask/src/a.rs".into(), "xtask/src/b.rs".into()], 2),
            (
                vec![
                    "xtask/src/ring/one.rs".into(),
                    "xtask/src/ring/three.rs".into(),
                    "xtask/src/ring/two.rs".into(),
                ],
                3
            ),
        ]
    );
}

#[test]
fn a_parent_and_child_using_each_others_items_fail() {
    let dir = tree(&[
        (
            "codegen/src/lib.rs",
            "mod tools;\npub use tools::derive;\npub struct Error;\n",
        ),
        (
            "codegen/src/tools.rs",
            "pub fn derive() -> crate::Error { crate::Error }\n",
        ),
    ]);
    let found = violations(dir.path());
    assert!(
        matches!(&found[..], [Violation::Cycle { files, .. }] if files == &["codegen/src/lib.rs", "codegen/src/tools.rs"]),
        "{}",
        report(&found)
    );
}

/// A function of `lines` lines, from its `fn` line to its closing brace.
fn function(name: &str, lines: usize) -> String {
    let body = "    let _ = 1;\n".repeat(lines - 2);
    format!("pub fn {name}() {{\n{body}}}\n")
}

#[test]
fn a_long_hand_written_function_fails() {
    let long = format!(
        "pub struct S;\nimpl S {{\n{}}}\n{}",
        function("fits", MAX_FN_LINES),
        function("too_long", MAX_FN_LINES + 1)
    );
    let dir = tree(&[
        ("codegen/src/lib.rs", "mod tools;\nmod generated_table;\n"),
        ("codegen/src/tools.rs", &long),
        ("codegen/src/generated_table.rs", &function("table", 500)),
    ]);
    assert_eq!(
        violations(dir.path()),
        [Violation::LongFunction {
            file: "codegen/src/tools.rs".into(),
            line: 2 + MAX_FN_LINES + 2,
            name: "too_long".into(),
            lines: MAX_FN_LINES + 1,
        }]
    );
}
