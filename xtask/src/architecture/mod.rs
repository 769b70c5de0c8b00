//! The architecture check of issue 13, run by `xtask/tests/architecture.rs`. It parses the
//! workspace's Rust sources with `syn` and reports:
//!
//! a. in `src/`, an import from a layer above the importing file's own (`LAYERS`), and any
//!    top-level module the table does not place;
//! b. files that import from each other, in `src/`, `codegen/src/` and `xtask/src/`;
//! c. hand-written functions over `MAX_FN_LINES` lines in the same directories.
//!
//! An import is a `use` leaf, a path of two or more segments anywhere in the code (types,
//! expressions, patterns, trait bounds), or a `crate::`/`super::`/`self::` path inside a macro
//! call. Paths are resolved the way rustc does for modules: `crate`, `self`, `super` chains,
//! child modules, `use` bindings (renames and `{self}` included) and globs, following re-exports
//! to the file that defines the item; a name the resolver cannot find in a module it did reach
//! (from `include!`, or a macro) counts as that module's own file.
//!
//! Limits, each harmless on this codebase:
//! - `#[path = "…"]` on `mod` is not read; `#[cfg]` is ignored (every module counts).
//! - Inside macros only `crate::`/`super::`/`self::` paths are seen, not ones starting with an
//!   imported module's name; `quote!`-like macros are skipped (their tokens are generated code).
//! - A `use` inside a function binds in the whole module for resolution, not just the block.
//! - Names are looked up in the type and value namespaces at once: a module and a function of
//!   the same name in one module resolve to the module.
//! - Files reached by no crate root (`lib.rs`, `main.rs`, `bin/*.rs`, `bin/*/main.rs`) are not read.
//! - `mod x;` is a declaration, not an import: a parent that only declares its children and a
//!   child that imports from its parent make no circle; a parent that `use`s a child's item and
//!   a child that uses one the parent defines do.

mod cycles;
mod layers;
mod long_fns;
mod refs;
mod resolve;
mod tree;
mod violation;

pub use layers::{LAYERS, Layer};
pub use long_fns::MAX_FN_LINES;
pub use violation::{CheckError, Violation, report};

use std::path::{Path, PathBuf};

/// The source directories checked for circles and long functions.
pub const SOURCE_DIRS: [&str; 3] = ["src", "codegen/src", "xtask/src"];

/// The directory whose top-level modules are layered.
pub const LAYERED_DIR: &str = "src";

/// Every violation in the workspace at `workspace`, sorted; directories that do not exist are
/// skipped (a synthetic tree may hold only `src/`).
pub fn check(workspace: &Path) -> Result<Vec<Violation>, CheckError> {
    let mut violations = Vec::new();
    for dir in SOURCE_DIRS {
        for root in crate_roots(&workspace.join(dir)) {
            let krate = tree::Crate::load(workspace, &root)?;
            let edges = resolve::edges(&krate);
            if dir == LAYERED_DIR {
                violations.extend(layers::check(&krate, &edges));
            }
            violations.extend(cycles::check(&krate, &edges));
            violations.extend(long_fns::check(&krate));
        }
    }
    violations.sort();
    violations.dedup();
    Ok(violations)
}

/// The crate roots Cargo finds by itself in a package's `src/`.
fn crate_roots(dir: &Path) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = ["lib.rs", "main.rs"]
        .iter()
        .map(|name| dir.join(name))
        .filter(|path| path.is_file())
        .collect();
    let mut bins: Vec<PathBuf> = std::fs::read_dir(dir.join("bin"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter_map(|path| match path.extension() {
            Some(ext) if ext == "rs" => Some(path),
            _ => Some(path.join("main.rs")).filter(|main| main.is_file()),
        })
        .collect();
    bins.sort();
    roots.extend(bins);
    roots
}
