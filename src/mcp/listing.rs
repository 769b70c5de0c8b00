//! `spotify-mcp tools list`: the catalog some flags select, and what it costs in context.

use super::catalog::{Catalog, CatalogOptions};
use super::selection::{Selection, SelectionError};
use super::{all_tools, dynamic};
use crate::foundation::config::{ToolMode, ToolsListArgs};
use rmcp::model::Tool;

/// Tokens in OpenAI's cl100k encoding, the common yardstick for context cost (other models'
/// tokenizers differ by some percent).
pub struct TokenCounter(tiktoken_rs::CoreBPE);

impl TokenCounter {
    pub fn cl100k() -> Self {
        Self(tiktoken_rs::cl100k_base().expect("the cl100k tables are built into the binary"))
    }

    pub fn count(&self, text: &str) -> usize {
        self.0.encode_with_special_tokens(text).len()
    }
}

/// What a model reads of one tool to choose and call it, as clients send it to the model:
/// `{name, description, input_schema}` in compact JSON.
fn shown(tool: &Tool) -> serde_json::Value {
    serde_json::json!({
        "name": tool.name,
        "description": tool.description.as_deref().unwrap_or_default(),
        "input_schema": tool.input_schema,
    })
}

/// One tool as clients send it to a model (see [`as_sent`]).
pub fn shown_text(tool: &Tool) -> String {
    shown(tool).to_string()
}

/// The catalog as clients send it to a model: a compact JSON list of each tool's name,
/// description and input schema.
pub fn as_sent(tools: &[Tool]) -> String {
    serde_json::Value::Array(tools.iter().map(shown).collect()).to_string()
}

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

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The table, or the `tools/list` JSON with `--json`.
pub fn report(args: &ToolsListArgs) -> Result<String, SelectionError> {
    let (catalog, tools) = catalog(args)?;
    let listing = serde_json::json!({ "tools": tools });
    if args.json {
        return Ok(serde_json::to_string_pretty(&listing).unwrap_or_default());
    }
    let counter = TokenCounter::cl100k();
    let total = json(&listing);
    let mut out = format!(
        "{:<40} {:<11} {:<6} {:>7} {:>7}\n",
        "TOOL", "TOOLSET", "KIND", "BYTES", "SHOWN"
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
            "{:<40} {:<11} {:<6} {:>7} {:>7}\n",
            tool.name,
            toolset,
            kind,
            json(tool).len(),
            counter.count(&shown_text(tool))
        ));
    }
    out.push_str(&format!(
        "{} tools; tools/list is {} bytes, {} tokens (cl100k)\n",
        tools.len(),
        total.len(),
        counter.count(&total)
    ));
    let shown = as_sent(&tools);
    out.push_str(&format!(
        "as clients send it to a model ([{{name, description, input_schema}}], compact JSON): {} bytes, {} tokens (SHOWN column: each tool's part)\n",
        shown.len(),
        counter.count(&shown)
    ));
    if args.catalog.tool_mode == ToolMode::Dynamic {
        out.push_str(&format!(
            "(dynamic mode: the three tools reach {} tools)\n",
            catalog.len()
        ));
    }
    Ok(out)
}
