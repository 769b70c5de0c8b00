//! Values built from JSON Schemas: arguments for a tool's `inputSchema`, and full answers for
//! an `outputSchema`.

use serde_json::{Map, Value, json};

/// Arguments that take Spotify IDs (22 letters and digits, checked before any call).
const ID_ARGUMENTS: [&str; 6] = [
    "id",
    "ids",
    "playlist_id",
    "body_ids",
    "seed_artists",
    "seed_tracks",
];

/// A valid Spotify ID made from `seed`: its letters and digits, padded with zeros to 22.
pub fn spotify_id(seed: &str) -> String {
    let mut id: String = seed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(22)
        .collect();
    while id.len() < 22 {
        id.push('0');
    }
    id
}

/// An argument object filling every property of an input schema with a valid value.
pub fn arguments(input_schema: &Value) -> Value {
    let mut out = Map::new();
    for (name, schema) in input_schema["properties"].as_object().into_iter().flatten() {
        out.insert(name.clone(), sample(name, schema));
    }
    Value::Object(out)
}

fn non_null(schema: &Value) -> &Value {
    for key in ["anyOf", "oneOf"] {
        if let Some(first) = schema[key]
            .as_array()
            .and_then(|list| list.iter().find(|s| s["type"] != "null"))
        {
            return non_null(first);
        }
    }
    schema
}

fn primary_type(schema: &Value) -> &str {
    match &schema["type"] {
        Value::String(kind) => kind,
        Value::Array(kinds) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|k| *k != "null")
            .unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ => "string",
    }
}

/// The first non-null value of the schema's `enum` (`Null` if all are), when it has one.
fn enum_value(schema: &Value) -> Option<Value> {
    let values = schema["enum"].as_array()?;
    Some(
        values
            .iter()
            .find(|v| !v.is_null())
            .cloned()
            .unwrap_or(Value::Null),
    )
}

fn sample(name: &str, schema: &Value) -> Value {
    let schema = non_null(schema);
    if let Some(value) = enum_value(schema) {
        return value;
    }
    match primary_type(schema) {
        "integer" => {
            let low = schema["minimum"].as_i64().unwrap_or(0);
            let high = schema["maximum"].as_i64().unwrap_or(i64::MAX);
            json!((low + 1).min(high))
        }
        "number" => {
            let low = schema["minimum"].as_f64().unwrap_or(0.0);
            let high = schema["maximum"].as_f64().unwrap_or(f64::MAX);
            json!((low + 0.5).min(high))
        }
        "boolean" => json!(true),
        "array" => {
            let items = &schema["items"];
            let max = schema["maxItems"].as_u64().unwrap_or(u64::MAX);
            let first = sample(name, items);
            let second = match items["enum"].as_array() {
                Some(values) => values.iter().filter(|v| !v.is_null()).nth(1).cloned(),
                None if ID_ARGUMENTS.contains(&name) => {
                    Some(json!(spotify_id(&format!("s{name}2"))))
                }
                None if first.is_string() => Some(json!(format!("{}2", first.as_str().unwrap()))),
                None => None,
            };
            match second {
                Some(second) if max >= 2 => json!([first, second]),
                _ => json!([first]),
            }
        }
        "object" => {
            let mut out = Map::new();
            for (key, property) in schema["properties"].as_object().into_iter().flatten() {
                out.insert(key.clone(), sample(key, property));
            }
            Value::Object(out)
        }
        _ if schema["contentEncoding"] == "base64" => json!("aGVsbG8gamVwZw=="),
        _ if ID_ARGUMENTS.contains(&name) => json!(spotify_id(&format!("s{name}"))),
        _ => json!(format!("s{}", name.replace('_', ""))),
    }
}

/// A full value of an output schema: every property, one item per list (down to `depth`).
pub fn full(schema: &Value, root: &Value, depth: usize) -> Value {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/$defs/");
        return full(&root["$defs"][name], root, depth);
    }
    let schema = non_null(schema);
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/$defs/");
        return full(&root["$defs"][name], root, depth);
    }
    if let Some(value) = enum_value(schema) {
        return value;
    }
    match primary_type(schema) {
        "object" => {
            let mut out = Map::new();
            if depth > 0 {
                for (key, property) in schema["properties"].as_object().into_iter().flatten() {
                    out.insert(key.clone(), full(property, root, depth - 1));
                }
            }
            Value::Object(out)
        }
        "array" if depth > 0 => json!([full(&schema["items"], root, depth - 1)]),
        "array" => json!([]),
        "integer" => json!(schema["minimum"].as_i64().unwrap_or(0).max(0)),
        "number" => json!(0.0),
        "boolean" => json!(false),
        "null" => Value::Null,
        _ => json!("x"),
    }
}
