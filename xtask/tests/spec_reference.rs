//! `spec diff` and `spec sync` against Spotify's published documents in
//! `../shared/reference/spotify-openapi/` (a test oracle, never copied into the repository).
//! Skipped with a notice when they are absent.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use xtask::spec::{
    self,
    diff::{self, Kind, Level},
};

fn reference(name: &str) -> Option<PathBuf> {
    let path = spec::workspace_root()
        .join("../shared/reference/spotify-openapi")
        .join(name);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: {} is absent, so this check cannot run here",
            path.display()
        );
        None
    }
}

fn load(path: &Path) -> Value {
    codegen::load(path).unwrap_or_else(|e| panic!("{e}"))
}

fn xtask(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_project_covers_every_operation_and_parameter_of_the_fixed_spec() {
    let Some(fixed) = reference("fixed.yaml") else {
        return;
    };
    let differences = diff::diff(&load(&fixed), &load(&spec::default_spec()));
    let structural: Vec<_> = differences
        .iter()
        .filter(|d| {
            matches!(
                d.kind,
                Kind::OperationAdded
                    | Kind::OperationRemoved
                    | Kind::ParameterAdded
                    | Kind::ParameterRemoved
            ) || (d.kind == Kind::ParameterChanged && d.aspect.as_deref() == Some("required"))
        })
        .collect();
    assert!(structural.is_empty(), "{structural:#?}");
}

/// Syncs a temporary copy of the project's spec from `upstream` with the real command, then
/// checks: nothing left to diff, every operation kept its `x-mcp-*` keys, codegen accepts it.
fn sync_leaves_nothing(upstream: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("spotify.yaml");
    std::fs::copy(spec::default_spec(), &copy).unwrap();
    let (upstream, copy_arg) = (upstream.to_str().unwrap(), copy.to_str().unwrap());

    let synced = xtask(&["spec", "sync", "--upstream", upstream, "--spec", copy_arg]);
    assert_eq!(synced.status.code(), Some(0), "{synced:?}");
    let again = xtask(&["spec", "diff", "--upstream", upstream, "--spec", copy_arg]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    let resync = xtask(&["spec", "sync", "--upstream", upstream, "--spec", copy_arg]);
    assert!(
        String::from_utf8_lossy(&resync.stdout).contains("nothing to change"),
        "sync is idempotent: {resync:?}"
    );

    let (before, after) = (load(&spec::default_spec()), load(&copy));
    let left: Vec<_> = diff::diff(&load(Path::new(upstream)), &after)
        .into_iter()
        .filter(|d| d.level == Level::Change)
        .collect();
    assert!(left.is_empty(), "{left:#?}");
    for op in codegen::spec::operations(&before) {
        let synced = &after["paths"][op.path][op.method];
        for (key, value) in op.operation.as_object().unwrap() {
            if key.starts_with("x-mcp-") {
                assert_eq!(&synced[key], value, "{}: {key} kept", op.label());
            }
        }
    }

    // What `cargo xtask codegen` and build.rs do with the spec.
    let prepared = codegen::prepare(&after).unwrap_or_else(|e| panic!("{e}"));
    let tools =
        codegen::derive_tools(&after, &prepared.adjustments).unwrap_or_else(|e| panic!("{e}"));
    assert!(tools.len() >= 97, "{} tools", tools.len());
}

#[test]
fn sync_from_the_fixed_spec_leaves_nothing_to_diff_and_generates() {
    if let Some(fixed) = reference("fixed.yaml") {
        sync_leaves_nothing(&fixed);
    }
}

#[test]
fn sync_from_the_official_spec_leaves_nothing_to_diff_and_generates() {
    if let Some(official) = reference("official.yaml") {
        sync_leaves_nothing(&official);
    }
}
