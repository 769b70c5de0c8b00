//! Catalog selection: toolsets, read-only, explicit tool lists, deprecated operations.

use super::tool_def::ToolDef;
use crate::foundation::config::CatalogArgs;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub include_deprecated: bool,
    /// `None`: every toolset.
    pub toolsets: Option<BTreeSet<String>>,
    pub read_only: bool,
    /// `None`: no explicit list.
    pub only: Option<BTreeSet<String>>,
    pub exclude: BTreeSet<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SelectionError {
    #[error("unknown toolset `{0}`; known toolsets: {1}")]
    UnknownToolset(String, String),
    #[error(
        "unknown tool `{0}` in --tools/--exclude-tools; `spotify-mcp tools list --include-deprecated` lists every name"
    )]
    UnknownTool(String),
}

fn clean(list: &[String]) -> BTreeSet<String> {
    list.iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

impl Selection {
    /// Checks the flags against the tools that exist.
    pub fn from_args(args: &CatalogArgs, defs: &[ToolDef]) -> Result<Self, SelectionError> {
        let known_sets: BTreeSet<&str> = defs.iter().map(|d| d.toolset).collect();
        let toolsets = clean(&args.toolsets);
        let toolsets = if toolsets.is_empty() || toolsets.contains("all") {
            None
        } else {
            if let Some(unknown) = toolsets.iter().find(|t| !known_sets.contains(t.as_str())) {
                let known = known_sets.iter().copied().collect::<Vec<_>>().join(", ");
                return Err(SelectionError::UnknownToolset(unknown.clone(), known));
            }
            Some(toolsets)
        };
        let names: BTreeSet<&str> = defs.iter().map(|d| d.name).collect();
        let (only, exclude) = (clean(&args.tools), clean(&args.exclude_tools));
        if let Some(unknown) = only
            .iter()
            .chain(&exclude)
            .find(|t| !names.contains(t.as_str()))
        {
            return Err(SelectionError::UnknownTool(unknown.clone()));
        }
        Ok(Self {
            include_deprecated: args.include_deprecated,
            toolsets,
            read_only: args.read_only,
            only: (!only.is_empty()).then_some(only),
            exclude,
        })
    }

    /// Whether the catalog holds this tool. An explicit `--tools` entry wins over the
    /// deprecation and toolset filters (naming a tool is asking for it), never over
    /// `--read-only` or `--exclude-tools`.
    pub fn admits(&self, def: &ToolDef) -> bool {
        if self.exclude.contains(def.name) || (self.read_only && !def.read_only) {
            return false;
        }
        if let Some(only) = &self.only {
            return only.contains(def.name);
        }
        (self.include_deprecated || !def.deprecated)
            && self
                .toolsets
                .as_ref()
                .is_none_or(|sets| sets.contains(def.toolset))
    }
}
