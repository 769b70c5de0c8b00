//! Lean answers, driven by each tool's output schemas (themselves derived from the spec): fields
//! the spec marks deprecated and those its `x-mcp-projection` drops go, list items keep what their
//! kind's `list-items` names, image lists shrink to one medium image, null and empty fields go,
//! the `fields` argument keeps only what is asked (from the answer before list items were
//! trimmed), and an answer over the size cap is cut at an item boundary with a note saying how to
//! get the rest.

pub use super::catalog::ResponseOptions;
use super::generated_tools::{INHERITED_FIELDS, NAMED_IN_ENTRIES};
use serde_json::{Map, Value, json};

/// The image width kept from an `images` list: big enough to show, small to describe.
const PREFERRED_IMAGE_WIDTH: i64 = 300;

fn resolve<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    match schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        Some(name) => resolve(&root["$defs"][name], root),
        None => schema,
    }
}

/// The branch of an `anyOf`/`oneOf` that describes `value` (by its `type`, else the first
/// non-null one).
fn branch<'a>(schema: &'a Value, value: &Value, root: &'a Value) -> &'a Value {
    let schema = resolve(schema, root);
    let Some(branches) = schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array)
    else {
        return schema;
    };
    let candidates: Vec<&Value> = branches
        .iter()
        .map(|b| resolve(b, root))
        .filter(|b| b.get("type") != Some(&json!("null")))
        .collect();
    let kind = value.get("type");
    let matching = candidates.iter().find(|b| {
        kind.is_some_and(|k| {
            b.pointer("/properties/type/enum")
                .and_then(Value::as_array)
                .is_some_and(|e| e.contains(k))
        })
    });
    let chosen = matching.or(candidates.first()).copied().unwrap_or(schema);
    branch(chosen, value, root)
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}

/// One medium-size image out of a list.
fn one_image(images: Vec<Value>) -> Vec<Value> {
    let distance = |image: &Value| {
        image
            .get("width")
            .and_then(Value::as_i64)
            .map(|w| (w - PREFERRED_IMAGE_WIDTH).abs())
            .unwrap_or(i64::MAX)
    };
    images
        .into_iter()
        .min_by_key(distance)
        .into_iter()
        .collect()
}

/// Whether `schema` wants a string: where an object of a kind inside a playlist or library entry
/// is named rather than described (`named-in-entries`).
fn wants_string(schema: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(kind)) => kind == "string",
        Some(Value::Array(kinds)) => kinds.iter().any(|k| k == "string"),
        _ => false,
    }
}

/// The name an object goes by: the first of `NAMED_IN_ENTRIES` it has as a string.
fn name_of(map: &Map<String, Value>) -> Value {
    NAMED_IN_ENTRIES
        .iter()
        .find_map(|name| map.get(*name).filter(|v| v.is_string()))
        .cloned()
        .unwrap_or(Value::Null)
}

fn project_value(value: Value, schema: &Value, root: &Value, key: Option<&str>) -> Value {
    let schema = branch(schema, &value, root);
    match value {
        Value::Object(map) if wants_string(schema) => name_of(&map),
        Value::Object(map) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let mut out = Map::new();
            for (name, item) in map {
                let item_schema = match properties {
                    Some(properties) => match properties.get(&name) {
                        Some(s) => s,
                        None => continue, // deprecated or unknown to the spec
                    },
                    None => &Value::Null,
                };
                let projected = project_value(item, item_schema, root, Some(&name));
                // The output schema's `default` is the spec's usual value: saying it is noise.
                let usual = item_schema.get("default") == Some(&projected);
                if !is_empty(&projected) && !usual {
                    out.insert(name, projected);
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let item_schema = schema.get("items").unwrap_or(&Value::Null);
            // Picked before projection, which may drop the sizes it is picked by.
            let items = if key == Some("images") {
                one_image(items)
            } else {
                items
            };
            let items: Vec<Value> = items
                .into_iter()
                .map(|i| project_value(i, item_schema, root, None))
                .collect();
            Value::Array(items)
        }
        other => other,
    }
}

/// Removes each of `fields` from objects where it equals the value of the nearest object around
/// them that has it (an album's tracks by the album's own artists).
pub fn drop_inherited(value: &mut Value, fields: &[&str]) {
    fn walk(value: &mut Value, fields: &[&str], around: &mut Vec<(String, Value)>) {
        match value {
            Value::Object(map) => {
                let depth = around.len();
                for field in fields {
                    let Some(own) = map.get(*field) else { continue };
                    let outer = around.iter().rev().find(|(name, _)| name == field);
                    if outer.is_some_and(|(_, outer)| outer == own) {
                        map.remove(*field);
                    } else {
                        around.push((field.to_string(), own.clone()));
                    }
                }
                for child in map.values_mut() {
                    walk(child, fields, around);
                }
                around.truncate(depth);
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, fields, around)),
            _ => {}
        }
    }
    walk(value, fields, &mut Vec::new());
}

/// Keeps only the dotted `paths` (through lists, a path applies to every element).
pub fn keep_fields(value: Value, paths: &[String]) -> Value {
    let split: Vec<Vec<&str>> = paths
        .iter()
        .map(|p| p.split('.').filter(|s| !s.is_empty()).collect())
        .collect();
    keep(
        value,
        &split.iter().map(|p| p.as_slice()).collect::<Vec<_>>(),
    )
}

fn keep(value: Value, paths: &[&[&str]]) -> Value {
    if paths.iter().any(|p| p.is_empty()) {
        return value; // a path ends here: keep everything below
    }
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(|i| keep(i, paths)).collect()),
        Value::Object(map) => {
            let mut out = Map::new();
            for (name, item) in map {
                let below: Vec<&[&str]> = paths
                    .iter()
                    .filter(|p| p[0] == name)
                    .map(|p| &p[1..])
                    .collect();
                if !below.is_empty() {
                    out.insert(name, keep(item, &below));
                }
            }
            Value::Object(out)
        }
        other => other,
    }
}

/// The biggest `items` list at most two levels down, as a JSON pointer.
fn largest_items(value: &Value) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    let mut consider = |pointer: String, v: &Value| {
        if let Some(items) = v.get("items").and_then(Value::as_array) {
            let size = items.len();
            if best.as_ref().is_none_or(|(b, _)| size > *b) && size > 1 {
                best = Some((size, format!("{pointer}/items")));
            }
        }
    };
    consider(String::new(), value);
    for (name, child) in value.as_object().into_iter().flatten() {
        consider(format!("/{name}"), child);
    }
    best.map(|(_, pointer)| pointer)
}

/// Whether the size cap has a list left to cut in `value` (see [`largest_items`]).
pub fn cuttable(value: &Value) -> bool {
    largest_items(value).is_some()
}

/// Cuts lists at an item boundary until the answer fits `max_bytes`.
fn cap(mut value: Value, max_bytes: usize) -> Value {
    let size = |v: &Value| serde_json::to_vec(v).map(|b| b.len()).unwrap_or(0);
    if size(&value) <= max_bytes {
        return value;
    }
    let mut notes = Vec::new();
    while size(&value) > max_bytes {
        let Some(pointer) = largest_items(&value) else {
            break;
        };
        let page = pointer.trim_end_matches("/items").to_string();
        let items = value
            .pointer_mut(&pointer)
            .and_then(Value::as_array_mut)
            .expect("found above");
        let total = items.len();
        let keep = total / 2;
        items.truncate(keep);
        let offset = value
            .pointer(&format!("{page}/offset"))
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let at = if page.is_empty() {
            "items".to_string()
        } else {
            format!("{}.items", page.trim_start_matches('/'))
        };
        notes.push(format!(
            "{at} cut to {keep} of {total} to stay under {max_bytes} bytes; ask for the rest with offset={} (and a smaller limit), or fewer fields with `fields`",
            offset + keep as u64
        ));
        if let Some(next) = value.pointer_mut(&format!("{page}/next")) {
            *next = Value::Null;
        }
    }
    if let (Some(object), false) = (value.as_object_mut(), notes.is_empty()) {
        let note = notes.last().cloned().unwrap_or_default();
        object.insert("note".into(), Value::String(note));
    }
    value
}

/// A tool's two answer shapes: the default, with list items trimmed, and the rich one.
#[derive(Debug, Clone, Copy)]
pub struct Shapes<'a> {
    pub lean: &'a Value,
    pub rich: &'a Value,
}

/// What the call asked to keep of the answer.
#[derive(Debug, Clone, Copy)]
pub enum Asked<'a> {
    /// The default answer.
    Default,
    /// Only these dotted paths, picked from the rich answer.
    Fields(&'a [String]),
    /// The rich answer, inherited fields included: Spotify already filtered it (a playlist
    /// read's own `fields`).
    Rich,
}

/// The answer an assistant gets for `value`, given the tool's output schemas.
pub fn project(
    mut value: Value,
    shapes: Shapes<'_>,
    asked: Asked<'_>,
    options: &ResponseOptions,
) -> Value {
    let paths = match asked {
        Asked::Fields(paths) if !paths.is_empty() => Some(paths),
        _ => None,
    };
    // What `fields` or Spotify's own filter asked for is picked from the rich answer.
    let schema = match (asked, paths) {
        (Asked::Rich, _) | (_, Some(_)) => shapes.rich,
        _ => shapes.lean,
    };
    // A note the server added (where paging stopped) is not Spotify's: projection keeps it.
    let note = value.as_object_mut().and_then(|o| o.remove("note"));
    let mut value = if options.raw {
        value
    } else {
        project_value(value, schema, schema, None)
    };
    if let (Some(note), Some(object)) = (note, value.as_object_mut()) {
        object.insert("note".into(), note);
    }
    match (asked, paths) {
        // Asked-for fields come on every item, inherited or not.
        (_, Some(paths)) => value = keep_fields(value, paths),
        (Asked::Rich, None) => {}
        (_, None) if !options.raw => drop_inherited(&mut value, INHERITED_FIELDS),
        (_, None) => {}
    }
    if options.raw {
        value
    } else {
        cap(value, options.max_bytes)
    }
}
