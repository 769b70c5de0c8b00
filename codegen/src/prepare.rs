//! Turns the project's OpenAPI document into one progenitor 0.15 can generate a client from.
//!
//! Progenitor panics, deep inside, on a few things Spotify's API has: two typed success
//! responses (`GET /me/player` answers 200 with a body or 204 without), several error shapes,
//! `image/jpeg` request bodies; and it ignores `explode: false` on list parameters. This step
//! rewrites what can be rewritten, records each rewrite in [`Adjustments`] so the runtime can
//! undo it (set the real content type, join lists with commas, accept the empty answer), and
//! fails with a message naming the operation for anything else progenitor cannot take.

use crate::spec::{self, OperationRef};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// What the preparation changed for one operation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperationAdjustments {
    /// The request body's real media type when progenitor is given `text/plain` instead.
    pub body_content_type: Option<String>,
    /// Success statuses without a body, removed so the typed one stands alone.
    pub empty_success_statuses: Vec<u16>,
    /// Query parameters (API names) that are lists sent as one comma-separated string.
    pub joined_query_params: Vec<String>,
}

/// Adjustments by `operationId`.
pub type Adjustments = BTreeMap<String, OperationAdjustments>;

/// A document progenitor accepts, with what it took to get there.
pub struct Prepared {
    pub openapi: openapiv3::OpenAPI,
    pub adjustments: Adjustments,
}

#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error("operation {operation}: {problem}")]
    Operation { operation: String, problem: String },
    #[error("operationId `{0}` is used by more than one operation; operationIds must be unique")]
    DuplicateOperationId(String),
    #[error("the prepared document is not valid OpenAPI 3.0: {0}")]
    NotOpenApi(serde_json::Error),
}

fn problem(op: &OperationRef<'_>, text: impl Into<String>) -> PrepareError {
    PrepareError::Operation {
        operation: op.label(),
        problem: text.into(),
    }
}

/// Prepares `doc` for progenitor. The input is not changed.
pub fn prepare(doc: &Value) -> Result<Prepared, PrepareError> {
    let mut out = doc.clone();
    let mut adjustments = Adjustments::new();
    let mut seen_ids = BTreeSet::new();
    let mut hoisted = Hoisted::default();

    for op in spec::operations(doc) {
        let Some(id) = op.operation.get("operationId").and_then(Value::as_str) else {
            return Err(problem(
                &op,
                "has no operationId; every operation needs one",
            ));
        };
        if !seen_ids.insert(id.to_string()) {
            return Err(PrepareError::DuplicateOperationId(id.to_string()));
        }
        let mut adjusted = OperationAdjustments::default();
        let mut operation = op.operation.clone();
        let object = operation.as_object_mut().expect("operations are objects");

        let params = prepare_parameters(doc, &op, &mut adjusted)?;
        object.insert("parameters".into(), Value::Array(params));
        if let Some(body) = op.operation.get("requestBody") {
            object.insert(
                "requestBody".into(),
                prepare_body(doc, &op, body, &mut adjusted)?,
            );
        }
        let responses = prepare_responses(doc, &op, &mut adjusted, &mut hoisted)?;
        object.insert("responses".into(), responses);

        let pointer = format!("/paths/{}/{}", escape_pointer(op.path), op.method);
        *out.pointer_mut(&pointer)
            .expect("operation exists in the copy") = operation;
        // Path-item parameters were merged into each operation above.
        if let Some(item) = out.pointer_mut(&format!("/paths/{}", escape_pointer(op.path))) {
            item.as_object_mut().map(|item| item.remove("parameters"));
        }
        if adjusted != OperationAdjustments::default() {
            adjustments.insert(id.to_string(), adjusted);
        }
    }

    if !hoisted.schemas.is_empty() {
        if out.pointer("/components/schemas").is_none() {
            out["components"]["schemas"] = json!({});
        }
        let schemas = out
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
            .expect("just made");
        for (name, schema) in hoisted.schemas {
            schemas.insert(name, schema);
        }
    }
    wrap_nullable_refs(&mut out);
    let openapi = serde_json::from_value(out).map_err(PrepareError::NotOpenApi)?;
    Ok(Prepared {
        openapi,
        adjustments,
    })
}

fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn prepare_parameters(
    doc: &Value,
    op: &OperationRef<'_>,
    adjusted: &mut OperationAdjustments,
) -> Result<Vec<Value>, PrepareError> {
    let params = spec::parameters(doc, op);
    let template: BTreeSet<&str> = spec::template_names(op.path).into_iter().collect();
    let declared: BTreeSet<&str> = params
        .iter()
        .filter(|p| p["in"] == "path")
        .filter_map(|p| p["name"].as_str())
        .collect();
    if let Some(missing) = template.difference(&declared).next() {
        return Err(problem(
            op,
            format!("path placeholder `{{{missing}}}` has no path parameter"),
        ));
    }
    if let Some(extra) = declared.difference(&template).next() {
        return Err(problem(
            op,
            format!("path parameter `{extra}` is not in the path template"),
        ));
    }

    let mut out = Vec::new();
    for mut param in params {
        let name = param["name"].as_str().unwrap_or_default().to_string();
        let location = param["in"].as_str().unwrap_or_default().to_string();
        match location.as_str() {
            "path" if param["required"] != true => {
                return Err(problem(
                    op,
                    format!("path parameter `{name}` must be required"),
                ));
            }
            "path" | "query" | "header" => {}
            other => {
                return Err(problem(
                    op,
                    format!(
                        "parameter `{name}` is in `{other}`, which progenitor does not support"
                    ),
                ));
            }
        }
        let Some(schema) = param
            .get("schema")
            .and_then(|s| spec::deref(doc, s))
            .cloned()
        else {
            return Err(problem(op, format!("parameter `{name}` has no schema")));
        };
        let is_array = schema.get("type") == Some(&json!("array"));
        let schema = if is_array && location == "query" {
            if param.get("explode") == Some(&json!(false)) {
                // Progenitor would repeat the parameter; Spotify wants `a,b,c`.
                adjusted.joined_query_params.push(name.clone());
                json!({ "type": "string" })
            } else {
                return Err(problem(
                    op,
                    format!(
                        "query list `{name}` must use `explode: false` (Spotify takes comma-separated lists)"
                    ),
                ));
            }
        } else {
            // Bounds, defaults and enums are validated by the tool layer; plain types keep the
            // client's parameter types predictable (`&str`, `i64`, `bool`).
            plain_parameter_schema(&schema).ok_or_else(|| {
                problem(
                    op,
                    format!("parameter `{name}` must be a string, integer, number or boolean"),
                )
            })?
        };
        let object = param.as_object_mut().expect("parameters are objects");
        object.insert("schema".into(), schema);
        object.remove("explode");
        object.remove("style");
        out.push(param);
    }
    Ok(out)
}

fn plain_parameter_schema(schema: &Value) -> Option<Value> {
    let kind = schema.get("type")?.as_str()?;
    match kind {
        "string" => Some(json!({ "type": "string" })),
        "boolean" => Some(json!({ "type": "boolean" })),
        "number" => Some(json!({ "type": "number" })),
        "integer" => match schema.get("format").and_then(Value::as_str) {
            Some("int32") => Some(json!({ "type": "integer", "format": "int32" })),
            _ => Some(json!({ "type": "integer", "format": "int64" })),
        },
        _ => None,
    }
}

fn prepare_body(
    doc: &Value,
    op: &OperationRef<'_>,
    body: &Value,
    adjusted: &mut OperationAdjustments,
) -> Result<Value, PrepareError> {
    let body = spec::deref(doc, body)
        .ok_or_else(|| problem(op, "request body `$ref` does not resolve"))?;
    let content = body
        .get("content")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut out = body.clone();
    if let Some(json_media) = content.get("application/json") {
        let mut json_media = json_media.clone();
        if body.get("required") != Some(&Value::Bool(true)) {
            // Progenitor always sends a body; an optional one must accept `{}`.
            if let Some(schema) = json_media.get_mut("schema").and_then(Value::as_object_mut) {
                schema.remove("required");
            }
        }
        out["content"] = json!({ "application/json": json_media });
        return Ok(out);
    }
    let Some((media_type, _)) = content.iter().next() else {
        return Err(problem(op, "request body has no content"));
    };
    if media_type.starts_with("image/") || media_type.starts_with("text/") {
        // Spotify takes the image as base64 text; progenitor only sends `text/plain` strings,
        // so the client hook restores the real content type.
        adjusted.body_content_type = Some(media_type.clone());
        out["content"] = json!({ "text/plain": { "schema": { "type": "string" } } });
        out["required"] = json!(true);
        return Ok(out);
    }
    Err(problem(
        op,
        format!(
            "request body type `{media_type}` is not supported (use application/json, text/* or image/*)"
        ),
    ))
}

/// The type a response would give progenitor: `None` without a body, else its JSON schema.
fn response_kind(doc: &Value, response: &Value) -> Option<Value> {
    let content = response.get("content")?.as_object()?;
    let (media, body) = content.iter().next()?;
    let schema = body.get("schema").cloned().unwrap_or(json!({}));
    Some(json!({ "media": media, "schema": schema_fingerprint(doc, &schema) }))
}

fn schema_fingerprint(doc: &Value, schema: &Value) -> Value {
    spec::deref(doc, schema).cloned().unwrap_or(Value::Null)
}

fn prepare_responses(
    doc: &Value,
    op: &OperationRef<'_>,
    adjusted: &mut OperationAdjustments,
    hoisted: &mut Hoisted,
) -> Result<Value, PrepareError> {
    let responses = op
        .operation
        .get("responses")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut resolved = Map::new();
    for (status, response) in &responses {
        let response = spec::deref(doc, response)
            .ok_or_else(|| problem(op, format!("response {status} `$ref` does not resolve")))?;
        resolved.insert(status.clone(), response.clone());
    }

    let is_success = |status: &str| status.starts_with('2') || status == "default";
    // Successes: one typed answer may stand beside bodiless ones, which are dropped and recorded.
    let success: Vec<(String, Option<Value>)> = resolved
        .iter()
        .filter(|(status, _)| is_success(status))
        .map(|(status, response)| (status.clone(), response_kind(doc, response)))
        .collect();
    let typed: BTreeSet<String> = success
        .iter()
        .filter_map(|(_, kind)| kind.as_ref())
        .map(Value::to_string)
        .collect();
    if typed.len() > 1 {
        let statuses: Vec<&str> = success
            .iter()
            .filter(|(_, k)| k.is_some())
            .map(|(s, _)| s.as_str())
            .collect();
        return Err(problem(
            op,
            format!(
                "success responses {} have different bodies; progenitor allows one",
                statuses.join(", ")
            ),
        ));
    }
    if typed.len() == 1 {
        for (status, kind) in &success {
            if kind.is_none() {
                resolved.remove(status);
                if let Ok(code) = status.parse::<u16>() {
                    adjusted.empty_success_statuses.push(code);
                }
            }
        }
    }

    // Errors: progenitor allows one error type, so every error takes the most common shape.
    let errors: Vec<String> = resolved
        .keys()
        .filter(|s| !is_success(s))
        .cloned()
        .collect();
    let mut counts: BTreeMap<String, (usize, Value)> = BTreeMap::new();
    for status in &errors {
        let response = &resolved[status];
        let key = response_kind(doc, response)
            .map(|k| k.to_string())
            .unwrap_or_default();
        counts
            .entry(key)
            .or_insert((0, response.get("content").cloned().unwrap_or(Value::Null)))
            .0 += 1;
    }
    if counts.len() > 1 {
        let (_, (_, content)) = counts
            .iter()
            .max_by_key(|(_, (count, _))| *count)
            .expect("non-empty");
        let content = content.clone();
        for status in &errors {
            let response = resolved.get_mut(status).expect("listed above");
            if content.is_null() {
                response.as_object_mut().map(|r| r.remove("content"));
            } else {
                response["content"] = content.clone();
            }
        }
    }
    // Progenitor names an inline error body after the operation, like an inline success body:
    // the two would collide and errors would decode as successes. Named components cannot.
    for status in &errors {
        if let Some(schema) = resolved
            .get_mut(status)
            .and_then(|r| r.pointer_mut("/content/application~1json/schema"))
            && schema.get("$ref").is_none()
        {
            *schema = json!({ "$ref": hoisted.name_for(schema) });
        }
    }
    Ok(Value::Object(resolved))
}

/// Inline error schemas moved to `components/schemas`, one component per distinct schema.
#[derive(Default)]
struct Hoisted {
    by_schema: BTreeMap<String, String>,
    schemas: Vec<(String, Value)>,
}

impl Hoisted {
    fn name_for(&mut self, schema: &Value) -> String {
        let key = schema.to_string();
        if let Some(name) = self.by_schema.get(&key) {
            return format!("#/components/schemas/{name}");
        }
        let name = format!("PreparedErrorBody{}", self.schemas.len() + 1);
        self.by_schema.insert(key, name.clone());
        self.schemas.push((name.clone(), schema.clone()));
        format!("#/components/schemas/{name}")
    }
}

/// OpenAPI 3.0 ignores keys beside a `$ref`, so `{$ref, nullable: true}` would lose its
/// nullability in progenitor; `{allOf: [$ref], nullable: true}` keeps it.
fn wrap_nullable_refs(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if object.contains_key("$ref") && object.get("nullable") == Some(&Value::Bool(true)) {
                let reference = object.remove("$ref").expect("checked above");
                object.insert("allOf".into(), json!([{ "$ref": reference }]));
            }
            object.values_mut().for_each(wrap_nullable_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(wrap_nullable_refs),
        _ => {}
    }
}
