//! Dynamic tool mode: three tools stand for the whole catalog, for clients that must keep their
//! context tiny. `find_tools` searches, `describe_tool` gives one tool's full schema, and
//! `call_tool` calls it through the same validation and dispatch as a listed tool.

use super::catalog::Catalog;
use super::narrowing::{self, Narrowing};
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::{Value, json};

pub const FIND: &str = "find_tools";
pub const DESCRIBE: &str = "describe_tool";
pub const CALL: &str = "call_tool";

fn object(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("schemas below are objects"),
    }
}

/// The three tools `tools/list` shows in dynamic mode.
pub fn tools(catalog: &Catalog) -> Vec<Tool> {
    let toolsets = catalog.toolsets().join(", ");
    vec![
        Tool::new(
            FIND,
            format!(
                "Find Spotify tools by keywords (e.g. \"play album\", \"playlist add\") and/or toolset ({toolsets}). \
                 Answers names with one-line summaries; then use describe_tool for a tool's arguments and call_tool to run it."
            ),
            object(json!({
                "type": "object",
                "properties": {
                    "query": { "type": "string", "description": "Keywords to look for in tool names and descriptions." },
                    "toolset": { "type": "string", "description": "Only tools of this toolset." },
                    "limit": { "type": "integer", "minimum": 1, "maximum": 100, "default": 15 }
                },
                "additionalProperties": false
            })),
        )
        .with_title("Find Tools")
        .with_annotations(ToolAnnotations::with_title("Find Tools").read_only(true).open_world(false)),
        Tool::new(
            DESCRIBE,
            "Describe one Spotify tool: what it does, its input schema (the arguments call_tool needs), its output schema and hints.",
            object(json!({
                "type": "object",
                "properties": { "name": { "type": "string", "description": "A tool name from find_tools." } },
                "required": ["name"],
                "additionalProperties": false
            })),
        )
        .with_title("Describe Tool")
        .with_annotations(ToolAnnotations::with_title("Describe Tool").read_only(true).open_world(false)),
        Tool::new(
            CALL,
            "Call one Spotify tool by name with its arguments (as describe_tool gives them). Answers exactly what the tool answers.",
            object(json!({
                "type": "object",
                "properties": {
                    "name": { "type": "string", "description": "The tool to call." },
                    "arguments": { "type": "object", "description": "The tool's arguments." }
                },
                "required": ["name"],
                "additionalProperties": false
            })),
        )
        .with_title("Call Tool")
        .with_annotations(ToolAnnotations::with_title("Call Tool").destructive(true).open_world(true)),
    ]
}

fn summary(description: &str) -> &str {
    let first = description.split("\n\n").next().unwrap_or(description);
    match first.find(". ") {
        Some(end) => &first[..=end],
        None => first,
    }
}

/// `find_tools`: listed tools ranked by how many keywords they contain.
pub fn find(
    catalog: &Catalog,
    query: Option<&str>,
    toolset: Option<&str>,
    limit: usize,
    narrowing: Option<&Narrowing>,
) -> Value {
    let words: Vec<String> = query
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let mut found: Vec<(usize, Value)> = catalog
        .listed()
        .filter(|entry| toolset.is_none_or(|set| entry.def.toolset == set))
        .filter(|entry| narrowing::admits(narrowing, entry.def))
        .filter_map(|entry| {
            let def = entry.def;
            let text = format!(
                "{} {} {}",
                def.name.replace('_', " "),
                def.title,
                def.description
            )
            .to_lowercase();
            let score = words.iter().filter(|w| text.contains(w.as_str())).count();
            (words.is_empty() || score > 0).then(|| {
                let found = json!({
                    "name": def.name,
                    "title": def.title,
                    "toolset": def.toolset,
                    "read_only": def.read_only,
                    "summary": summary(def.description),
                });
                (score, found)
            })
        })
        .collect();
    found.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
    let total = found.len();
    let tools: Vec<Value> = found
        .into_iter()
        .take(limit)
        .map(|(_, tool)| tool)
        .collect();
    json!({ "tools": tools, "total": total })
}

/// `describe_tool`: the tool as `tools/list` would show it.
pub fn describe(tool: &Tool) -> Value {
    serde_json::to_value(tool).unwrap_or(Value::Null)
}
