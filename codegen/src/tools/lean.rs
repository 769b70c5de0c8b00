//! The default answer's shape: the projected output schema with list items trimmed to what
//! `x-mcp-projection`'s `list-items` keeps for their kind (an object's `type`), and objects of a
//! kind inside such an item to `inside-list-items`. An entry (a list element without a kind: a
//! playlist's entry, a saved track) leaves out `entry-drop`, objects of a kind inside its item
//! become their name (`named-in-entries`), and objects with an `id` leave out `drop-beside-id`. The untrimmed schema stays what `fields` picks
//! from. A definition used in several places gets one variant per place.

use super::ToolError;
use super::projection::ProjectionRules;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Where an object sits in an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    /// The answer itself, or an object reached without passing a list.
    Answer,
    /// An element of a list.
    Listed,
    /// Inside an object of a kind that is a list item (a listed track's album and artists).
    Inside,
    /// Inside an entry: a list element that has no kind (a saved track's `track`, a playlist
    /// entry's `item`).
    Entry,
    /// Inside an object of a kind that is an entry's item (a playlist track's album).
    InsideEntry,
}

impl Place {
    fn suffix(self) -> &'static str {
        match self {
            Place::Answer => "",
            Place::Listed => "InList",
            Place::Inside => "InItem",
            Place::Entry => "InEntry",
            Place::InsideEntry => "InEntryItem",
        }
    }
}

struct Lean<'a> {
    rules: &'a ProjectionRules,
    defs: &'a Map<String, Value>,
    /// `(definition, place, typed)` → the variant's name.
    names: BTreeMap<(String, Place, bool), String>,
    out: Map<String, Value>,
}

/// The lean schema of `rich` (a projected output schema with `$defs`).
pub(super) fn lean_schema(rich: &Value, rules: &ProjectionRules) -> Result<Value, ToolError> {
    let trims = !rules.list_items.is_empty()
        || !rules.drop_beside_id.is_empty()
        || !rules.entry_drop.is_empty();
    if !trims {
        return Ok(rich.clone());
    }
    let empty = Map::new();
    let defs = rich
        .get("$defs")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut lean = Lean {
        rules,
        defs,
        names: BTreeMap::new(),
        out: Map::new(),
    };
    let mut root = rich.clone();
    if let Some(object) = root.as_object_mut() {
        object.remove("$defs");
    }
    let mut root = lean.walk(&root, Place::Answer, false)?;
    if !lean.out.is_empty() {
        root["$defs"] = Value::Object(lean.out);
    }
    match dangling(&root, &root) {
        Some(name) => Err(ToolError::Projection(format!(
            "the lean output schema refers to `$defs/{name}`, which it lacks"
        ))),
        None => Ok(root),
    }
}

/// A `$ref` in `schema` that names no definition of `root`.
fn dangling<'v>(schema: &'v Value, root: &Value) -> Option<&'v str> {
    match schema {
        Value::Object(object) => {
            if let Some(name) = definition(schema)
                && root.pointer(&format!("/$defs/{name}")).is_none()
            {
                return Some(name);
            }
            object.values().find_map(|v| dangling(v, root))
        }
        Value::Array(items) => items.iter().find_map(|v| dangling(v, root)),
        _ => None,
    }
}

/// The single value of an object schema's `type` enum, when `list-items` names it.
fn kind<'r>(schema: &Value, rules: &'r ProjectionRules) -> Option<&'r str> {
    let values = schema.pointer("/properties/type/enum")?.as_array()?;
    match values.as_slice() {
        [Value::String(kind)] => rules
            .list_items
            .get_key_value(kind)
            .map(|(k, _)| k.as_str()),
        _ => None,
    }
}

/// Where the objects inside an object of a kind at `place` sit.
fn inside(place: Place) -> Place {
    match place {
        Place::Entry | Place::InsideEntry => Place::InsideEntry,
        _ => Place::Inside,
    }
}

fn definition(reference: &Value) -> Option<&str> {
    reference.get("$ref")?.as_str()?.strip_prefix("#/$defs/")
}

impl Lean<'_> {
    fn walk(&mut self, schema: &Value, place: Place, typed: bool) -> Result<Value, ToolError> {
        if let Some(name) = definition(schema) {
            return self.variant(name, place, typed);
        }
        let Some(object) = schema.as_object() else {
            return Ok(schema.clone());
        };
        let own_kind = kind(schema, self.rules);
        if let (Place::InsideEntry, Some(_)) = (place, own_kind)
            && let Some(name) = self.named(object)
        {
            return Ok(name);
        }
        let rules = self.rules;
        let (keep, inner) = match (place, own_kind) {
            (Place::Answer, _) => (None, Place::Answer),
            (Place::Listed | Place::Entry, Some(kind)) => {
                (Some(&rules.list_items[kind]), inside(place))
            }
            (Place::Listed, None) => (None, Place::Entry),
            (Place::Inside | Place::InsideEntry, Some(_)) => {
                (Some(&rules.inside_list_items), place)
            }
            (_, None) => (None, place),
        };
        // An entry (a list element without a kind) leaves out what `entry-drop` names.
        let drop = (place, own_kind) == (Place::Listed, None);
        // Branches naming several kinds keep `type`: it says which one an item is.
        let mixed = self.mixed_kinds(object);
        let mut out = Map::new();
        for (key, value) in object {
            let walked = match key.as_str() {
                "properties" => self.properties(value, keep, typed, inner, drop)?,
                "items" => {
                    let element = if place == Place::Answer {
                        Place::Listed
                    } else {
                        place
                    };
                    self.walk(value, element, false)?
                }
                "additionalProperties" => self.walk(value, inner, false)?,
                "anyOf" | "oneOf" | "allOf" => {
                    let branches = value.as_array().into_iter().flatten();
                    let walked: Result<Vec<Value>, ToolError> = branches
                        .map(|b| self.walk(b, place, typed || mixed))
                        .collect();
                    Value::Array(walked?)
                }
                _ => value.clone(),
            };
            out.insert(key.clone(), walked);
        }
        Ok(Value::Object(out))
    }

    fn properties(
        &mut self,
        properties: &Value,
        keep: Option<&std::collections::BTreeSet<String>>,
        typed: bool,
        inner: Place,
        entry: bool,
    ) -> Result<Value, ToolError> {
        let mut out = Map::new();
        let properties = properties.as_object();
        // An `id` says what a `uri` would (spotify:{type}:{id}).
        let has_id = properties.is_some_and(|p| p.contains_key("id"));
        for (name, property) in properties.into_iter().flatten() {
            let kept = (keep.is_none_or(|k| k.contains(name)) || (typed && name == "type"))
                && !(entry && self.rules.entry_drop.contains(name))
                && !(has_id && self.rules.drop_beside_id.contains(name));
            if kept {
                out.insert(name.clone(), self.walk(property, inner, false)?);
            }
        }
        Ok(Value::Object(out))
    }

    /// The schema of the first `named-in-entries` property an object of a kind has: what it
    /// becomes inside an entry's item.
    fn named(&self, object: &Map<String, Value>) -> Option<Value> {
        let properties = object.get("properties")?.as_object()?;
        self.rules
            .named_in_entries
            .iter()
            .find_map(|name| properties.get(name))
            .cloned()
    }

    /// Whether an object's `anyOf`/`oneOf` (nested ones included) reaches several kinds.
    fn mixed_kinds(&self, object: &Map<String, Value>) -> bool {
        fn kinds<'v>(lean: &'v Lean<'_>, schema: &'v Value, found: &mut Vec<&'v Value>) {
            let schema = definition(schema)
                .and_then(|n| lean.defs.get(n))
                .unwrap_or(schema);
            if let Some(kind) = schema.pointer("/properties/type/enum") {
                found.push(kind);
            }
            for key in ["anyOf", "oneOf"] {
                for branch in schema
                    .get(key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    kinds(lean, branch, found);
                }
            }
        }
        let mut found = Vec::new();
        for key in ["anyOf", "oneOf"] {
            for branch in object
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                kinds(self, branch, &mut found);
            }
        }
        found.sort_by_key(|v| v.to_string());
        found.dedup();
        found.len() > 1
    }

    /// The name of `name`'s variant for `place`, built on first use.
    fn variant(&mut self, name: &str, place: Place, typed: bool) -> Result<Value, ToolError> {
        let key = (name.to_string(), place, typed);
        if let Some(known) = self.names.get(&key) {
            return Ok(json!({ "$ref": format!("#/$defs/{known}") }));
        }
        let definition = self.defs.get(name).cloned().ok_or_else(|| {
            ToolError::Projection(format!("`$defs/{name}` is referenced but not defined"))
        })?;
        let typed_suffix = if typed && place != Place::Answer {
            "Typed"
        } else {
            ""
        };
        let mut variant_name = format!("{name}{}{typed_suffix}", place.suffix());
        // Reserved before building, so a definition that refers to itself ends.
        self.names.insert(key.clone(), variant_name.clone());
        let built = self.walk(&definition, place, typed)?;
        // A variant that trims nothing keeps the definition's name; one equal to another
        // variant of the same definition is that one.
        let unchanged =
            built == definition && self.out.get(name).is_none_or(|known| *known == built);
        let same = self
            .names
            .iter()
            .find(|((n, _, _), v)| {
                n == name && **v != variant_name && self.out.get(*v) == Some(&built)
            })
            .map(|(_, v)| v.clone());
        match (unchanged, same) {
            (true, _) => variant_name = name.to_string(),
            (false, Some(same)) => variant_name = same,
            (false, None) => {}
        }
        self.names.insert(key, variant_name.clone());
        self.out.insert(variant_name.clone(), built);
        Ok(json!({ "$ref": format!("#/$defs/{variant_name}") }))
    }
}
