//! Derives the MCP tool catalog from the spec: one tool per operation.

use crate::prepare::Adjustments;
use crate::schema::{Converter, Refs, SchemaError};
use crate::spec::{self, OperationRef};
use heck::ToSnakeCase;
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Property that wraps a non-object success body, since `structuredContent` must be an object.
pub const WRAP_KEY: &str = "items";
/// Input property carrying a binary body as base64 text.
pub const BASE64_BODY_ARG: &str = "image_base64";
const MAX_NAME_LEN: usize = 64;
/// The project's operation extensions (documented in openapi/README.md); others are typos.
pub const EXTENSIONS: [&str; 7] = [
    "x-mcp-name",
    "x-mcp-cache",
    "x-mcp-premium",
    "x-mcp-destructive",
    "x-mcp-idempotent",
    "x-mcp-replaced-by",
    "x-mcp-todo",
];
/// Parameter extension: leave the (optional) parameter out of the tool, e.g. a query list that
/// duplicates the request body.
pub const OMIT_EXTENSION: &str = "x-mcp-omit";
/// Document extension: parameter name → one explanation, given once in the server instructions
/// instead of in every tool that takes the parameter.
pub const COMMON_ARGUMENTS_EXTENSION: &str = "x-mcp-common-arguments";
/// Document extension: what projection trims from answers (documented in openapi/README.md).
pub const PROJECTION_EXTENSION: &str = "x-mcp-projection";
/// Values of `x-mcp-cache`.
pub const CACHE_CLASSES: [&str; 4] = ["catalog", "user", "playback", "none"];

#[derive(Debug, Clone, Serialize)]
pub struct Annotations {
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
}

/// How generated dispatch code hands an argument to the typed client method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Pass {
    /// A `&str` (or `Option<&str>`).
    Str,
    /// A list joined with commas into one `&str`.
    Joined,
    /// A value whose type the compiler infers from the method signature.
    Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct Arg {
    /// Property name in `inputSchema` (same as the API name for parameters).
    pub name: String,
    pub required: bool,
    pub pass: Pass,
    /// Not offered as a tool argument (`x-mcp-omit`): the client always gets `None`.
    pub omitted: bool,
}

#[derive(Debug, Clone, Serialize)]
pub enum Body {
    /// A JSON body assembled from input properties: `(input name, body property name)`.
    Json { properties: Vec<(String, String)> },
    /// A text body taken from one input property (e.g. a base64 image).
    Text { arg: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: String,
    pub operation_id: String,
    /// progenitor's method name on the generated client.
    pub client_method: String,
    pub method: String,
    pub path: String,
    pub title: String,
    pub description: String,
    pub toolset: String,
    pub deprecated: bool,
    pub scopes: Vec<String>,
    pub premium: bool,
    pub cache: String,
    pub annotations: Annotations,
    pub input_schema: Value,
    pub output_schema: Option<Value>,
    /// Set when the success body is wrapped in an object under this key.
    pub output_wrap: Option<String>,
    /// Client method arguments in progenitor's positional order, body excluded.
    pub args: Vec<Arg>,
    pub body: Option<Body>,
    pub empty_success_statuses: Vec<u16>,
    /// The tool that replaces this deprecated one (`x-mcp-replaced-by`).
    pub replaced_by: Option<String>,
    /// Answers one page of a list (`items` and `next`) and takes `offset` or a cursor: it gets
    /// the `all_pages` and `max_items` arguments.
    pub paginated: bool,
}

pub const ALL_PAGES_ARG: &str = "all_pages";
pub const FIELDS_ARG: &str = "fields";
pub const MAX_ITEMS_ARG: &str = "max_items";
pub const DEFAULT_MAX_ITEMS: u64 = 200;
pub const MAX_ITEMS_CAP: u64 = 1000;

/// The server's own arguments, explained once in the instructions like the common ones.
pub fn own_argument_notes() -> Vec<(String, String)> {
    vec![
        (
            FIELDS_ARG.into(),
            "a list of dotted paths (`name`, `items.name`, `items.artists.name`) keeping only those \
             fields of the answer; a tool whose `fields` is a string uses Spotify's own filter syntax \
             instead, described on the tool"
                .into(),
        ),
        (
            ALL_PAGES_ARG.into(),
            format!("true follows the list's next pages and answers them as one list, up to `{MAX_ITEMS_ARG}`"),
        ),
        (
            MAX_ITEMS_ARG.into(),
            format!("how many items `{ALL_PAGES_ARG}` collects at most (default {DEFAULT_MAX_ITEMS})"),
        ),
    ]
}

/// What `x-mcp-projection` trims from projected answers.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ProjectionRules {
    /// Properties removed everywhere.
    pub drop: BTreeSet<String>,
    /// Properties removed inside an answer, kept on the answer itself.
    pub drop_nested: BTreeSet<String>,
    /// Properties left out when they have this value (written as `default` in output schemas).
    pub usual_values: BTreeMap<String, Value>,
    /// Properties left out of an object when equal to the same property of an object around it.
    pub inherited: BTreeSet<String>,
}

const PROJECTION_KEYS: [&str; 4] = ["drop", "drop-nested", "usual-values", "inherited"];

pub fn projection_rules(doc: &Value) -> Result<ProjectionRules, ToolError> {
    let invalid = || {
        ToolError::Projection(format!(
            "`{PROJECTION_EXTENSION}` takes `drop`, `drop-nested` and `inherited` (lists of property \
             names) and `usual-values` (property name → value)"
        ))
    };
    let Some(value) = doc.get(PROJECTION_EXTENSION) else {
        return Ok(ProjectionRules::default());
    };
    let object = value.as_object().ok_or_else(invalid)?;
    if object
        .keys()
        .any(|k| !PROJECTION_KEYS.contains(&k.as_str()))
    {
        return Err(invalid());
    }
    let names = |key: &str| -> Result<BTreeSet<String>, ToolError> {
        match object.get(key) {
            None => Ok(BTreeSet::new()),
            Some(list) => list
                .as_array()
                .ok_or_else(invalid)?
                .iter()
                .map(|n| n.as_str().map(String::from).ok_or_else(invalid))
                .collect(),
        }
    };
    let usual_values = match object.get("usual-values") {
        None => BTreeMap::new(),
        Some(map) => map
            .as_object()
            .ok_or_else(invalid)?
            .iter()
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect(),
    };
    Ok(ProjectionRules {
        drop: names("drop")?,
        drop_nested: names("drop-nested")?,
        usual_values,
        inherited: names("inherited")?,
    })
}

impl ProjectionRules {
    /// What an assistant must know to read trimmed answers, for the server instructions.
    pub fn notes(&self) -> String {
        let mut notes = Vec::new();
        if !self.usual_values.is_empty() {
            let usual: Vec<String> = self
                .usual_values
                .iter()
                .map(|(name, value)| format!("`{name}` {value}"))
                .collect();
            notes.push(format!(
                "- Fields at their usual value are left out of answers: {}.\n",
                usual.join(", ")
            ));
        }
        if !self.inherited.is_empty() {
            let names: Vec<String> = self.inherited.iter().map(|n| format!("`{n}`")).collect();
            notes.push(format!(
                "- An item leaves out {} when equal to that of the object it is in (an album's tracks \
                 by the album's artists); ask with `fields` to get them on every item.\n",
                names.join(", ")
            ));
        }
        if self.drop_nested.contains("uri") {
            notes.push(
                "- Objects inside an answer carry `id` and `type`, not `uri`: a URI is \
                 spotify:{type}:{id}.\n"
                    .to_string(),
            );
        }
        notes.concat()
    }
}

/// The explanations of `x-mcp-common-arguments`, in document order.
pub fn common_arguments(doc: &Value) -> Result<Vec<(String, String)>, ToolError> {
    let Some(value) = doc.get(COMMON_ARGUMENTS_EXTENSION) else {
        return Ok(Vec::new());
    };
    let invalid = || {
        ToolError::CommonArguments(format!(
            "`{COMMON_ARGUMENTS_EXTENSION}` must map parameter names to explanations"
        ))
    };
    value
        .as_object()
        .ok_or_else(invalid)?
        .iter()
        .map(|(name, text)| {
            Ok((
                name.clone(),
                text.as_str().ok_or_else(invalid)?.trim().to_string(),
            ))
        })
        .collect()
}

/// Whether an answer has an object or list inside, which `fields` could trim.
fn has_nested_fields(output: &Value) -> bool {
    const SCALARS: [&str; 5] = ["string", "integer", "number", "boolean", "null"];
    let scalar = |schema: &Value| match &schema["type"] {
        Value::String(t) => SCALARS.contains(&t.as_str()),
        Value::Array(types) => types
            .iter()
            .all(|t| t.as_str().is_some_and(|t| SCALARS.contains(&t))),
        _ => false,
    };
    output["properties"]
        .as_object()
        .is_some_and(|properties| properties.values().any(|p| !scalar(p)))
}

/// Whether a tool answers pages it can be asked to follow.
fn is_page(output: Option<&Value>, wrapped: bool, inputs: &Map<String, Value>) -> bool {
    let Some(output) = output.filter(|_| !wrapped) else {
        return false;
    };
    let has = |key: &str| output["properties"].get(key).is_some();
    has("items")
        && has("next")
        && ["offset", "after", "before"]
            .iter()
            .any(|k| inputs.contains_key(*k))
}

#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("operation {operation}: {problem}")]
    Operation { operation: String, problem: String },
    #[error("{0}")]
    CommonArguments(String),
    #[error("{0}")]
    Projection(String),
    #[error("tool name `{0}` is used by more than one operation; set a distinct `x-mcp-name`")]
    DuplicateName(String),
    #[error("operation {operation}: {source}")]
    Schema {
        operation: String,
        source: SchemaError,
    },
}

fn problem(op: &OperationRef<'_>, text: impl Into<String>) -> ToolError {
    ToolError::Operation {
        operation: op.label(),
        problem: text.into(),
    }
}

/// Derives every tool, in document order. `adjustments` come from [`crate::prepare`].
pub fn derive_tools(doc: &Value, adjustments: &Adjustments) -> Result<Vec<Tool>, ToolError> {
    let operations = spec::operations(doc);
    let names: BTreeMap<String, String> = operations
        .iter()
        .filter_map(|op| {
            let id = op.operation.get("operationId")?.as_str()?;
            Some((id.to_string(), tool_name(op.operation, id)))
        })
        .collect();
    let rules = projection_rules(doc)?;
    let common: BTreeSet<String> = common_arguments(doc)?
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let mut seen = BTreeSet::new();
    let mut tools = Vec::new();
    for op in &operations {
        let tool = derive_tool(doc, op, adjustments, &names, &common, &rules)?;
        if !seen.insert(tool.name.clone()) {
            return Err(ToolError::DuplicateName(tool.name));
        }
        tools.push(tool);
    }
    Ok(tools)
}

fn tool_name(operation: &Value, operation_id: &str) -> String {
    match operation.get("x-mcp-name").and_then(Value::as_str) {
        Some(name) => name.to_string(),
        None => operation_id.to_snake_case(),
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn flag(operation: &Value, key: &str) -> Option<bool> {
    operation.get(key).and_then(Value::as_bool)
}

fn derive_tool(
    doc: &Value,
    op: &OperationRef<'_>,
    adjustments: &Adjustments,
    names: &BTreeMap<String, String>,
    common: &BTreeSet<String>,
    rules: &ProjectionRules,
) -> Result<Tool, ToolError> {
    let operation = op.operation;
    let operation_id = operation
        .get("operationId")
        .and_then(Value::as_str)
        .ok_or_else(|| problem(op, "has no operationId"))?
        .to_string();
    let name = tool_name(operation, &operation_id);
    if !valid_name(&name) {
        return Err(problem(
            op,
            format!("tool name `{name}` must be 1-{MAX_NAME_LEN} characters of a-z, 0-9 and _"),
        ));
    }
    if let Some(unknown) = operation
        .as_object()
        .into_iter()
        .flat_map(|o| o.keys())
        .find(|key| key.starts_with("x-mcp-") && !EXTENSIONS.contains(&key.as_str()))
    {
        return Err(problem(
            op,
            format!(
                "unknown extension `{unknown}`; known: {}",
                EXTENSIONS.join(", ")
            ),
        ));
    }
    let adjusted = adjustments.get(&operation_id).cloned().unwrap_or_default();
    let schema_error = |source| ToolError::Schema {
        operation: op.label(),
        source,
    };
    let mut inline = Converter::new(doc, Refs::Inline);

    // Parameters, in progenitor's positional order: path (template order), then query by name.
    let mut params = spec::parameters(doc, op);
    let template = spec::template_names(op.path);
    params.sort_by_key(|p| {
        let name = p["name"].as_str().unwrap_or_default().to_string();
        match p["in"].as_str() {
            Some("path") => (
                0,
                template.iter().position(|t| *t == name).unwrap_or(0),
                String::new(),
            ),
            Some("query") => (1, 0, name),
            _ => (2, 0, name),
        }
    });
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut args = Vec::new();
    for param in &params {
        let api_name = param["name"].as_str().unwrap_or_default().to_string();
        let schema = param
            .get("schema")
            .ok_or_else(|| problem(op, format!("parameter `{api_name}` has no schema")))?;
        let is_required = param["required"] == true;
        let omitted = param.get(OMIT_EXTENSION) == Some(&Value::Bool(true));
        if omitted && is_required {
            return Err(problem(
                op,
                format!("required parameter `{api_name}` cannot carry `{OMIT_EXTENSION}`"),
            ));
        }
        let mut converted = inline.convert(schema).map_err(schema_error)?;
        // A common argument is explained once, in the instructions.
        if let (Some(description), Some(object), false) = (
            param.get("description"),
            converted.as_object_mut(),
            common.contains(&api_name),
        ) {
            object.insert("description".into(), description.clone());
        }
        let pass = if adjusted.joined_query_params.contains(&api_name) {
            Pass::Joined
        } else if spec::deref(doc, schema).and_then(|s| s.get("type")) == Some(&json!("string")) {
            Pass::Str
        } else {
            Pass::Value
        };
        if is_required {
            required.push(api_name.clone());
        }
        if !omitted {
            properties.insert(api_name.clone(), converted);
        }
        args.push(Arg {
            name: api_name,
            required: is_required,
            pass,
            omitted,
        });
    }

    let body = match operation
        .get("requestBody")
        .and_then(|b| spec::deref(doc, b))
    {
        None => None,
        Some(request_body) => Some(body_properties(
            op,
            request_body,
            &adjusted,
            &mut inline,
            &mut properties,
            &mut required,
        )?),
    };

    let (output_schema, output_wrap) =
        output_schema(doc, operation, rules).map_err(schema_error)?;
    let paginated = is_page(output_schema.as_ref(), output_wrap.is_some(), &properties);
    // Spotify's playlist reads have a `fields` filter of their own; it stands instead. A flat
    // answer such as `{snapshot_id}` has nothing to trim.
    if output_schema.as_ref().is_some_and(has_nested_fields) && !properties.contains_key(FIELDS_ARG)
    {
        properties.insert(
            FIELDS_ARG.into(),
            json!({ "type": "array", "items": { "type": "string" } }),
        );
    }
    if paginated {
        properties.insert(ALL_PAGES_ARG.into(), json!({ "type": "boolean" }));
        properties.insert(
            MAX_ITEMS_ARG.into(),
            json!({ "type": "integer", "minimum": 1, "maximum": MAX_ITEMS_CAP }),
        );
    }

    let mut input_schema =
        json!({ "type": "object", "properties": properties, "additionalProperties": false });
    if !required.is_empty() {
        input_schema["required"] = json!(required);
    }

    let scopes: Vec<String> = spec::scopes(operation.get("security"))
        .into_iter()
        .collect();
    let premium = flag(operation, "x-mcp-premium").unwrap_or(false);
    let deprecated = flag(operation, "deprecated").unwrap_or(false);
    let replaced_by = operation
        .get("x-mcp-replaced-by")
        .and_then(Value::as_str)
        .map(|id| {
            names
                .get(id)
                .cloned()
                .ok_or_else(|| problem(op, format!("`x-mcp-replaced-by: {id}` names no operation")))
        })
        .transpose()?;

    let method = op.method.to_uppercase();
    let annotations = Annotations {
        read_only: method == "GET",
        destructive: flag(operation, "x-mcp-destructive").unwrap_or(method == "DELETE"),
        idempotent: flag(operation, "x-mcp-idempotent").unwrap_or(method != "POST"),
        open_world: true,
    };
    let summary = operation
        .get("summary")
        .and_then(Value::as_str)
        .unwrap_or(&name)
        .trim()
        .to_string();
    let description = describe(operation, premium, deprecated, replaced_by.as_deref());
    let toolset = operation
        .get("tags")
        .and_then(|t| t.get(0))
        .and_then(Value::as_str)
        .unwrap_or("other")
        .to_snake_case();
    let cache = operation
        .get("x-mcp-cache")
        .and_then(Value::as_str)
        .unwrap_or(if method == "GET" { "catalog" } else { "none" })
        .to_string();
    if !CACHE_CLASSES.contains(&cache.as_str()) {
        return Err(problem(
            op,
            format!(
                "`x-mcp-cache: {cache}` is not one of {}",
                CACHE_CLASSES.join(", ")
            ),
        ));
    }

    Ok(Tool {
        client_method: crate::client_operation_name(&operation_id),
        name,
        operation_id,
        method,
        path: op.path.to_string(),
        title: summary,
        description,
        toolset,
        deprecated,
        scopes,
        premium,
        cache,
        annotations,
        input_schema,
        output_schema,
        output_wrap,
        args,
        body,
        empty_success_statuses: adjusted.empty_success_statuses,
        replaced_by,
        paginated,
    })
}

/// The tool description: the spec's text plus Premium and deprecation notes. Scopes are left out:
/// the catalog already hides tools the login lacks scopes for, and errors name the login command.
fn describe(
    operation: &Value,
    premium: bool,
    deprecated: bool,
    replaced_by: Option<&str>,
) -> String {
    let mut text = operation
        .get("description")
        .or_else(|| operation.get("summary"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_string();
    let mut notes = Vec::new();
    if premium {
        notes.push("Needs Spotify Premium.".to_string());
    }
    if deprecated {
        notes.push(match replaced_by {
            Some(tool) => format!("Deprecated by Spotify; prefer `{tool}`."),
            None => "Deprecated by Spotify; may answer 403/404 for newer apps.".to_string(),
        });
    }
    if !notes.is_empty() {
        text.push(' ');
        text.push_str(&notes.join(" "));
    }
    text
}

#[allow(clippy::too_many_arguments)]
fn body_properties(
    op: &OperationRef<'_>,
    request_body: &Value,
    adjusted: &crate::prepare::OperationAdjustments,
    inline: &mut Converter<'_>,
    properties: &mut Map<String, Value>,
    required: &mut Vec<String>,
) -> Result<Body, ToolError> {
    let schema_error = |source| ToolError::Schema {
        operation: op.label(),
        source,
    };
    let body_required = request_body.get("required") == Some(&Value::Bool(true));
    if adjusted.body_content_type.is_some() {
        let mut description = request_body
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("Request body.")
            .trim()
            .to_string();
        description.push_str(" Pass the bytes base64-encoded.");
        properties.insert(
            BASE64_BODY_ARG.into(),
            json!({ "type": "string", "contentEncoding": "base64", "description": description }),
        );
        required.push(BASE64_BODY_ARG.into());
        return Ok(Body::Text {
            arg: BASE64_BODY_ARG.into(),
        });
    }
    let schema = request_body
        .pointer("/content/application~1json/schema")
        .ok_or_else(|| problem(op, "request body has no application/json schema"))?;
    let converted = inline.convert(schema).map_err(schema_error)?;
    let body_required_props: Vec<String> = converted
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    let mut mapping = Vec::new();
    for (name, property) in converted
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        // A body property named like a parameter (e.g. `uris` in both) gets a prefix.
        let input_name = if properties.contains_key(name) {
            format!("body_{name}")
        } else {
            name.clone()
        };
        if body_required && body_required_props.contains(name) {
            required.push(input_name.clone());
        }
        properties.insert(input_name.clone(), property.clone());
        mapping.push((input_name, name.clone()));
    }
    Ok(Body::Json {
        properties: mapping,
    })
}

/// The success body's schema as a JSON Schema object, and the wrap key if it had to be wrapped.
fn output_schema(
    doc: &Value,
    operation: &Value,
    rules: &ProjectionRules,
) -> Result<(Option<Value>, Option<String>), SchemaError> {
    let (mut schema, wrap) = response_schema(doc, operation)?;
    if let Some(root) = schema.as_mut() {
        project_schema(root, rules, true);
    }
    Ok((schema, wrap))
}

/// The success answer's JSON Schema (2020-12, with `$defs`) as Spotify sends it, before
/// projection; wrapped in an object under the returned key when it is not one.
pub fn response_schema(
    doc: &Value,
    operation: &Value,
) -> Result<(Option<Value>, Option<String>), SchemaError> {
    let responses = operation.get("responses").and_then(Value::as_object);
    let success = responses
        .into_iter()
        .flatten()
        .filter(|(status, _)| status.starts_with('2'))
        .find_map(|(_, response)| {
            spec::deref(doc, response)?
                .pointer("/content/application~1json/schema")
                .cloned()
        });
    let Some(schema) = success else {
        return Ok((None, None));
    };
    let mut converter = Converter::new(doc, Refs::Defs).without_descriptions();
    let converted = converter.convert(&schema)?;
    let mut defs = converter.take_defs();

    // A top-level `$ref` is replaced by its definition, so the root says `type: object`.
    let mut root = match converted
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        Some(name) => {
            let definition = defs[name].clone();
            let pointer = format!("\"#/$defs/{name}\"");
            if !defs.values().any(|d| d.to_string().contains(&pointer)) {
                defs.remove(name);
            }
            definition
        }
        None => converted,
    };
    let mut wrap = None;
    if root.get("type") != Some(&json!("object")) {
        root =
            json!({ "type": "object", "properties": { WRAP_KEY: root }, "required": [WRAP_KEY] });
        wrap = Some(WRAP_KEY.to_string());
    }
    if !defs.is_empty() {
        root["$defs"] = json!(defs);
    }
    Ok((Some(root), wrap))
}

/// The shape of a projected answer: fields Spotify deprecated and the fields the spec's
/// `x-mcp-projection` drops are gone, and nothing is `required`, since Spotify omits fields for
/// many apps and projection drops empty ones and whatever the `fields` argument leaves out.
/// `top` is true for the answer's own properties (not those of objects inside it).
fn project_schema(schema: &mut Value, rules: &ProjectionRules, top: bool) {
    match schema {
        Value::Object(object) => {
            object.remove("required");
            if let Some(Value::Object(properties)) = object.get_mut("properties") {
                properties.retain(|name, property| {
                    property.get("deprecated") != Some(&Value::Bool(true))
                        && !rules.drop.contains(name)
                        && (top || !rules.drop_nested.contains(name))
                });
                for (name, property) in properties.iter_mut() {
                    if let (Some(usual), Some(property)) =
                        (rules.usual_values.get(name), property.as_object_mut())
                    {
                        property.insert("default".into(), usual.clone());
                    }
                }
                properties
                    .values_mut()
                    .for_each(|p| project_schema(p, rules, false));
            }
            for (key, value) in object.iter_mut() {
                // Branches of the answer itself are still the answer's top level.
                let branch = matches!(key.as_str(), "anyOf" | "oneOf" | "allOf");
                if key != "properties" {
                    project_schema(value, rules, top && branch);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| project_schema(item, rules, top)),
        _ => {}
    }
}
