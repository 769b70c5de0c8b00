//! Brings fragments of the upstream document into the project's, in the project's shape:
//! parameters, request bodies and responses inline; component schemas kept as `$ref`s (and
//! copied over when the project lacks them); `allOf` flattened; errors pointing at the
//! project's shared error responses; examples, vendor extensions and (unless asked) prose
//! left behind.

use super::edit::escape;
use super::model;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

const SCHEMAS: &str = "#/components/schemas/";
const RESPONSES: &str = "#/components/responses/";
/// Stands in for a response description (OpenAPI requires one) until a maintainer writes it.
const RESPONSE_PLACEHOLDER: &str = "TODO: describe this answer.";
/// The project's shared error responses, by status, for upstream errors it has no name for.
const ERRORS: [(&str, &str); 5] = [
    ("400", "BadRequest"),
    ("401", "Unauthorized"),
    ("403", "Forbidden"),
    ("404", "NotFound"),
    ("429", "TooManyRequests"),
];

pub struct Importer<'a> {
    upstream: &'a Value,
    keep_text: bool,
    project_schemas: BTreeSet<String>,
    project_responses: BTreeSet<String>,
    /// Component schemas the project lacked, in the order they were first needed.
    new_schemas: Map<String, Value>,
    in_progress: BTreeSet<String>,
    /// Set while importing an answer: Spotify omits fields for many apps since February 2026,
    /// so the project never marks response fields `required` (openapi/README.md).
    in_response: bool,
}

impl<'a> Importer<'a> {
    pub fn new(upstream: &'a Value, project: &Value, keep_text: bool) -> Self {
        let names = |pointer: &str| -> BTreeSet<String> {
            project
                .pointer(pointer)
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        };
        Self {
            upstream,
            keep_text,
            project_schemas: names("/components/schemas"),
            project_responses: names("/components/responses"),
            new_schemas: Map::new(),
            in_progress: BTreeSet::new(),
            in_response: false,
        }
    }

    pub fn upstream(&self) -> &'a Value {
        self.upstream
    }

    /// Upstream prose, trimmed, when the maintainer asked for it.
    pub fn text(&self, value: Option<&Value>) -> Option<String> {
        let text = value?.as_str()?.trim();
        (self.keep_text && !text.is_empty()).then(|| text.to_string())
    }

    /// Adds the component schemas the imported fragments refer to.
    pub fn finish(self, project: &mut Value, log: &mut Vec<String>) {
        if self.new_schemas.is_empty() {
            return;
        }
        let components = project
            .as_object_mut()
            .expect("documents are objects")
            .entry("components")
            .or_insert(json!({}));
        let schemas = components
            .as_object_mut()
            .expect("components is an object")
            .entry("schemas")
            .or_insert(json!({}));
        for (name, schema) in self.new_schemas {
            log.push(format!("components: schema `{name}` added"));
            if let Some(map) = schemas.as_object_mut() {
                map.insert(name, schema);
            }
        }
    }

    pub fn parameter(&mut self, raw: &Value) -> Value {
        let param = codegen::spec::deref(self.upstream, raw).unwrap_or(raw);
        let location = param["in"].as_str().unwrap_or_default();
        let schema = param.get("schema").cloned().unwrap_or(json!({}));
        let flat = model::flatten(self.upstream, &schema);
        let mut out = Map::new();
        out.insert("name".into(), param["name"].clone());
        out.insert("in".into(), param["in"].clone());
        let required = location == "path" || param.get("required") == Some(&Value::Bool(true));
        out.insert("required".into(), Value::Bool(required));
        if let Some(text) = self.text(param.get("description")) {
            out.insert("description".into(), json!(text));
        }
        if location == "query" && flat.get("type") == Some(&json!("array")) {
            // Spotify takes lists comma-separated; codegen insists on saying so.
            out.insert("style".into(), json!("form"));
            out.insert("explode".into(), json!(false));
        } else {
            for key in ["style", "explode"] {
                if let Some(value) = param.get(key) {
                    out.insert(key.into(), value.clone());
                }
            }
        }
        out.insert("schema".into(), self.schema(&schema));
        Value::Object(out)
    }

    pub fn request_body(&mut self, raw: &Value) -> Value {
        let body = codegen::spec::deref(self.upstream, raw).unwrap_or(raw);
        let mut out = Map::new();
        if let Some(text) = self.text(body.get("description")) {
            out.insert("description".into(), json!(text));
        }
        if let Some(required) = body.get("required") {
            out.insert("required".into(), required.clone());
        }
        out.insert("content".into(), self.content(body.get("content")));
        Value::Object(out)
    }

    pub fn response(&mut self, status: &str, raw: &Value) -> Value {
        if !status.starts_with('2') {
            let named = raw
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix(RESPONSES))
                .filter(|name| self.project_responses.contains(*name));
            let by_status = ERRORS
                .iter()
                .find(|(code, name)| *code == status && self.project_responses.contains(*name))
                .map(|(_, name)| *name);
            if let Some(name) = named.or(by_status) {
                return json!({ "$ref": format!("{RESPONSES}{name}") });
            }
        }
        let response = codegen::spec::deref(self.upstream, raw).unwrap_or(raw);
        let description = self
            .text(response.get("description"))
            .unwrap_or_else(|| RESPONSE_PLACEHOLDER.to_string());
        let mut out = Map::new();
        out.insert("description".into(), json!(description));
        if response.get("content").is_some() {
            self.in_response = true;
            out.insert("content".into(), self.content(response.get("content")));
            self.in_response = false;
        }
        Value::Object(out)
    }

    fn content(&mut self, content: Option<&Value>) -> Value {
        let mut out = Map::new();
        for (media, body) in content.and_then(Value::as_object).into_iter().flatten() {
            let mut media_out = Map::new();
            if let Some(schema) = body.get("schema") {
                media_out.insert("schema".into(), self.schema(schema));
            }
            out.insert(media.clone(), Value::Object(media_out));
        }
        Value::Object(out)
    }

    /// An upstream schema in the project's shape.
    pub fn schema(&mut self, schema: &Value) -> Value {
        let Some(object) = schema.as_object() else {
            return schema.clone();
        };
        let nullable = object.get("nullable") == Some(&Value::Bool(true));
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            let Some(name) = reference.strip_prefix(SCHEMAS) else {
                // Refs elsewhere than components/schemas are inlined, as the project does.
                return match codegen::spec::deref(self.upstream, schema) {
                    Some(target) if target != schema => self.schema(&target.clone()),
                    _ => schema.clone(),
                };
            };
            self.ensure_schema(name);
            let mut out = json!({ "$ref": reference });
            if nullable {
                out["nullable"] = Value::Bool(true);
            }
            return out;
        }
        // `allOf: [$ref]` with only prose beside it is how upstream annotates a reference.
        let prose_only = |key: &str| {
            object.keys().all(|k| {
                k == key || matches!(k.as_str(), "description" | "title" | "example" | "nullable")
            })
        };
        for key in ["allOf", "oneOf", "anyOf"] {
            if let Some([member]) = object.get(key).and_then(Value::as_array).map(Vec::as_slice)
                && member.get("$ref").is_some()
                && prose_only(key)
            {
                let mut out = self.schema(member);
                if nullable {
                    out["nullable"] = Value::Bool(true);
                }
                return out;
            }
        }
        if object.contains_key("allOf") {
            let mut flat = model::flatten(self.upstream, schema);
            if let Some(map) = flat.as_object_mut() {
                map.remove("allOf"); // only left past the cycle guard
            }
            return self.schema(&flat);
        }
        let mut out = Map::new();
        for (key, value) in object {
            match key.as_str() {
                "description" | "title" => {
                    if let Some(text) = self.text(Some(value)) {
                        out.insert(key.clone(), json!(text));
                    }
                }
                "example" | "examples" | "externalDocs" | "xml" => {}
                "required" if self.in_response && value.is_array() => {}
                key if key.starts_with("x-") => {}
                "properties" => {
                    let mut properties = Map::new();
                    for (name, property) in value.as_object().into_iter().flatten() {
                        properties.insert(name.clone(), self.schema(property));
                    }
                    out.insert(key.clone(), Value::Object(properties));
                }
                "items" | "additionalProperties" | "not" if value.is_object() => {
                    out.insert(key.clone(), self.schema(value));
                }
                "oneOf" | "anyOf" => {
                    let members = value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|m| self.schema(m))
                        .collect();
                    out.insert(key.clone(), Value::Array(members));
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        Value::Object(out)
    }

    fn ensure_schema(&mut self, name: &str) {
        if self.project_schemas.contains(name)
            || self.new_schemas.contains_key(name)
            || self.in_progress.contains(name)
        {
            return;
        }
        let pointer = format!("/components/schemas/{}", escape(name));
        let Some(target) = self.upstream.pointer(&pointer) else {
            return; // a dangling upstream reference: codegen will name it
        };
        self.in_progress.insert(name.to_string());
        let imported = self.schema(target);
        self.in_progress.remove(name);
        self.new_schemas.insert(name.to_string(), imported);
    }
}
