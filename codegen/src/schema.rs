//! OpenAPI 3.0 schema objects → JSON Schema 2020-12, for tool `inputSchema` / `outputSchema`.

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

const COMPONENT_PREFIX: &str = "#/components/schemas/";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SchemaError {
    #[error("`$ref` {0} does not resolve to a component schema")]
    UnresolvedRef(String),
    #[error("schema {0} refers to itself; inline input schemas cannot be recursive")]
    Recursive(String),
}

/// How component `$ref`s are written in the converted schema.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Refs {
    /// Replaced by the component itself (input schemas: clients fill them without resolving refs).
    Inline,
    /// Kept as `#/$defs/Name` references, collected by the converter (output schemas stay small).
    Defs,
}

/// Converts schemas of one document, collecting `$defs` when [`Refs::Defs`] is used.
pub struct Converter<'a> {
    doc: &'a Value,
    refs: Refs,
    descriptions: bool,
    defs: BTreeMap<String, Value>,
    stack: Vec<String>,
}

impl<'a> Converter<'a> {
    pub fn new(doc: &'a Value, refs: Refs) -> Self {
        Self {
            doc,
            refs,
            descriptions: true,
            defs: BTreeMap::new(),
            stack: Vec::new(),
        }
    }

    /// Leaves out `description` keywords: output schemas describe shape, and every byte of a
    /// tool listing costs the assistant context.
    pub fn without_descriptions(mut self) -> Self {
        self.descriptions = false;
        self
    }

    /// The `$defs` gathered so far (empty for [`Refs::Inline`]).
    pub fn take_defs(&mut self) -> BTreeMap<String, Value> {
        std::mem::take(&mut self.defs)
    }

    pub fn convert(&mut self, schema: &Value) -> Result<Value, SchemaError> {
        let Some(object) = schema.as_object() else {
            return Ok(schema.clone());
        };
        let nullable = object.get("nullable") == Some(&Value::Bool(true));
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            let mut converted = self.convert_ref(reference)?;
            // A deprecated property that is a `$ref` stays marked, so projection drops it.
            if let (Some(deprecated @ Value::Bool(true)), Some(out)) =
                (object.get("deprecated"), converted.as_object_mut())
            {
                out.insert("deprecated".into(), deprecated.clone());
            }
            return Ok(if nullable {
                json!({ "anyOf": [converted, { "type": "null" }] })
            } else {
                converted
            });
        }

        let mut out = Map::new();
        for (key, value) in object {
            match key.as_str() {
                // OpenAPI-only keywords, or ones JSON Schema spells differently.
                "nullable" | "discriminator" | "xml" | "externalDocs" | "example" => {}
                key if key.starts_with("x-") => {}
                "description" if !self.descriptions => {}
                "format" => match value.as_str() {
                    Some("byte") => {
                        out.insert("contentEncoding".into(), json!("base64"));
                    }
                    Some("int32" | "int64" | "binary" | "float" | "double") | None => {}
                    Some(other) => {
                        out.insert("format".into(), json!(other));
                    }
                },
                "exclusiveMinimum" | "exclusiveMaximum" if value.is_boolean() => {}
                "properties" => {
                    let mut properties = Map::new();
                    for (name, property) in value.as_object().into_iter().flatten() {
                        properties.insert(name.clone(), self.convert(property)?);
                    }
                    out.insert(key.clone(), Value::Object(properties));
                }
                "items" | "additionalProperties" | "not" if value.is_object() => {
                    out.insert(key.clone(), self.convert(value)?);
                }
                "allOf" | "anyOf" | "oneOf" => {
                    let list = value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|s| self.convert(s))
                        .collect::<Result<_, _>>()?;
                    out.insert(key.clone(), Value::Array(list));
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        // OpenAPI 3.0 spells an exclusive bound as a flag beside the bound.
        for (flag, bound) in [
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ] {
            if object.get(flag) == Some(&Value::Bool(true))
                && let Some(limit) = out.remove(bound)
            {
                out.insert(flag.into(), limit);
            }
        }
        if nullable {
            make_nullable(&mut out);
        }
        Ok(Value::Object(out))
    }

    fn convert_ref(&mut self, reference: &str) -> Result<Value, SchemaError> {
        let name = reference
            .strip_prefix(COMPONENT_PREFIX)
            .ok_or_else(|| SchemaError::UnresolvedRef(reference.to_string()))?;
        let target = self
            .doc
            .pointer(&format!("/components/schemas/{name}"))
            .ok_or_else(|| SchemaError::UnresolvedRef(reference.to_string()))?;
        match self.refs {
            Refs::Inline => {
                if self.stack.iter().any(|n| n == name) {
                    return Err(SchemaError::Recursive(name.to_string()));
                }
                self.stack.push(name.to_string());
                let converted = self.convert(target);
                self.stack.pop();
                converted
            }
            Refs::Defs => {
                if !self.defs.contains_key(name) {
                    self.defs.insert(name.to_string(), Value::Null); // placeholder stops recursion
                    let converted = self.convert(target)?;
                    self.defs.insert(name.to_string(), converted);
                }
                Ok(json!({ "$ref": format!("#/$defs/{name}") }))
            }
        }
    }
}

fn make_nullable(out: &mut Map<String, Value>) {
    match out.get("type").cloned() {
        Some(Value::String(kind)) => {
            out.insert("type".into(), json!([kind, "null"]));
            if let Some(Value::Array(values)) = out.get_mut("enum")
                && !values.contains(&Value::Null)
            {
                values.push(Value::Null);
            }
        }
        Some(_) => {}
        None => {
            let inner = Value::Object(std::mem::take(out));
            out.insert("anyOf".into(), json!([inner, { "type": "null" }]));
        }
    }
}
