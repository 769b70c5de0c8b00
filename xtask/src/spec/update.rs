//! Bringing one operation both documents have in line with upstream: deprecation, scopes,
//! parameters, request body and success response, each edited where the project keeps it
//! (following its `$ref`s) so its descriptions, extensions and key order stay.

use super::edit::{
    Log, add_todo, escape, insert_after, insert_before, object, security_of, set_deprecated,
};
use super::import::Importer;
use super::model::{self, Field, OpKey, Shape};
use codegen::spec::{self, OperationRef};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// Updates one operation both documents have.
pub struct OpSync<'a, 'b> {
    pub project: &'a mut Value,
    pub pointer: String,
    pub key: &'a OpKey,
    pub importer: &'a mut Importer<'b>,
    pub log: &'a mut Log,
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

    pub fn update(
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
