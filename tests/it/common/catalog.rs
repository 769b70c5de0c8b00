//! The catalog as the spec defines it, for tests whose point is not its size: expected counts and
//! names come from here, so a new Spotify operation does not break tests about something else.

use spotify_mcp::mcp::{ToolDef, all_tools};

/// The definition of the tool `name`; panics on a name the catalog does not have.
pub fn def(name: &str) -> &'static ToolDef {
    all_tools()
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("{name} is not in the catalog"))
}

/// Names of the current (not deprecated) tools that `keep` accepts, sorted.
pub fn current_where(keep: impl Fn(&ToolDef) -> bool) -> Vec<String> {
    let mut names: Vec<String> = all_tools()
        .iter()
        .filter(|t| !t.deprecated && keep(t))
        .map(|t| t.name.to_string())
        .collect();
    names.sort();
    names
}

/// Names of the tools `tools/list` shows by default (the current ones), sorted.
pub fn current() -> Vec<String> {
    current_where(|_| true)
}

/// How many tools `tools/list` shows by default.
pub fn current_count() -> usize {
    current().len()
}

/// Tools the server itself adds where it runs fully wired (the binary): `undo`.
pub const SERVER_TOOLS: [&str; 1] = ["undo"];

/// What the binary lists by default: the current tools and [`SERVER_TOOLS`], sorted.
pub fn served() -> Vec<String> {
    sorted(current().into_iter().chain(SERVER_TOOLS.map(String::from)))
}

/// How many tools there are with the deprecated ones (`--include-deprecated`).
pub fn all_count() -> usize {
    all_tools().len()
}

/// Names as `tools/list` gave them, sorted, to compare with [`current_where`].
pub fn sorted<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Vec<String> {
    let mut names: Vec<String> = names.into_iter().map(|n| n.as_ref().to_string()).collect();
    names.sort();
    names
}
