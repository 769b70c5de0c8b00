//! `x-mcp-projection`: what projected answers leave out, and the output schemas that say so.

use super::extensions::PROJECTION_EXTENSION;
use super::model::ToolError;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What `x-mcp-projection` trims from projected answers.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ProjectionRules {
    /// Properties removed everywhere.
    pub drop: BTreeSet<String>,
    /// Properties removed inside an answer, kept on the answer itself.
    pub drop_nested: BTreeSet<String>,
    /// Properties left out when they have this value (written as `default` in output schemas).
    pub usual_values: BTreeMap<String, Value>,
    /// Properties left out of an object when equal to the same property of an object around it.
    pub inherited: BTreeSet<String>,
    /// Kind (an object's `type`) → the properties an object of that kind keeps inside a list.
    pub list_items: BTreeMap<String, BTreeSet<String>>,
    /// What an object of one of those kinds keeps inside such a list item (a track's album).
    pub inside_list_items: BTreeSet<String>,
    /// Properties the default answer leaves out of objects that have an `id`, which says as much
    /// (`uri`); `fields` brings them back.
    pub drop_beside_id: BTreeSet<String>,
    /// Properties an entry (a list element without a kind, holding an object of a kind: a
    /// playlist's entry, a saved track) leaves out.
    pub entry_drop: BTreeSet<String>,
    /// An object of a kind inside an entry's item becomes the first of these it has (its name).
    pub named_in_entries: Vec<String>,
}

const PROJECTION_KEYS: [&str; 9] = [
    "drop",
    "drop-nested",
    "drop-beside-id",
    "usual-values",
    "inherited",
    "list-items",
    "inside-list-items",
    "entry-drop",
    "named-in-entries",
];

pub fn projection_rules(doc: &Value) -> Result<ProjectionRules, ToolError> {
    let invalid = || {
        ToolError::Projection(format!(
            "`{PROJECTION_EXTENSION}` takes `drop`, `drop-nested`, `drop-beside-id`, `inherited`, \
             `inside-list-items`, `entry-drop` and `named-in-entries` (lists of property names), \
             `usual-values` (property name → value) and `list-items` (kind → list of property \
             names)"
        ))
    };
    let Some(value) = doc.get(PROJECTION_EXTENSION) else {
        return Ok(ProjectionRules::default());
    };
    let object = value.as_object().ok_or_else(invalid)?;
    if object
        .keys()
        .any(|k| !PROJECTION_KEYS.contains(&k.as_str()))
    {
        return Err(invalid());
    }
    let list = |value: &Value| -> Result<BTreeSet<String>, ToolError> {
        value
            .as_array()
            .ok_or_else(invalid)?
            .iter()
            .map(|n| n.as_str().map(String::from).ok_or_else(invalid))
            .collect()
    };
    let names = |key: &str| object.get(key).map_or(Ok(BTreeSet::new()), list);
    // In the spec's order: the first name an object has wins.
    let ordered = |key: &str| -> Result<Vec<String>, ToolError> {
        let Some(value) = object.get(key) else {
            return Ok(Vec::new());
        };
        let names = value.as_array().ok_or_else(invalid)?.iter();
        names
            .map(|n| n.as_str().map(String::from).ok_or_else(invalid))
            .collect()
    };
    let list_items = match object.get("list-items") {
        None => BTreeMap::new(),
        Some(map) => map
            .as_object()
            .ok_or_else(invalid)?
            .iter()
            .map(|(kind, names)| Ok((kind.clone(), list(names)?)))
            .collect::<Result<_, ToolError>>()?,
    };
    let usual_values = match object.get("usual-values") {
        None => BTreeMap::new(),
        Some(map) => map
            .as_object()
            .ok_or_else(invalid)?
            .iter()
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect(),
    };
    Ok(ProjectionRules {
        drop: names("drop")?,
        drop_nested: names("drop-nested")?,
        usual_values,
        inherited: names("inherited")?,
        list_items,
        inside_list_items: names("inside-list-items")?,
        drop_beside_id: names("drop-beside-id")?,
        entry_drop: names("entry-drop")?,
        named_in_entries: ordered("named-in-entries")?,
    })
}

impl ProjectionRules {
    /// What an assistant must know to read trimmed answers, for the server instructions.
    pub fn notes(&self) -> String {
        let mut notes = Vec::new();
        if !self.usual_values.is_empty() {
            let usual: Vec<String> = self
                .usual_values
                .iter()
                .map(|(name, value)| format!("`{name}` {value}"))
                .collect();
            notes.push(format!(
                "- Fields at their usual value are left out of answers: {}.\n",
                usual.join(", ")
            ));
        }
        if !self.inherited.is_empty() {
            let names: Vec<String> = self.inherited.iter().map(|n| format!("`{n}`")).collect();
            notes.push(format!(
                "- An item leaves out {} when equal to that of the object it is in (an album's tracks \
                 by the album's artists); ask with `fields` to get them on every item.\n",
                names.join(", ")
            ));
        }
        if !self.list_items.is_empty() {
            notes.push(
                "- Items in lists (search results, an album's tracks, a playlist's items) keep \
                 their name, id and what tells them apart (artists, album, date, owner, size), and \
                 objects inside them keep id and name; the object asked for by id keeps more. Ask \
                 with `fields` (`tracks.items.album.images`) for anything else.\n"
                    .to_string(),
            );
        }
        if !self.named_in_entries.is_empty() || !self.entry_drop.is_empty() {
            let dropped: Vec<String> = self.entry_drop.iter().map(|n| format!("`{n}`")).collect();
            notes.push(format!(
                "- Entries of a playlist, the library or the history (`items[].item`, \
                 `items[].track`) name their album and artists without ids (`get_track` brings \
                 them) and leave out {}; `fields` brings them back (`items.added_at`, on playlist \
                 tools `items(added_at,item(album))`).\n",
                dropped.join(", ")
            ));
        }
        if self.drop_beside_id.contains("uri") || self.drop_nested.contains("uri") {
            notes.push(
                "- Objects carry `id`, not `uri`: a URI is spotify:{type}:{id}, the type being \
                 the tool's, the list's (`tracks`, `albums`, …) or the item's `type` where a \
                 list mixes kinds (`track` where it is left out).\n"
                    .to_string(),
            );
        }
        notes.concat()
    }
}

/// Whether a property is marked deprecated, also inside the `anyOf` a nullable one becomes.
fn deprecated(property: &Value) -> bool {
    let marked = |schema: &Value| schema.get("deprecated") == Some(&Value::Bool(true));
    marked(property)
        || property
            .get("anyOf")
            .and_then(Value::as_array)
            .is_some_and(|branches| branches.iter().any(marked))
}

/// The shape of a projected answer: fields Spotify deprecated and the fields the spec's
/// `x-mcp-projection` drops are gone, and nothing is `required`, since Spotify omits fields for
/// many apps and projection drops empty ones and whatever the `fields` argument leaves out.
/// `top` is true for the answer's own properties (not those of objects inside it).
pub(super) fn project_schema(schema: &mut Value, rules: &ProjectionRules, top: bool) {
    match schema {
        Value::Object(object) => {
            object.remove("required");
            // With nothing required and usual values left out (a track's `type`), one value
            // may match several branches, which `oneOf` refuses.
            if !object.contains_key("anyOf")
                && let Some(branches) = object.remove("oneOf")
            {
                object.insert("anyOf".into(), branches);
            }
            if let Some(Value::Object(properties)) = object.get_mut("properties") {
                properties.retain(|name, property| {
                    !deprecated(property)
                        && !rules.drop.contains(name)
                        && (top || !rules.drop_nested.contains(name))
                });
                for (name, property) in properties.iter_mut() {
                    if let (Some(usual), Some(property)) =
                        (rules.usual_values.get(name), property.as_object_mut())
                        && usual_fits(property, usual)
                    {
                        property.insert("default".into(), usual.clone());
                    }
                }
                properties
                    .values_mut()
                    .for_each(|p| project_schema(p, rules, false));
            }
            for (key, value) in object.iter_mut() {
                // Branches of the answer itself are still the answer's top level.
                let branch = matches!(key.as_str(), "anyOf" | "oneOf" | "allOf");
                if key != "properties" {
                    project_schema(value, rules, top && branch);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| project_schema(item, rules, top)),
        _ => {}
    }
}

/// Whether a property takes its name's usual value: a string one only where the property's
/// `enum` lists it (a track's `type` "track", not a copyright's or a device's `type`).
fn usual_fits(property: &serde_json::Map<String, Value>, usual: &Value) -> bool {
    match property.get("enum").and_then(Value::as_array) {
        Some(values) => values.contains(usual),
        None => !usual.is_string(),
    }
}
