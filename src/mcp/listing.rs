//! `spotify-mcp tools list`: the catalog some flags select, and what it costs in context.

use super::catalog::{Catalog, CatalogOptions};
use super::selection::{Selection, SelectionError};
use super::{all_tools, dynamic};
use crate::config::{ToolMode, ToolsListArgs};
use rmcp::model::Tool;

/// A rough rule for JSON: about four bytes per token.
pub const BYTES_PER_TOKEN: usize = 4;

pub fn catalog(args: &ToolsListArgs) -> Result<(Catalog, Vec<Tool>), SelectionError> {
    let options = CatalogOptions {
        selection: Selection::from_args(&args.catalog, all_tools())?,
        mode: args.catalog.tool_mode,
        ..CatalogOptions::default()
    };
    let catalog = Catalog::new(all_tools(), &options);
    let tools = match args.catalog.tool_mode {
        ToolMode::Static => catalog.tools(),
        ToolMode::Dynamic => dynamic::tools(&catalog),
    };
    Ok((catalog, tools))
}

fn size(tool: &Tool) -> usize {
    serde_json::to_vec(tool).map(|v| v.len()).unwrap_or(0)
}

/// The table, or the `tools/list` JSON with `--json`.
pub fn report(args: &ToolsListArgs) -> Result<String, SelectionError> {
    let (catalog, tools) = catalog(args)?;
    let listing = serde_json::json!({ "tools": tools });
    if args.json {
        return Ok(serde_json::to_string_pretty(&listing).unwrap_or_default());
    }
    let total = serde_json::to_vec(&listing).map(|v| v.len()).unwrap_or(0);
    let mut out = format!(
        "{:<40} {:<11} {:<6} {:>7}\n",
        "TOOL", "TOOLSET", "KIND", "BYTES"
    );
    for tool in &tools {
        let entry = catalog.get(&tool.name);
        let (toolset, kind) = match entry {
            Some(e) => (
                e.def.toolset,
                if e.def.read_only { "read" } else { "write" },
            ),
            None => (
                "(dynamic)",
                if tool.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(true) {
                    "read"
                } else {
                    "call"
                },
            ),
        };
        out.push_str(&format!(
            "{:<40} {:<11} {:<6} {:>7}\n",
            tool.name,
            toolset,
            kind,
            size(tool)
        ));
    }
    out.push_str(&format!(
        "{} tools; tools/list is {total} bytes, about {} tokens (estimated at {BYTES_PER_TOKEN} bytes per token)\n",
        tools.len(),
        total.div_ceil(BYTES_PER_TOKEN)
    ));
    let shown: usize = tools
        .iter()
        .map(|t| {
            t.name.len()
                + t.description.as_deref().map_or(0, str::len)
                + serde_json::to_vec(&t.input_schema)
                    .map(|v| v.len())
                    .unwrap_or(0)
        })
        .sum();
    out.push_str(&format!(
        "what a model is shown of it (names, descriptions, input schemas): {shown} bytes, about {} tokens\n",
        shown.div_ceil(BYTES_PER_TOKEN)
    ));
    if args.catalog.tool_mode == ToolMode::Dynamic {
        out.push_str(&format!(
            "(dynamic mode: the three tools reach {} tools)\n",
            catalog.len()
        ));
    }
    Ok(out)
}
