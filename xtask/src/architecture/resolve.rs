//! From a path as written to the file that defines what it names, following `use` re-exports
//! (`pub use inner::Item` in a `mod.rs` leads to `inner.rs`) and globs.

use super::refs;
use super::tree::{Crate, EXTERN, FileId, ModId};

/// A file naming something another file of the same crate defines.
pub struct Edge {
    pub from: FileId,
    pub to: FileId,
    pub line: usize,
    /// The path as written, `::`-joined.
    pub path: String,
}

/// Re-export chains longer than this are taken for loops (`use a::*` in both `a` and `b`).
const MAX_HOPS: usize = 16;

/// What a path leads to: a module, or a name in a file (an item, or a name the resolver cannot
/// follow further, such as one `include!` or a macro defines: then the module's own file).
#[derive(Clone, Copy)]
enum Target {
    Module(ModId),
    File(FileId),
}

/// Every reference of the crate that lands in another of its files.
pub fn edges(krate: &Crate) -> Vec<Edge> {
    refs::collect(krate)
        .into_iter()
        .filter_map(|reference| {
            let to = resolve(krate, reference.module, &reference.path)?;
            (to != reference.file).then(|| Edge {
                from: reference.file,
                to,
                line: reference.line,
                path: reference.path.join("::"),
            })
        })
        .collect()
}

/// The file defining what `path`, written in module `from`, names; `None` when it is outside the
/// crate (std, a dependency) or not a path to an item at all (a local, a generic's `T::Item`).
pub fn resolve(krate: &Crate, from: ModId, path: &[String]) -> Option<FileId> {
    match resolve_path(krate, from, path, 0)? {
        Target::Module(module) => Some(krate.modules[module].file),
        Target::File(file) => Some(file),
    }
}

fn resolve_path(krate: &Crate, from: ModId, path: &[String], hops: usize) -> Option<Target> {
    if hops > MAX_HOPS {
        return None;
    }
    let (first, rest) = path.split_first()?;
    match first.as_str() {
        "crate" => lookup(krate, 0, rest, hops),
        "self" => lookup(krate, from, rest, hops),
        "super" => {
            let mut module = krate.modules[from].parent?;
            let mut rest = rest;
            while rest.first().is_some_and(|s| s == "super") {
                module = krate.modules[module].parent?;
                rest = &rest[1..];
            }
            lookup(krate, module, rest, hops)
        }
        EXTERN => None,
        name if knows(krate, from, name, hops) => lookup(krate, from, path, hops),
        _ => None,
    }
}

/// Whether `name` is in scope in `module`: a child, an item, a `use` binding or a glob's name.
fn knows(krate: &Crate, module: ModId, name: &str, hops: usize) -> bool {
    let here = &krate.modules[module];
    here.children.contains_key(name)
        || here.items.contains(name)
        || here.bindings.contains_key(name)
        || glob_with(krate, module, name, hops).is_some()
}

/// The module one of `module`'s globs brings `name` from.
fn glob_with(krate: &Crate, module: ModId, name: &str, hops: usize) -> Option<ModId> {
    krate.modules[module].globs.iter().find_map(|glob| {
        let Target::Module(source) = resolve_path(krate, module, glob, hops + 1)? else {
            return None;
        };
        let there = &krate.modules[source];
        (there.children.contains_key(name)
            || there.items.contains(name)
            || there.bindings.contains_key(name))
        .then_some(source)
    })
}

/// `path` looked up inside `module`.
fn lookup(krate: &Crate, module: ModId, path: &[String], hops: usize) -> Option<Target> {
    let here = &krate.modules[module];
    let Some((first, rest)) = path.split_first() else {
        return Some(Target::Module(module));
    };
    if let Some(&child) = here.children.get(first) {
        return lookup(krate, child, rest, hops);
    }
    if here.items.contains(first) {
        return Some(Target::File(here.file));
    }
    if let Some(named) = here.bindings.get(first) {
        let full: Vec<String> = named.iter().chain(rest).cloned().collect();
        return resolve_path(krate, module, &full, hops + 1);
    }
    if let Some(source) = glob_with(krate, module, first, hops) {
        return lookup(krate, source, path, hops + 1);
    }
    Some(Target::File(here.file))
}
