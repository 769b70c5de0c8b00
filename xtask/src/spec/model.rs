//! What a tool user can observe of an OpenAPI document, in a form two documents can be compared
//! in: `$ref`s resolved, `allOf` flattened, one-member `oneOf`/`anyOf` wrappers (the project's
//! way of writing a nullable `$ref`) unwrapped, and every description left out.

use codegen::spec;
use codegen::spec::scopes;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Schema keywords that bound a value, and the value a tool gets when left out, compared one by
/// one.
pub const BOUNDS: [&str; 9] = [
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "default",
];

/// Guards against `$ref` / `allOf` cycles; real documents nest a few levels at most.
const MAX_DEPTH: usize = 32;

/// An operation's identity across documents: its method and path, never its operationId.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct OpKey {
    pub method: String,
    pub path: String,
}

impl std::fmt::Display for OpKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method.to_uppercase(), self.path)
    }
}

/// A parameter's identity: where it goes and its name.
pub type ParamKey = (String, String);

pub struct Api {
    /// Operations in document order.
    pub operations: Vec<(OpKey, Operation)>,
}

impl Api {
    pub fn get(&self, key: &OpKey) -> Option<&Operation> {
        self.operations
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, op)| op)
    }
}

pub struct Operation {
    pub id: Option<String>,
    /// First tag: reports group by it.
    pub tag: String,
    pub deprecated: bool,
    pub parameters: BTreeMap<ParamKey, Field>,
    pub body: Option<Body>,
    pub response: Option<Response>,
    pub scopes: BTreeSet<String>,
}

/// A parameter or a body property.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub required: bool,
    pub shape: Shape,
}

pub struct Body {
    pub media_types: BTreeSet<String>,
    pub properties: BTreeMap<String, Field>,
}

/// The JSON success body: its kind and, for objects, its top-level properties.
pub struct Response {
    pub kind: String,
    pub properties: BTreeMap<String, Shape>,
}

/// What a value may be.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shape {
    /// `string`, `integer`, `object`, `array of string`, `list of string` (a comma-separated
    /// query list), `any`, …
    pub kind: String,
    /// Allowed values (of the items, for arrays and lists), as text.
    pub values: Option<BTreeSet<String>>,
    /// The [`BOUNDS`] keywords present.
    pub bounds: BTreeMap<String, Value>,
}

impl Shape {
    /// Two kinds the wire cannot tell apart: a comma-separated list is sent as one string, and
    /// Spotify's document often types such lists as `string` where the project says `array`.
    pub fn same_kind(&self, other: &Shape) -> bool {
        let wire = |kind: &str| match kind {
            "list of string" => "string".to_string(),
            other => other.to_string(),
        };
        wire(&self.kind) == wire(&other.kind)
    }
}

pub fn build(doc: &Value) -> Api {
    let root_security = doc.get("security");
    let operations = spec::operations(doc)
        .into_iter()
        .map(|op| {
            let key = OpKey {
                method: op.method.to_string(),
                path: op.path.to_string(),
            };
            let operation = op.operation;
            let parameters = spec::parameters(doc, &op)
                .iter()
                .map(|param| {
                    let location = text(param, "in");
                    let name = text(param, "name");
                    let list = location == "query" || location == "path";
                    let shape = shape(doc, param.get("schema").unwrap_or(&Value::Null), list);
                    let required = param.get("required") == Some(&Value::Bool(true));
                    ((location, name), Field { required, shape })
                })
                .collect();
            let security = operation.get("security").or(root_security);
            let built = Operation {
                id: operation
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(String::from),
                tag: operation
                    .pointer("/tags/0")
                    .and_then(Value::as_str)
                    .unwrap_or("Other")
                    .to_string(),
                deprecated: operation.get("deprecated") == Some(&Value::Bool(true)),
                parameters,
                body: body(doc, operation),
                response: response(doc, operation),
                scopes: scopes(security),
            };
            (key, built)
        })
        .collect();
    Api { operations }
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn body(doc: &Value, operation: &Value) -> Option<Body> {
    let body = spec::deref(doc, operation.get("requestBody")?)?;
    let content = body.get("content").and_then(Value::as_object);
    let media_types = content
        .into_iter()
        .flatten()
        .map(|(k, _)| k.clone())
        .collect();
    let mut properties = BTreeMap::new();
    if let Some(schema) = body.pointer("/content/application~1json/schema") {
        let flat = flatten(doc, schema);
        let required = required_names(&flat);
        for (name, property) in props(&flat) {
            let field = Field {
                required: required.contains(name),
                shape: shape(doc, property, false),
            };
            properties.insert(name.clone(), field);
        }
    }
    Some(Body {
        media_types,
        properties,
    })
}

/// The first 2xx response with a JSON body.
pub fn success_schema<'a>(doc: &'a Value, operation: &'a Value) -> Option<&'a Value> {
    let responses = operation.get("responses")?.as_object()?;
    responses
        .iter()
        .filter(|(status, _)| status.starts_with('2'))
        .find_map(|(_, response)| {
            spec::deref(doc, response)?.pointer("/content/application~1json/schema")
        })
}

fn response(doc: &Value, operation: &Value) -> Option<Response> {
    let schema = success_schema(doc, operation)?;
    let flat = flatten(doc, schema);
    let properties = props(&flat)
        .map(|(name, property)| (name.clone(), shape(doc, property, false)))
        .collect();
    Some(Response {
        kind: kind(doc, &flat, false, 0),
        properties,
    })
}

pub fn props(flat: &Value) -> impl Iterator<Item = (&String, &Value)> {
    flat.get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
}

pub fn required_names(flat: &Value) -> BTreeSet<String> {
    flat.get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(String::from))
        .collect()
}

/// The shape of `schema`. `list` says an array is sent as one comma-separated string.
pub fn shape(doc: &Value, schema: &Value, list: bool) -> Shape {
    let flat = flatten(doc, schema);
    let is_array = flat.get("type").and_then(Value::as_str) == Some("array");
    let values_of = if is_array {
        flatten(doc, flat.get("items").unwrap_or(&Value::Null))
    } else {
        flat.clone()
    };
    let values = values_of.get("enum").and_then(Value::as_array).map(|list| {
        list.iter()
            .filter(|v| !v.is_null()) // `nullable` spelled in the enum is not a value choice
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()
    });
    let bounds = BOUNDS
        .iter()
        .filter_map(|key| Some((key.to_string(), flat.get(*key)?.clone())))
        .collect();
    Shape {
        kind: kind(doc, &flat, list, 0),
        values,
        bounds,
    }
}

fn kind(doc: &Value, flat: &Value, list: bool, depth: usize) -> String {
    if let Some(kind) = flat.get("type").and_then(Value::as_str) {
        if kind != "array" {
            return kind.to_string();
        }
        let items = flatten(doc, flat.get("items").unwrap_or(&Value::Null));
        let item_kind = if depth < 2 {
            kind_of(doc, &items, depth + 1)
        } else {
            "any".to_string()
        };
        return format!("{} of {item_kind}", if list { "list" } else { "array" });
    }
    if flat.get("properties").is_some() {
        return "object".to_string();
    }
    if flat.get("items").is_some() {
        let mut typed = flat.clone();
        typed["type"] = "array".into();
        return kind(doc, &typed, list, depth);
    }
    // A real choice (track or episode): the kind all members share, else `mixed`.
    for key in ["oneOf", "anyOf"] {
        if let Some(members) = flat.get(key).and_then(Value::as_array) {
            let kinds: BTreeSet<String> = members
                .iter()
                .map(|m| kind_of(doc, &flatten(doc, m), depth + 1))
                .collect();
            return match kinds.len() {
                1 => kinds.into_iter().next().expect("one kind"),
                _ => "mixed".to_string(),
            };
        }
    }
    "any".to_string()
}

fn kind_of(doc: &Value, flat: &Value, depth: usize) -> String {
    if depth > MAX_DEPTH {
        return "any".to_string();
    }
    kind(doc, flat, false, depth)
}

/// `schema` with `$ref`s followed, `allOf` members merged into one object and one-member
/// `oneOf`/`anyOf` wrappers replaced by their member (keeping the wrapper's own keys).
pub fn flatten(doc: &Value, schema: &Value) -> Value {
    flatten_at(doc, schema, 0)
}

fn flatten_at(doc: &Value, schema: &Value, depth: usize) -> Value {
    let Some(resolved) = spec::deref(doc, schema) else {
        return Value::Null;
    };
    let Some(object) = resolved.as_object() else {
        return resolved.clone();
    };
    if depth > MAX_DEPTH {
        return resolved.clone();
    }
    for key in ["oneOf", "anyOf"] {
        if let Some([member]) = object.get(key).and_then(Value::as_array).map(Vec::as_slice) {
            let mut own = object.clone();
            own.remove(key);
            let inner = flatten_at(doc, member, depth + 1);
            return merge_over(inner, own);
        }
    }
    let Some(members) = object.get("allOf").and_then(Value::as_array) else {
        return resolved.clone();
    };
    let mut merged = Map::new();
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    let own = Value::Object(object.clone());
    for member in members.iter().chain(std::iter::once(&own)) {
        let flat = if std::ptr::eq(member, &own) {
            let mut own = object.clone();
            own.remove("allOf");
            Value::Object(own)
        } else {
            flatten_at(doc, member, depth + 1)
        };
        let Value::Object(flat) = flat else { continue };
        for (key, value) in flat {
            match key.as_str() {
                "properties" => {
                    for (name, property) in value.as_object().into_iter().flatten() {
                        properties.insert(name.clone(), property.clone());
                    }
                }
                "required" => {
                    for name in value.as_array().into_iter().flatten() {
                        if !required.contains(name) {
                            required.push(name.clone());
                        }
                    }
                }
                _ => {
                    merged.insert(key, value);
                }
            }
        }
    }
    if !properties.is_empty() {
        merged.insert("properties".into(), Value::Object(properties));
        merged
            .entry("type")
            .or_insert_with(|| Value::String("object".into()));
    }
    if !required.is_empty() {
        merged.insert("required".into(), Value::Array(required));
    }
    Value::Object(merged)
}

/// `base` with `over`'s keys laid on top.
fn merge_over(base: Value, over: Map<String, Value>) -> Value {
    let mut base = match base {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    for (key, value) in over {
        base.insert(key, value);
    }
    Value::Object(base)
}
