//! One operation → one tool: checks the operation's own keys, then assembles inputs, output and
//! the catalog metadata (annotations, cache class, description).

use super::extensions::{CACHE_CLASSES, EXTENSIONS};
use super::ids::id_shapes;
use super::inputs::Inputs;
use super::lean::lean_schema;
use super::model::{Annotations, Tool, ToolError, problem, schema_error};
use super::notes::common_arguments;
use super::output::{is_page, output_schema};
use super::projection::{ProjectionRules, projection_rules};
use crate::prepare::Adjustments;
use crate::spec::{self, OperationRef};
use heck::ToSnakeCase;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const MAX_NAME_LEN: usize = 64;

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
    let context = Context {
        doc,
        adjustments,
        names,
        rules: projection_rules(doc)?,
        common: common_arguments(doc)?
            .into_iter()
            .map(|(name, _)| name)
            .collect(),
        id_shapes: id_shapes(doc)
            .map_err(ToolError::IdShapes)?
            .into_iter()
            .map(|shape| shape.name)
            .collect(),
    };
    let mut seen = BTreeSet::new();
    let mut tools = Vec::new();
    for op in &operations {
        let tool = derive_tool(&context, op)?;
        if !seen.insert(tool.name.clone()) {
            return Err(ToolError::DuplicateName(tool.name));
        }
        tools.push(tool);
    }
    Ok(tools)
}

/// What every operation's derivation reads from the whole document.
pub(super) struct Context<'a> {
    pub doc: &'a Value,
    pub adjustments: &'a Adjustments,
    /// operationId → tool name, for `x-mcp-replaced-by`.
    pub names: BTreeMap<String, String>,
    /// Parameters explained once in the instructions.
    pub common: BTreeSet<String>,
    pub rules: ProjectionRules,
    /// Names of the document's id shapes (`x-mcp-id-shapes`).
    pub id_shapes: Vec<String>,
}

pub(super) fn tool_name(operation: &Value, operation_id: &str) -> String {
    match operation.get("x-mcp-name").and_then(Value::as_str) {
        Some(name) => name.to_string(),
        None => operation_id.to_snake_case(),
    }
}

pub(super) fn derive_tool(cx: &Context<'_>, op: &OperationRef<'_>) -> Result<Tool, ToolError> {
    let operation = op.operation;
    let operation_id = operation
        .get("operationId")
        .and_then(Value::as_str)
        .ok_or_else(|| problem(op, "has no operationId"))?
        .to_string();
    let name = checked_name(op, &operation_id)?;
    check_extensions(op)?;
    let adjusted = cx
        .adjustments
        .get(&operation_id)
        .cloned()
        .unwrap_or_default();

    let mut inputs = Inputs::new(cx.doc, &cx.id_shapes);
    inputs.add_parameters(op, &adjusted, &cx.common)?;
    let body = inputs.add_body(op, &adjusted)?;
    let output = output_schema(cx.doc, operation, &cx.rules).map_err(schema_error(op))?;
    let paginated = is_page(output.page, &inputs.properties);
    inputs.add_server_arguments(output.rich.as_ref(), paginated);
    let output_schema = output
        .rich
        .as_ref()
        .map(|rich| lean_schema(rich, &cx.rules))
        .transpose()?;
    // Kept only where list items are trimmed: `fields` picks from it.
    let rich_output_schema = output
        .rich
        .filter(|rich| Some(rich) != output_schema.as_ref());
    let output_wrap = output.wrap;
    let (input_schema, args, id_arguments) = inputs.finish();

    let scopes: Vec<String> = spec::scopes(operation.get("security"))
        .into_iter()
        .collect();
    let premium = flag(operation, "x-mcp-premium").unwrap_or(false);
    let deprecated = flag(operation, "deprecated").unwrap_or(false);
    let replaced_by = replaced_by(op, &cx.names)?;
    let method = op.method.to_uppercase();
    let annotations = annotations(operation, &method);
    let title = operation
        .get("summary")
        .and_then(Value::as_str)
        .unwrap_or(&name)
        .trim()
        .to_string();
    let description = describe(operation, premium, deprecated, replaced_by.as_deref());
    let cache = cache_class(op, &method)?;

    Ok(Tool {
        client_method: crate::names::client_operation_name(&operation_id),
        name,
        operation_id,
        method,
        path: op.path.to_string(),
        title,
        description,
        toolset: toolset(operation),
        deprecated,
        scopes,
        premium,
        cache,
        annotations,
        input_schema,
        output_schema,
        rich_output_schema,
        output_wrap,
        args,
        body,
        empty_success_statuses: adjusted.empty_success_statuses,
        replaced_by,
        paginated,
        id_arguments,
    })
}

/// The tool name (`x-mcp-name` or the snake-cased operationId), refused unless MCP-safe.
fn checked_name(op: &OperationRef<'_>, operation_id: &str) -> Result<String, ToolError> {
    let name = tool_name(op.operation, operation_id);
    let valid = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(problem(
            op,
            format!("tool name `{name}` must be 1-{MAX_NAME_LEN} characters of a-z, 0-9 and _"),
        ));
    }
    Ok(name)
}

/// Refuses an `x-mcp-` key the project does not know: it is a typo that would silently do nothing.
fn check_extensions(op: &OperationRef<'_>) -> Result<(), ToolError> {
    let unknown = op
        .operation
        .as_object()
        .into_iter()
        .flat_map(|o| o.keys())
        .find(|key| key.starts_with("x-mcp-") && !EXTENSIONS.contains(&key.as_str()));
    match unknown {
        Some(unknown) => Err(problem(
            op,
            format!(
                "unknown extension `{unknown}`; known: {}",
                EXTENSIONS.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

fn flag(operation: &Value, key: &str) -> Option<bool> {
    operation.get(key).and_then(Value::as_bool)
}

/// The tool named by `x-mcp-replaced-by` (an operationId).
fn replaced_by(
    op: &OperationRef<'_>,
    names: &BTreeMap<String, String>,
) -> Result<Option<String>, ToolError> {
    op.operation
        .get("x-mcp-replaced-by")
        .and_then(Value::as_str)
        .map(|id| {
            names
                .get(id)
                .cloned()
                .ok_or_else(|| problem(op, format!("`x-mcp-replaced-by: {id}` names no operation")))
        })
        .transpose()
}

fn annotations(operation: &Value, method: &str) -> Annotations {
    Annotations {
        read_only: method == "GET",
        destructive: flag(operation, "x-mcp-destructive").unwrap_or(method == "DELETE"),
        idempotent: flag(operation, "x-mcp-idempotent").unwrap_or(method != "POST"),
        open_world: true,
    }
}

/// The first tag, snake-cased: the toolset a tool is listed in.
fn toolset(operation: &Value) -> String {
    operation
        .get("tags")
        .and_then(|t| t.get(0))
        .and_then(Value::as_str)
        .unwrap_or("other")
        .to_snake_case()
}

/// `x-mcp-cache`, defaulting to `catalog` for reads and `none` otherwise.
fn cache_class(op: &OperationRef<'_>, method: &str) -> Result<String, ToolError> {
    let cache = op
        .operation
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
    Ok(cache)
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
