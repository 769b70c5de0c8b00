//! Tool definitions (generated from the spec) turned into what `tools/list` shows, plus the
//! JSON Schema validators that check arguments before any call reaches Spotify.

use super::generated_tools::FIELDS_ARG;
use super::projection::ResponseOptions;
use super::selection::Selection;
use crate::config::ToolMode;
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

/// One tool, as `cargo xtask codegen` derived it from an operation of the spec.
#[derive(Debug)]
pub struct ToolDef {
    pub name: &'static str,
    pub operation_id: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// The operation's first tag, in snake_case.
    pub toolset: &'static str,
    pub deprecated: bool,
    pub scopes: &'static [&'static str],
    pub premium: bool,
    /// Cache class from `x-mcp-cache`: `catalog`, `user`, `playback` or `none`.
    pub cache: &'static str,
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
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
            .idempotent(self.idempotent)
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

/// The input schema as the server holds arguments to it: listed schemas leave out what the
/// instructions say once (unknown arguments are refused; `fields` is a list of strings).
fn strict(mut schema: Value) -> Value {
    schema["additionalProperties"] = Value::Bool(false);
    if let Some(fields) = schema.pointer_mut(&format!("/properties/{FIELDS_ARG}"))
        && fields["type"] == "array"
    {
        fields["items"] = serde_json::json!({ "type": "string" });
    }
    schema
}

/// A catalog entry: the definition, its MCP form and a lazily built argument validator.
pub struct Entry {
    pub def: &'static ToolDef,
    pub tool: Tool,
    /// Scopes the tool needs that the stored login lacks (empty when unknown or complete).
    pub missing_scopes: Vec<&'static str>,
    validator: OnceLock<Result<jsonschema::Validator, String>>,
    output: OnceLock<Option<Value>>,
    rich_output: OnceLock<Option<Value>>,
}

impl Entry {
    /// The output schema, parsed once.
    pub fn output_schema(&self) -> Option<&Value> {
        self.output
            .get_or_init(|| {
                self.def
                    .output_schema
                    .and_then(|text| serde_json::from_str(text).ok())
            })
            .as_ref()
    }

    /// The answer's shape before list items are trimmed (what `fields` picks from), parsed once.
    pub fn rich_output_schema(&self) -> Option<&Value> {
        match self.def.rich_output_schema {
            None => self.output_schema(),
            Some(text) => self
                .rich_output
                .get_or_init(|| serde_json::from_str(text).ok())
                .as_ref(),
        }
    }

    /// Checks arguments against the input schema; the error names each offending field.
    pub fn validate(&self, arguments: &Value) -> Result<(), String> {
        let validator = self.validator.get_or_init(|| {
            let schema: Value =
                serde_json::from_str(self.def.input_schema).map_err(|e| e.to_string())?;
            jsonschema::draft202012::new(&strict(schema)).map_err(|e| e.to_string())
        });
        let validator = validator
            .as_ref()
            .map_err(|e| format!("the input schema of this tool is invalid: {e}"))?;
        let problems: Vec<String> = validator
            .iter_errors(arguments)
            .map(|error| {
                let path = error.instance_path().to_string();
                if path.is_empty() {
                    error.to_string()
                } else {
                    format!(
                        "`{}`: {error}",
                        path.trim_start_matches('/').replace('/', ".")
                    )
                }
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

/// What goes into a catalog.
#[derive(Debug, Clone, Default)]
pub struct CatalogOptions {
    pub selection: Selection,
    /// Scopes of the stored login; `None` when unknown (no login, or a raw token): list everything.
    pub granted_scopes: Option<BTreeSet<String>>,
    /// List tools the login lacks scopes for too, marked, instead of hiding them.
    pub show_unavailable: bool,
    pub mode: ToolMode,
    pub responses: ResponseOptions,
}

/// The tools this server lists and answers to.
pub struct Catalog {
    entries: Vec<Entry>,
    show_unavailable: bool,
    pub mode: ToolMode,
    pub responses: ResponseOptions,
}

impl Catalog {
    pub fn new(defs: &'static [ToolDef], options: &CatalogOptions) -> Self {
        let entries = defs
            .iter()
            .filter(|def| options.selection.admits(def))
            .map(|def| {
                let missing_scopes: Vec<&'static str> = match &options.granted_scopes {
                    Some(granted) => crate::auth::grant::missing_scopes(def.scopes, granted),
                    None => Vec::new(),
                };
                let mut tool = def.to_mcp();
                if !missing_scopes.is_empty() {
                    let note = format!(
                        "UNAVAILABLE: the stored login lacks {}; run `spotify-mcp auth login` to grant it. ",
                        crate::auth::grant::describe_scopes(&missing_scopes)
                    );
                    tool.description = Some(format!("{note}{}", def.description).into());
                }
                Entry { def, tool, missing_scopes, validator: OnceLock::new(), output: OnceLock::new(), rich_output: OnceLock::new() }
            })
            .collect();
        Self {
            entries,
            show_unavailable: options.show_unavailable,
            mode: options.mode,
            responses: options.responses.clone(),
        }
    }

    /// The tools `tools/list` shows.
    pub fn tools(&self) -> Vec<Tool> {
        self.listed().map(|e| e.tool.clone()).collect()
    }

    /// Entries `tools/list` shows.
    pub fn listed(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(|e| self.show_unavailable || e.missing_scopes.is_empty())
    }

    /// The toolsets of the listed tools.
    pub fn toolsets(&self) -> Vec<&'static str> {
        let sets: BTreeSet<&'static str> = self.listed().map(|e| e.def.toolset).collect();
        sets.into_iter().collect()
    }

    /// Any tool of the catalog, listed or hidden for want of a scope.
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.def.name == name)
    }

    /// How many tools `tools/list` shows.
    pub fn len(&self) -> usize {
        self.tools().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
