//! A tool's `outputSchema`: the success body as JSON Schema, wrapped when it is not an object,
//! and what its shape says about the tool (pages, nested fields).

use super::projection::{ProjectionRules, project_schema};
use crate::schema::{Converter, Refs, SchemaError};
use crate::spec;
use serde_json::{Map, Value, json};

/// Property that wraps a non-object success body, since `structuredContent` must be an object.
pub const WRAP_KEY: &str = "items";

/// A tool's answer, as the spec and `x-mcp-projection` shape it.
pub(super) struct Output {
    /// The projected answer's schema (what `fields` picks from).
    pub rich: Option<Value>,
    /// The wrap key, when the success body had to be wrapped.
    pub wrap: Option<String>,
    /// Spotify's answer is one page of a list: it has `items` and a `next` link.
    pub page: bool,
}

/// The success body's schema as a JSON Schema object, projected.
pub(super) fn output_schema(
    doc: &Value,
    operation: &Value,
    rules: &ProjectionRules,
) -> Result<Output, SchemaError> {
    let (mut schema, wrap) = response_schema(doc, operation)?;
    // Read before projection, which may drop the `next` link.
    let has = |key: &str| {
        schema
            .as_ref()
            .is_some_and(|s| s["properties"].get(key).is_some())
    };
    let page = wrap.is_none() && has("items") && has("next");
    if let Some(root) = schema.as_mut() {
        project_schema(root, rules, true);
    }
    Ok(Output {
        rich: schema,
        wrap,
        page,
    })
}

/// The success answer's JSON Schema (2020-12, with `$defs`) as Spotify sends it, before
/// projection; wrapped in an object under the returned key when it is not one.
pub fn response_schema(
    doc: &Value,
    operation: &Value,
) -> Result<(Option<Value>, Option<String>), SchemaError> {
    let Some(schema) = success_schema(doc, operation) else {
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

/// The JSON schema of the first 2xx response that has one, as written in the spec.
fn success_schema(doc: &Value, operation: &Value) -> Option<Value> {
    let responses = operation.get("responses").and_then(Value::as_object);
    responses
        .into_iter()
        .flatten()
        .filter(|(status, _)| status.starts_with('2'))
        .find_map(|(_, response)| {
            spec::deref(doc, response)?
                .pointer("/content/application~1json/schema")
                .cloned()
        })
}

/// Whether an answer has an object or list inside, which `fields` could trim.
pub(super) fn has_nested_fields(output: &Value) -> bool {
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

/// Whether a tool answers pages it can be asked to follow: a page, and an offset or cursor.
pub(super) fn is_page(page: bool, inputs: &Map<String, Value>) -> bool {
    page && ["offset", "after", "before"]
        .iter()
        .any(|k| inputs.contains_key(*k))
}
