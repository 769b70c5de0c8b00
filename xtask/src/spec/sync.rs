//! `spec sync`: applies the upstream facts [`super::diff`] reports as changes to the project's
//! document, in place, and leaves its notes (the project's refinements) alone.
//!
//! What the project wrote stays: `x-mcp-*` keys, descriptions, operationIds, key order, the
//! comma-separated list form of parameters. New operations arrive in the project's shape
//! (parameters and responses inline, `allOf` flattened, errors pointing at the shared error
//! responses) with a placeholder description and an `x-mcp-todo` for the maintainer; upstream
//! prose comes along only with `keep_upstream_text`.

use super::import::Importer;
use super::model::{self, Field, OpKey, Shape};
use codegen::spec::{self, OperationRef};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

pub const TODO_KEY: &str = "x-mcp-todo";
/// The description of an operation added by sync, until a maintainer writes one.
pub const PLACEHOLDER: &str = "TODO: describe this tool for an assistant: what it does, when to \
     use it, what it needs.";

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Copy upstream summaries and descriptions into what sync adds.
    pub keep_upstream_text: bool,
}

/// What sync did, one line per change, for the maintainer's review.
#[derive(Debug, Default)]
pub struct Log {
    pub lines: Vec<String>,
    /// Operations that got an `x-mcp-todo`.
    pub todos: BTreeSet<String>,
}

impl Log {
    fn add(&mut self, key: &OpKey, text: impl AsRef<str>) {
        self.lines.push(format!("{key}: {}", text.as_ref()));
    }
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

pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn op_pointer(key: &OpKey) -> String {
    format!("/paths/{}/{}", escape(&key.path), key.method)
}

fn object(value: &mut Value) -> &mut Map<String, Value> {
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    value.as_object_mut().expect("made an object")
}

/// Inserts `key` after the last of `after` present (else at the front); replaces in place if
/// `key` is already there, so the project's order holds.
fn insert_after(map: &mut Map<String, Value>, key: &str, value: Value, after: &[&str]) {
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
fn insert_before(map: &mut Map<String, Value>, key: &str, value: Value, before: &[&str]) {
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

fn set_deprecated(operation: &mut Value, deprecated: bool) {
    let map = object(operation);
    if deprecated {
        insert_after(map, "deprecated", Value::Bool(true), &AFTER_DESCRIPTION);
    } else {
        map.shift_remove("deprecated");
    }
}

fn add_todo(operation: &mut Value, text: &str) {
    let map = object(operation);
    let todo = match map.get(TODO_KEY).and_then(Value::as_str) {
        Some(existing) if existing.contains(text) => return,
        Some(existing) => format!("{existing}; {text}"),
        None => text.to_string(),
    };
    map.insert(TODO_KEY.into(), Value::String(todo));
}

fn security_of(upstream: &Value, op: &OperationRef<'_>) -> Option<Value> {
    op.operation
        .get("security")
        .or_else(|| upstream.get("security"))
        .cloned()
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

/// Updates one operation both documents have.
struct OpSync<'a, 'b> {
    project: &'a mut Value,
    pointer: String,
    key: &'a OpKey,
    importer: &'a mut Importer<'b>,
    log: &'a mut Log,
}

impl OpSync<'_, '_> {
    fn operation(&mut self) -> &mut Value {
        self.project
            .pointer_mut(&self.pointer)
            .expect("the operation exists")
    }

    fn todo(&mut self, text: &str) {
        add_todo(self.operation(), text);
        self.log.todos.insert(self.key.to_string());
    }

    fn update(
        &mut self,
        op: &OperationRef<'_>,
        theirs: &model::Operation,
        mine: &model::Operation,
    ) {
        if theirs.deprecated != mine.deprecated {
            set_deprecated(self.operation(), theirs.deprecated);
            let text = if theirs.deprecated {
                "marked deprecated"
            } else {
                "no longer deprecated"
            };
            self.log.add(self.key, text);
        }
        if theirs.scopes != mine.scopes {
            let security = security_of(self.importer.upstream(), op).unwrap_or(json!([]));
            insert_before(object(self.operation()), "security", security, &[]);
            self.log.add(self.key, "scopes updated");
        }
        self.parameters(op, theirs, mine);
        self.body(op, theirs, mine);
        self.response(op, theirs, mine);
    }

    fn parameters(
        &mut self,
        op: &OperationRef<'_>,
        theirs: &model::Operation,
        mine: &model::Operation,
    ) {
        let upstream = self.importer.upstream();
        let pointer = format!("{}/parameters", self.pointer);
        for param in spec::parameters(upstream, op) {
            let location = param["in"].as_str().unwrap_or_default().to_string();
            let name = param["name"].as_str().unwrap_or_default().to_string();
            let key = (location.clone(), name.clone());
            let up_field = &theirs.parameters[&key];
            let Some(my_field) = mine.parameters.get(&key) else {
                let imported = self.importer.parameter(&param);
                let described = imported.get("description").is_some();
                let list = self.operation();
                let params = object(list).entry("parameters").or_insert(json!([]));
                if let Some(params) = params.as_array_mut() {
                    params.push(imported);
                }
                self.log
                    .add(self.key, format!("{location} parameter `{name}` added"));
                if !described {
                    self.todo(&format!("describe parameter `{name}`"));
                }
                continue;
            };
            let index = self.param_index(&key).expect("the model found it");
            let at = format!("{pointer}/{index}");
            if up_field.required != my_field.required {
                let required = up_field.required || location == "path";
                insert_after(
                    object(self.project.pointer_mut(&at).expect("listed")),
                    "required",
                    Value::Bool(required),
                    &["name", "in"],
                );
                self.log.add(
                    self.key,
                    format!("{location} parameter `{name}`: required is now {required}"),
                );
            }
            let up_schema = param.get("schema").cloned().unwrap_or(Value::Null);
            self.field(
                &format!("{at}/schema"),
                &up_schema,
                up_field,
                my_field,
                &name,
            );
            if !up_field.shape.same_kind(&my_field.shape) {
                self.fix_list_style(&at, &location);
            }
        }
        let upstream_keys: BTreeSet<_> = theirs.parameters.keys().collect();
        for key in mine.parameters.keys() {
            if upstream_keys.contains(key) {
                continue;
            }
            if let Some(index) = self.param_index(key)
                && let Some(params) = self
                    .project
                    .pointer_mut(&pointer)
                    .and_then(Value::as_array_mut)
            {
                params.remove(index);
                self.log
                    .add(self.key, format!("{} parameter `{}` removed", key.0, key.1));
            }
        }
    }

    /// Where parameter `key` sits in the operation's own list (the project inlines them).
    fn param_index(&mut self, key: &model::ParamKey) -> Option<usize> {
        let pointer = format!("{}/parameters", self.pointer);
        let params = self.project.pointer(&pointer)?.as_array()?;
        let project = &*self.project;
        params.iter().position(|p| {
            let p = spec::deref(project, p).unwrap_or(p);
            p["in"] == key.0.as_str() && p["name"] == key.1.as_str()
        })
    }

    /// Query arrays go out comma-separated (`style: form, explode: false`); others need neither.
    fn fix_list_style(&mut self, at: &str, location: &str) {
        let param = object(self.project.pointer_mut(at).expect("listed"));
        let is_array = param.get("schema").and_then(|s| s.get("type")) == Some(&json!("array"));
        if is_array && location == "query" {
            insert_before(param, "style", json!("form"), &["schema"]);
            insert_before(param, "explode", json!(false), &["schema"]);
        } else {
            param.shift_remove("style");
            param.shift_remove("explode");
        }
    }

    /// Brings the project schema at `pointer` in line with an upstream input field.
    fn field(
        &mut self,
        pointer: &str,
        up_schema: &Value,
        theirs: &Field,
        mine: &Field,
        name: &str,
    ) {
        if theirs.shape.same_kind(&mine.shape) {
            let values = enum_values(self.importer.upstream(), up_schema);
            for fact in apply_facts(
                self.project,
                pointer,
                &values,
                &theirs.shape,
                &mine.shape,
                true,
            ) {
                self.log.add(self.key, format!("`{name}`: {fact}"));
            }
        } else {
            let imported = self.importer.schema(up_schema);
            replace_keeping_description(self.project, pointer, imported);
            self.log.add(
                self.key,
                format!("`{name}`: type {} → {}", mine.shape.kind, theirs.shape.kind),
            );
            self.todo(&format!("review `{name}`, whose type changed"));
        }
    }

    fn body(&mut self, op: &OperationRef<'_>, theirs: &model::Operation, mine: &model::Operation) {
        let upstream_body = op.operation.get("requestBody");
        match (&theirs.body, &mine.body, upstream_body) {
            (None, Some(_), _) => {
                object(self.operation()).shift_remove("requestBody");
                self.log.add(self.key, "request body removed");
            }
            (Some(_), None, Some(body)) => {
                let body = self.importer.request_body(body);
                insert_before(
                    object(self.operation()),
                    "requestBody",
                    body,
                    &["responses"],
                );
                self.log.add(self.key, "request body added");
                self.todo("describe the request body");
            }
            (Some(up), Some(ours), Some(body)) if up.media_types != ours.media_types => {
                let body = self.importer.request_body(body);
                let pointer = format!("{}/requestBody", self.pointer);
                replace_keeping_description(self.project, &pointer, body);
                self.log.add(self.key, "request body media type changed");
                self.todo("review the request body");
            }
            (Some(up), Some(ours), Some(body)) => {
                let upstream = self.importer.upstream();
                let Some(up_schema) = spec::deref(upstream, body)
                    .and_then(|b| b.pointer("/content/application~1json/schema"))
                else {
                    return;
                };
                let up_flat = model::flatten(upstream, up_schema);
                let body_pointer = resolve(self.project, &format!("{}/requestBody", self.pointer));
                let schema = resolve(
                    self.project,
                    &format!("{body_pointer}/content/application~1json/schema"),
                );
                let (up_props, my_props) = (&up.properties, &ours.properties);
                for (name, field) in up_props {
                    let at = format!("{schema}/properties/{}", escape(name));
                    match my_props.get(name) {
                        None => {
                            let imported = self.importer.schema(&up_flat["properties"][name]);
                            let target = object(self.project.pointer_mut(&schema).expect("found"));
                            object(target.entry("properties").or_insert(json!({})))
                                .insert(name.clone(), imported);
                            self.log
                                .add(self.key, format!("body property `{name}` added"));
                            self.todo(&format!("describe body property `{name}`"));
                        }
                        Some(my_field) => {
                            let up_prop = up_flat["properties"][name].clone();
                            self.field(&at, &up_prop, field, my_field, name);
                        }
                    }
                }
                let target = object(self.project.pointer_mut(&schema).expect("found"));
                if let Some(props) = target.get_mut("properties").and_then(Value::as_object_mut) {
                    for name in my_props.keys().filter(|n| !up_props.contains_key(*n)) {
                        props.shift_remove(name);
                        self.log
                            .lines
                            .push(format!("{}: body property `{name}` removed", self.key));
                    }
                }
                // Upstream's list, less names it has no property for (its documents have some).
                let required: Vec<Value> = up_flat
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|n| n.as_str().is_some_and(|n| up_props.contains_key(n)))
                    .cloned()
                    .collect();
                let mine_required: BTreeSet<&String> = my_props
                    .iter()
                    .filter(|(_, f)| f.required)
                    .map(|(n, _)| n)
                    .collect();
                let up_required: BTreeSet<&String> = up_props
                    .iter()
                    .filter(|(_, f)| f.required)
                    .map(|(n, _)| n)
                    .collect();
                if mine_required != up_required {
                    if required.is_empty() {
                        target.shift_remove("required");
                    } else {
                        insert_after(target, "required", Value::Array(required), &["type"]);
                    }
                    self.log.add(self.key, "required body properties updated");
                }
            }
            _ => {}
        }
    }

    fn response(
        &mut self,
        op: &OperationRef<'_>,
        theirs: &model::Operation,
        mine: &model::Operation,
    ) {
        let replace = match (&theirs.response, &mine.response) {
            (None, None) => false,
            (Some(up), Some(ours)) => up.kind != ours.kind,
            _ => true,
        };
        if replace {
            self.replace_success_responses(op);
            return;
        }
        let (Some(up), Some(ours)) = (&theirs.response, &mine.response) else {
            return;
        };
        let upstream = self.importer.upstream();
        let up_flat = model::flatten(
            upstream,
            model::success_schema(upstream, op.operation).expect("the model found it"),
        );
        let Some(schema) = self.success_schema_pointer() else {
            return;
        };
        for (name, shape) in &up.properties {
            let at = format!("{schema}/properties/{}", escape(name));
            let up_prop = &up_flat["properties"][name];
            match ours.properties.get(name) {
                None => {
                    let imported = self.importer.schema(up_prop);
                    let target = object(self.project.pointer_mut(&schema).expect("found"));
                    object(target.entry("properties").or_insert(json!({})))
                        .insert(name.clone(), imported);
                    self.log
                        .add(self.key, format!("response property `{name}` added"));
                }
                Some(my_shape) if !shape.same_kind(my_shape) => {
                    let imported = self.importer.schema(up_prop);
                    replace_keeping_description(self.project, &at, imported);
                    self.log.add(
                        self.key,
                        format!(
                            "response property `{name}`: type {} → {}",
                            my_shape.kind, shape.kind
                        ),
                    );
                }
                Some(my_shape) => {
                    let values = enum_values(upstream, up_prop);
                    for fact in apply_facts(self.project, &at, &values, shape, my_shape, false) {
                        self.log
                            .add(self.key, format!("response property `{name}`: {fact}"));
                    }
                }
            }
        }
    }

    /// The project's JSON success schema, past `$ref`s and nullable wrappers.
    fn success_schema_pointer(&self) -> Option<String> {
        let responses = self
            .project
            .pointer(&format!("{}/responses", self.pointer))?;
        let status = responses
            .as_object()?
            .iter()
            .find_map(|(status, response)| {
                let response = spec::deref(self.project, response)?;
                (status.starts_with('2')
                    && response
                        .pointer("/content/application~1json/schema")
                        .is_some())
                .then(|| status.clone())
            })?;
        let response = resolve(
            self.project,
            &format!("{}/responses/{}", self.pointer, escape(&status)),
        );
        Some(resolve(
            self.project,
            &format!("{response}/content/application~1json/schema"),
        ))
    }

    /// Upstream's success responses in place of the project's (kept: their descriptions).
    fn replace_success_responses(&mut self, op: &OperationRef<'_>) {
        let upstream_responses = op.operation.get("responses").and_then(Value::as_object);
        let mut imported = Map::new();
        for (status, response) in upstream_responses.into_iter().flatten() {
            if status.starts_with('2') {
                imported.insert(status.clone(), self.importer.response(status, response));
            }
        }
        let operation = object(self.operation());
        let responses = object(operation.entry("responses").or_insert(json!({})));
        let mut merged = Map::new();
        for (status, mut response) in imported {
            let description = responses
                .get(&status)
                .and_then(|r| r.get("description"))
                .cloned();
            if let (Some(text), Some(map)) = (description, response.as_object_mut()) {
                map.insert("description".into(), text);
            }
            merged.insert(status, response);
        }
        for (status, response) in std::mem::take(responses) {
            if !status.starts_with('2') {
                merged.insert(status, response);
            }
        }
        *responses = merged;
        self.log
            .add(self.key, "success response replaced by upstream's");
        self.todo("review the success response");
    }
}

/// Follows `$ref`s and one-member `oneOf`/`anyOf`/`allOf` wrappers from `pointer` to the
/// object that holds the actual keywords, so edits land where the project keeps them.
pub fn resolve(doc: &Value, pointer: &str) -> String {
    let mut pointer = pointer.to_string();
    for _ in 0..32 {
        let Some(value) = doc.pointer(&pointer) else {
            break;
        };
        if let Some(reference) = value.get("$ref").and_then(Value::as_str)
            && let Some(target) = reference.strip_prefix('#')
            && doc.pointer(target).is_some()
        {
            pointer = target.to_string();
            continue;
        }
        let wrapper = ["oneOf", "anyOf", "allOf"].into_iter().find(|k| {
            value
                .get(*k)
                .and_then(Value::as_array)
                .is_some_and(|a| a.len() == 1)
        });
        match wrapper {
            Some(key) => pointer = format!("{pointer}/{key}/0"),
            None => break,
        }
    }
    pointer
}

/// Puts `new` at `pointer`, keeping the project's description there.
fn replace_keeping_description(project: &mut Value, pointer: &str, mut new: Value) {
    let Some(slot) = project.pointer_mut(pointer) else {
        return;
    };
    if let (Some(text), Some(map)) = (slot.get("description").cloned(), new.as_object_mut()) {
        insert_after(map, "description", text, &["type", "format"]);
    }
    *slot = new;
}

/// Enum values and bounds of a same-kind field. Inputs take upstream's values; outputs keep
/// the project's and add upstream's. Returns what changed, for the log.
fn apply_facts(
    project: &mut Value,
    pointer: &str,
    up_list: &[Value],
    theirs: &Shape,
    mine: &Shape,
    input: bool,
) -> Vec<String> {
    let mut changed = Vec::new();
    let target_pointer = resolve(project, pointer);
    if let Some(up_values) = &theirs.values
        && theirs.values != mine.values
    {
        let target = project
            .pointer(&target_pointer)
            .cloned()
            .unwrap_or_default();
        let holder = if target.get("type") == Some(&json!("array")) {
            resolve(project, &format!("{target_pointer}/items"))
        } else {
            target_pointer.clone()
        };
        if let Some(slot) = project.pointer_mut(&holder) {
            let map = object(slot);
            let existing: Vec<Value> = map
                .get("enum")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut values = if input {
                up_list.to_vec()
            } else {
                let mut all = existing.clone();
                all.extend(up_list.iter().filter(|v| !existing.contains(v)).cloned());
                all
            };
            if existing.contains(&Value::Null) && !values.contains(&Value::Null) {
                values.push(Value::Null); // the project's nullable enum stays nullable
            }
            if values != existing && up_values.len() <= values.len() {
                let text: Vec<String> = values.iter().map(Value::to_string).collect();
                changed.push(format!("values now {}", text.join(", ")));
                insert_after(
                    map,
                    "enum",
                    Value::Array(values),
                    &["type", "format", "description"],
                );
            }
        }
    }
    if input {
        let Some(slot) = project.pointer_mut(&target_pointer) else {
            return changed;
        };
        let map = object(slot);
        for bound in model::BOUNDS {
            if let Some(value) = theirs.bounds.get(bound)
                && mine.bounds.get(bound) != Some(value)
            {
                let before = mine
                    .bounds
                    .get(bound)
                    .map_or("none".into(), Value::to_string);
                changed.push(format!("{bound} {before} → {value}"));
                insert_after(
                    map,
                    bound,
                    value.clone(),
                    &["type", "format", "items", "enum"],
                );
            }
        }
    }
    changed
}

/// The enum of an upstream schema, or of its items for an array, in upstream's order.
fn enum_values(upstream: &Value, schema: &Value) -> Vec<Value> {
    let flat = model::flatten(upstream, schema);
    let holder = if flat.get("type") == Some(&json!("array")) {
        model::flatten(upstream, flat.get("items").unwrap_or(&Value::Null))
    } else {
        flat
    };
    holder
        .get("enum")
        .and_then(Value::as_array)
        .map(|values| values.iter().filter(|v| !v.is_null()).cloned().collect())
        .unwrap_or_default()
}
