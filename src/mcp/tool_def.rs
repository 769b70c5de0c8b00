//! The generated tool definitions' type, and how one becomes what `tools/list` shows. Kept apart
//! from the catalog so the generated table, selection and the catalog can all use it.

use crate::spec::Operation;
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::Value;
use std::sync::Arc;

/// One tool, as `cargo xtask codegen` derived it from an operation of the spec.
#[derive(Debug)]
pub struct ToolDef {
    pub name: &'static str,
    /// The operation it calls: method, path, scopes, cache class, idempotence.
    pub operation: &'static Operation,
    pub title: &'static str,
    pub description: &'static str,
    /// The operation's first tag, in snake_case.
    pub toolset: &'static str,
    pub deprecated: bool,
    pub premium: bool,
    pub read_only: bool,
    pub destructive: bool,
    pub open_world: bool,
    /// JSON Schema 2020-12 of the arguments, as JSON text.
    pub input_schema: &'static str,
    /// JSON Schema of `structuredContent`, as JSON text, for tools that answer with JSON: the
    /// default answer, with list items trimmed.
    pub output_schema: Option<&'static str>,
    /// The answer's shape before list items are trimmed, which `fields` picks from; `None` when
    /// it is `output_schema`.
    pub rich_output_schema: Option<&'static str>,
    /// Key under which a non-object answer is wrapped in `structuredContent`.
    pub output_wrap: Option<&'static str>,
    /// The tool to use instead, for a deprecated one.
    pub replaced_by: Option<&'static str>,
    /// Answers pages and takes `all_pages` / `max_items`.
    pub paginated: bool,
}

fn parse_object(text: &str, what: &str, tool: &str) -> JsonObject {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => object,
        // Generated code is checked by tests; this only guards a hand-edited file.
        _ => panic!("generated {what} of tool {tool} is not a JSON object"),
    }
}

impl ToolDef {
    /// The MCP description of this tool, as `tools/list` returns it.
    pub fn to_mcp(&self) -> Tool {
        let annotations = ToolAnnotations::with_title(self.title)
            .read_only(self.read_only)
            .destructive(self.destructive)
            .idempotent(self.operation.idempotent)
            .open_world(self.open_world);
        let mut tool = Tool::new(
            self.name,
            self.description,
            parse_object(self.input_schema, "inputSchema", self.name),
        )
        .with_title(self.title)
        .with_annotations(annotations);
        if let Some(schema) = self.output_schema {
            tool = tool.with_raw_output_schema(Arc::new(parse_object(
                schema,
                "outputSchema",
                self.name,
            )));
        }
        tool
    }
}
