//! Tool definitions (generated from the spec) turned into what `tools/list` shows, plus the
//! JSON Schema validators that check arguments before any call reaches Spotify.

use super::generated_tools::FIELDS_ARG;
use super::selection::Selection;
use super::tool_def::ToolDef;
use crate::foundation::config::ToolMode;
use crate::foundation::excerpt::{excerpt, excerpt_to};
use rmcp::model::Tool;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// How many schema violations an argument error lists, and how long each may be: enough to fix
/// the call, never the whole of a huge argument.
const MAX_PROBLEMS: usize = 10;
const MAX_PROBLEM_CHARS: usize = 300;

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
            .take(MAX_PROBLEMS)
            .map(|error| {
                // The offending value is quoted short: it may be a megabyte.
                let instance = error.instance().to_string();
                let message = error.masked_with(excerpt(&instance)).to_string();
                let message = excerpt_to(&message, MAX_PROBLEM_CHARS);
                let path = error.instance_path().to_string();
                if path.is_empty() {
                    message.into_owned()
                } else {
                    format!(
                        "`{}`: {message}",
                        excerpt(&path.trim_start_matches('/').replace('/', "."))
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
                    Some(granted) => crate::credentials::grant::missing_scopes(def.operation.scopes, granted),
                    None => Vec::new(),
                };
                let mut tool = def.to_mcp();
                // MCP Apps: the view that renders this tool's results, if one does.
                if let Some(meta) = super::apps::tool_meta(def.name) {
                    tool = tool.with_meta(meta);
                }
                if !missing_scopes.is_empty() {
                    let note = format!(
                        "UNAVAILABLE: the stored login lacks {}; run `spotify-mcp auth login` to grant it. ",
                        crate::credentials::grant::describe_scopes(&missing_scopes)
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

/// How answers are rendered: projected and capped (the default), or raw.
#[derive(Debug, Clone)]
pub struct ResponseOptions {
    /// Answers as Spotify sent them (after decoding): no projection, no cap.
    pub raw: bool,
    /// Largest answer in bytes before lists are cut.
    pub max_bytes: usize,
}

impl Default for ResponseOptions {
    fn default() -> Self {
        Self {
            raw: false,
            max_bytes: 60_000,
        }
    }
}
