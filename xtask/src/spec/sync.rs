//! `spec sync`: applies the upstream facts [`super::diff`] reports as changes to the project's
//! document, in place, and leaves its notes (the project's refinements) alone.
//!
//! What the project wrote stays: `x-mcp-*` keys, descriptions, operationIds, key order, the
//! comma-separated list form of parameters. New operations arrive in the project's shape
//! (parameters and responses inline, `allOf` flattened, errors pointing at the shared error
//! responses) with a placeholder description and an `x-mcp-todo` for the maintainer; upstream
//! prose comes along only with `keep_upstream_text`.

pub use super::edit::{Log, TODO_KEY};
use super::edit::{escape, object, security_of, set_deprecated};
use super::import::Importer;
use super::model::{self, OpKey};
use super::update::OpSync;
use codegen::spec::{self, OperationRef};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// The description of an operation added by sync, until a maintainer writes one.
pub const PLACEHOLDER: &str = "TODO: describe this tool for an assistant: what it does, when to \
     use it, what it needs.";

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Copy upstream summaries and descriptions into what sync adds.
    pub keep_upstream_text: bool,
}

pub fn sync(project: &mut Value, upstream: &Value, options: Options) -> Log {
    let up = model::build(upstream);
    let ours = model::build(project);
    let mut importer = Importer::new(upstream, project, options.keep_upstream_text);
    let mut log = Log::default();
    let mut previous_path: Option<String> = None;
    for op in spec::operations(upstream) {
        let key = OpKey {
            method: op.method.to_string(),
            path: op.path.to_string(),
        };
        let theirs = up.get(&key).expect("built from the same document");
        match ours.get(&key) {
            None => add_operation(
                project,
                &op,
                previous_path.as_deref(),
                &mut importer,
                &mut log,
            ),
            Some(mine) => {
                let mut at = OpSync {
                    project: &mut *project,
                    pointer: op_pointer(&key),
                    key: &key,
                    importer: &mut importer,
                    log: &mut log,
                };
                at.update(&op, theirs, mine);
            }
        }
        previous_path = Some(op.path.to_string());
    }
    for (key, mine) in &ours.operations {
        if up.get(key).is_none() && !mine.deprecated {
            let operation = project.pointer_mut(&op_pointer(key)).expect("listed");
            set_deprecated(operation, true);
            log.add(key, "removed upstream: marked deprecated");
        }
    }
    importer.finish(project, &mut log.lines);
    log
}

fn op_pointer(key: &OpKey) -> String {
    format!("/paths/{}/{}", escape(&key.path), key.method)
}

/// `get-users-top-items` → `Get users top items`: a neutral title until someone writes one.
fn title_from_id(id: &str) -> String {
    let words = id.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn add_operation(
    project: &mut Value,
    op: &OperationRef<'_>,
    previous_path: Option<&str>,
    importer: &mut Importer<'_>,
    log: &mut Log,
) {
    let key = OpKey {
        method: op.method.to_string(),
        path: op.path.to_string(),
    };
    let upstream = importer.upstream();
    let mut todos = vec!["write a description".to_string()];
    let (ids, names) = ids_and_tool_names(project);
    let mut id = op
        .operation
        .get("operationId")
        .and_then(Value::as_str)
        .map(String::from)
        .unwrap_or_else(|| {
            format!("{}{}", op.method, op.path)
                .replace(['/', '{', '}'], "-")
                .split('-')
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join("-")
        });
    if ids.contains(&id) {
        let taken = id.clone();
        let mut n = 2;
        while ids.contains(&format!("{taken}-{n}")) {
            n += 1;
        }
        id = format!("{taken}-{n}");
        todos.push(format!(
            "operationId `{taken}` was taken, choose a better one than `{id}`"
        ));
    }
    let mut operation = Map::new();
    operation.insert("operationId".into(), json!(id));
    if let Some(tags) = op.operation.get("tags") {
        operation.insert("tags".into(), tags.clone());
    }
    let summary = importer
        .text(op.operation.get("summary"))
        .unwrap_or_else(|| title_from_id(&id));
    operation.insert("summary".into(), json!(summary));
    let description = importer
        .text(op.operation.get("description"))
        .unwrap_or_else(|| PLACEHOLDER.to_string());
    operation.insert("description".into(), json!(description));
    if op.operation.get("deprecated") == Some(&Value::Bool(true)) {
        operation.insert("deprecated".into(), Value::Bool(true));
    }
    let parameters: Vec<Value> = spec::parameters(upstream, op)
        .iter()
        .map(|p| importer.parameter(p))
        .collect();
    if !parameters.is_empty() {
        operation.insert("parameters".into(), Value::Array(parameters));
    }
    if let Some(body) = op.operation.get("requestBody") {
        operation.insert("requestBody".into(), importer.request_body(body));
    }
    let mut responses = Map::new();
    for (status, response) in op
        .operation
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        responses.insert(status.clone(), importer.response(status, response));
    }
    operation.insert("responses".into(), Value::Object(responses));
    if let Some(security) = security_of(upstream, op) {
        operation.insert("security".into(), security);
    }
    // Tool names must stay unique and valid (see codegen's tools.rs).
    let mut name: String = codegen::client_operation_name(&id);
    name.truncate(64);
    let base = name.trim_end_matches('_').to_string();
    let mut n = 2;
    name = base.clone();
    while names.contains(&name) {
        name = format!("{}_{n}", &base[..base.len().min(60)]);
        n += 1;
    }
    if name != codegen::client_operation_name(&id) {
        operation.insert("x-mcp-name".into(), json!(name));
        todos.push(format!("check the tool name `{name}`"));
    }
    if op.method == "get" {
        todos.push("choose x-mcp-cache".into());
    }
    operation.insert(TODO_KEY.into(), json!(todos.join("; ")));

    let paths = object(project.get_mut("paths").expect("documents have paths"));
    match paths.get_mut(op.path) {
        Some(item) => {
            object(item).insert(op.method.to_string(), Value::Object(operation));
        }
        None => {
            // Beside its upstream neighbour, so related routes stay together.
            let index = previous_path
                .and_then(|p| paths.keys().position(|k| k == p))
                .map_or(paths.len(), |i| i + 1);
            let item = json!({ op.method: Value::Object(operation) });
            paths.shift_insert(index, op.path.to_string(), item);
        }
    }
    log.add(
        &key,
        format!("added as `{id}` (x-mcp-todo: write its description)"),
    );
    log.todos.insert(key.to_string());
}

fn ids_and_tool_names(project: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut ids = BTreeSet::new();
    let mut names = BTreeSet::new();
    for op in spec::operations(project) {
        if let Some(id) = op.operation.get("operationId").and_then(Value::as_str) {
            ids.insert(id.to_string());
            let name = op
                .operation
                .get("x-mcp-name")
                .and_then(Value::as_str)
                .map_or_else(|| codegen::client_operation_name(id), String::from);
            names.insert(name);
        }
    }
    (ids, names)
}
