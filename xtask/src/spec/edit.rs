//! Editing the project's document in place so its layout holds: keys inserted where the
//! project keeps them, the sync log, and the `x-mcp-todo` notes. Shared by sync, import and update.

use super::model::OpKey;
use codegen::spec::OperationRef;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// The key of a note for the maintainer on what sync could not finish.
pub const TODO_KEY: &str = "x-mcp-todo";

/// What sync did, one line per change, for the maintainer's review.
#[derive(Debug, Default)]
pub struct Log {
    pub lines: Vec<String>,
    /// Operations that got an `x-mcp-todo`.
    pub todos: BTreeSet<String>,
}

impl Log {
    pub(super) fn add(&mut self, key: &OpKey, text: impl AsRef<str>) {
        self.lines.push(format!("{key}: {}", text.as_ref()));
    }
}

pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

pub(super) fn object(value: &mut Value) -> &mut Map<String, Value> {
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    value.as_object_mut().expect("made an object")
}

/// Inserts `key` after the last of `after` present (else at the front); replaces in place if
/// `key` is already there, so the project's order holds.
pub(super) fn insert_after(map: &mut Map<String, Value>, key: &str, value: Value, after: &[&str]) {
    if let Some(slot) = map.get_mut(key) {
        *slot = value;
        return;
    }
    let index = map
        .keys()
        .enumerate()
        .filter(|(_, k)| after.contains(&k.as_str()))
        .map(|(i, _)| i + 1)
        .max()
        .unwrap_or(0);
    map.shift_insert(index, key.to_string(), value);
}

/// Inserts `key` before the first key that is `before` or an extension (else at the end).
pub(super) fn insert_before(
    map: &mut Map<String, Value>,
    key: &str,
    value: Value,
    before: &[&str],
) {
    if let Some(slot) = map.get_mut(key) {
        *slot = value;
        return;
    }
    let index = map
        .keys()
        .position(|k| before.contains(&k.as_str()) || k.starts_with("x-"))
        .unwrap_or(map.len());
    map.shift_insert(index, key.to_string(), value);
}

const AFTER_DESCRIPTION: [&str; 4] = ["operationId", "tags", "summary", "description"];

pub(super) fn set_deprecated(operation: &mut Value, deprecated: bool) {
    let map = object(operation);
    if deprecated {
        insert_after(map, "deprecated", Value::Bool(true), &AFTER_DESCRIPTION);
    } else {
        map.shift_remove("deprecated");
    }
}

pub(super) fn add_todo(operation: &mut Value, text: &str) {
    let map = object(operation);
    let todo = match map.get(TODO_KEY).and_then(Value::as_str) {
        Some(existing) if existing.contains(text) => return,
        Some(existing) => format!("{existing}; {text}"),
        None => text.to_string(),
    };
    map.insert(TODO_KEY.into(), Value::String(todo));
}

pub(super) fn security_of(upstream: &Value, op: &OperationRef<'_>) -> Option<Value> {
    op.operation
        .get("security")
        .or_else(|| upstream.get("security"))
        .cloned()
}
