//! Loading the OpenAPI document and walking its operations.

use serde_json::Value;
use std::path::Path;

/// HTTP methods an OpenAPI path item may hold, in the order we visit them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("cannot read the spec {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the spec {path} is not valid YAML: {source}")]
    Yaml {
        path: String,
        source: serde_yaml_ng::Error,
    },
    #[error("the spec {path} has no `paths` object")]
    NoPaths { path: String },
}

/// Reads a YAML (or JSON) OpenAPI document into a JSON value.
pub fn load(path: &Path) -> Result<Value, SpecError> {
    let display = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
        path: display.clone(),
        source,
    })?;
    let doc: Value = serde_yaml_ng::from_str(&text).map_err(|source| SpecError::Yaml {
        path: display.clone(),
        source,
    })?;
    if !doc.get("paths").is_some_and(Value::is_object) {
        return Err(SpecError::NoPaths { path: display });
    }
    Ok(doc)
}

/// One operation of the document, with where it lives.
pub struct OperationRef<'a> {
    pub path: &'a str,
    pub method: &'a str,
    pub path_item: &'a Value,
    pub operation: &'a Value,
}

impl OperationRef<'_> {
    /// `operationId`, or `METHOD path` when the document forgot it (for error messages).
    pub fn label(&self) -> String {
        match self.operation.get("operationId").and_then(Value::as_str) {
            Some(id) => format!("{id} ({} {})", self.method.to_uppercase(), self.path),
            None => format!("{} {}", self.method.to_uppercase(), self.path),
        }
    }
}

/// Every operation in document order.
pub fn operations(doc: &Value) -> Vec<OperationRef<'_>> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                out.push(OperationRef {
                    path,
                    method,
                    path_item: item,
                    operation,
                });
            }
        }
    }
    out
}

/// Follows a local `$ref` (`#/components/...`) once; other values come back unchanged.
pub fn deref<'a>(doc: &'a Value, value: &'a Value) -> Option<&'a Value> {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.strip_prefix('#')?;
            doc.pointer(pointer).and_then(|target| deref(doc, target))
        }
        None => Some(value),
    }
}

/// Parameters of an operation (path-item level ones first, overridden by operation level ones),
/// with `$ref`s resolved.
pub fn parameters(doc: &Value, op: &OperationRef<'_>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let lists = [
        op.path_item.get("parameters"),
        op.operation.get("parameters"),
    ];
    for list in lists.into_iter().flatten().filter_map(Value::as_array) {
        for raw in list {
            let Some(param) = deref(doc, raw) else {
                continue;
            };
            let key = |p: &Value| (p["name"].clone(), p["in"].clone());
            out.retain(|existing| key(existing) != key(param));
            out.push(param.clone());
        }
    }
    out
}

/// `{name}` placeholders of a path template, in order.
pub fn template_names(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

/// Every scope any of an operation's security requirements names, sorted.
pub fn scopes(security: Option<&Value>) -> std::collections::BTreeSet<String> {
    security
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|requirement| requirement.values())
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|s| s.as_str().map(String::from))
        .collect()
}
