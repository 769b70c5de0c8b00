//! Differences the project chose on purpose. The spec marks them with `x-mcp-deliberate`, a map
//! of what → why, next to what differs: on a parameter or a body property (keys: an aspect such
//! as `minimum` or `required`, or `parameter` / `property` for one upstream lacks or adds), or
//! on an operation (keys: `operation`, `deprecated`, `scopes`, `request body`, `response`,
//! `response property NAME`). [`label`] turns each marked difference into a
//! [`Level::Deliberate`] one that carries the reason.

use super::diff::{Difference, Kind, Level};
use codegen::spec::{self, OperationRef};
use serde_json::Value;

pub const DELIBERATE_KEY: &str = "x-mcp-deliberate";

/// Marks every difference the project's spec calls deliberate.
pub fn label(differences: &mut [Difference], project: &Value) {
    let operations = spec::operations(project);
    for difference in differences.iter_mut() {
        if let Some(why) = reason(difference, project, &operations) {
            difference.level = Level::Deliberate;
            difference.deliberate = Some(why);
        }
    }
}

fn reason(d: &Difference, doc: &Value, operations: &[OperationRef<'_>]) -> Option<String> {
    let own = operations
        .iter()
        .find(|op| op.method == d.method && op.path == d.path);
    let aspect = d.aspect.as_deref();
    match d.kind {
        // Upstream's operation is not here: a project operation its template covers says why.
        Kind::OperationAdded => operations
            .iter()
            .filter(|op| op.method == d.method && covers(&d.path, op.path))
            .find_map(|op| mark(op.operation, "operation")),
        Kind::OperationRemoved => mark(own?.operation, "operation"),
        Kind::Deprecated | Kind::Undeprecated => mark(own?.operation, "deprecated"),
        Kind::Scopes => mark(own?.operation, "scopes"),
        Kind::OperationId => None,
        Kind::ParameterAdded | Kind::ParameterRemoved | Kind::ParameterChanged => {
            let (location, name) = subject_name(d.subject.as_deref()?, " parameter `")?;
            let param = spec::parameters(doc, own?)
                .into_iter()
                .find(|p| p["in"] == location && p["name"] == name)?;
            mark(&param, aspect.unwrap_or("parameter"))
        }
        Kind::BodyPropertyAdded | Kind::BodyPropertyRemoved | Kind::BodyPropertyChanged => {
            let (_, name) = subject_name(d.subject.as_deref()?, "body property `")?;
            let body = spec::deref(doc, own?.operation.get("requestBody")?)?;
            let schema = spec::deref(doc, body.pointer("/content/application~1json/schema")?)?;
            let property = spec::deref(doc, schema.get("properties")?.get(&name)?)?;
            mark(property, aspect.unwrap_or("property"))
        }
        Kind::BodyAdded | Kind::BodyRemoved | Kind::BodyChanged => {
            mark(own?.operation, "request body")
        }
        Kind::ResponseAdded | Kind::ResponseRemoved | Kind::ResponseChanged => {
            mark(own?.operation, "response")
        }
        Kind::ResponsePropertyAdded
        | Kind::ResponsePropertyRemoved
        | Kind::ResponsePropertyChanged => {
            let (_, name) = subject_name(d.subject.as_deref()?, "response property `")?;
            mark(own?.operation, &format!("response property {name}"))
        }
    }
}

fn mark(holder: &Value, key: &str) -> Option<String> {
    holder
        .get(DELIBERATE_KEY)?
        .get(key)?
        .as_str()
        .map(String::from)
}

/// `query parameter `limit`` → (`query`, `limit`) for the separator ` parameter `` `.
fn subject_name(subject: &str, separator: &str) -> Option<(String, String)> {
    let (before, rest) = subject.split_once(separator)?;
    let name = rest.strip_suffix('`')?;
    Some((before.to_string(), name.to_string()))
}

/// Whether upstream's path template matches `path`, `{placeholder}` segments matching any one.
fn covers(template: &str, path: &str) -> bool {
    let (ours, theirs): (Vec<&str>, Vec<&str>) =
        (path.split('/').collect(), template.split('/').collect());
    ours.len() == theirs.len()
        && ours
            .iter()
            .zip(&theirs)
            .all(|(mine, part)| mine == part || (part.starts_with('{') && part.ends_with('}')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(minimum: i64, mark: Option<&str>) -> Value {
        let mut limit = json!({ "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": minimum } });
        if let Some(why) = mark {
            limit[DELIBERATE_KEY] = json!({ "minimum": why });
        }
        json!({ "openapi": "3.0.3", "paths": { "/search": { "get": {
            "operationId": "search", "parameters": [limit], "responses": {}
        } } } })
    }

    #[test]
    fn a_marked_difference_is_deliberate_with_its_reason() {
        let upstream = doc(0, None);
        let mut unmarked = super::super::diff::diff(&upstream, &doc(1, None));
        label(&mut unmarked, &doc(1, None));
        assert_eq!(unmarked.len(), 1);
        assert_eq!(unmarked[0].level, Level::Change);

        let ours = doc(1, Some("Spotify's text says 1"));
        let mut marked = super::super::diff::diff(&upstream, &ours);
        label(&mut marked, &ours);
        assert_eq!(marked[0].level, Level::Deliberate);
        assert_eq!(
            marked[0].deliberate.as_deref(),
            Some("Spotify's text says 1")
        );
    }

    #[test]
    fn a_template_covers_the_paths_it_was_split_into() {
        assert!(covers("/me/top/{type}", "/me/top/artists"));
        assert!(!covers("/me/top/{type}", "/me/top"));
        assert!(!covers("/me/top/{type}", "/me/tops/artists"));
    }

    #[test]
    fn subjects_name_what_differs() {
        assert_eq!(
            subject_name("query parameter `limit`", " parameter `"),
            Some(("query".into(), "limit".into()))
        );
        assert_eq!(
            subject_name("body property `ids`", "body property `"),
            Some((String::new(), "ids".into()))
        );
    }
}
