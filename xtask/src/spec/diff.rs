//! Upstream document vs the project's, at the level a tool user notices.
//!
//! Two levels. A **change** is an upstream fact the project does not reflect yet: an operation
//! added, removed or (un)deprecated, a parameter or body property added, removed or made
//! (un)required, a type that is not wire-equivalent, an enum or a bound that differs from one
//! upstream states, response properties upstream has and the project lacks, other scopes.
//! `spec sync` applies every change, and any change makes `spec diff` exit with 1.
//! A **note** is a deliberate project refinement where upstream says nothing or less: a bound
//! or an enum upstream leaves out (`minimum: 0` on an offset), extra response properties or
//! enum values the project knows Spotify sends, an operation gone upstream that the project
//! keeps as deprecated, another operationId. Notes never fail the check and sync keeps them.
//! A change or note the spec marks with `x-mcp-deliberate` becomes **deliberate**: reported
//! with its reason, and it does not fail the check either (`super::deliberate` labels them).
//! Descriptions are never compared: the project writes its own.

use super::model::{self, Api, Field, OpKey, Operation, Shape};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Change,
    /// A difference the project's spec chose, with its reason (`x-mcp-deliberate`).
    Deliberate,
    Note,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    OperationAdded,
    OperationRemoved,
    Deprecated,
    Undeprecated,
    OperationId,
    Scopes,
    ParameterAdded,
    ParameterRemoved,
    ParameterChanged,
    BodyAdded,
    BodyRemoved,
    BodyChanged,
    BodyPropertyAdded,
    BodyPropertyRemoved,
    BodyPropertyChanged,
    ResponseAdded,
    ResponseRemoved,
    ResponseChanged,
    ResponsePropertyAdded,
    ResponsePropertyRemoved,
    ResponsePropertyChanged,
}

#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    pub level: Level,
    pub kind: Kind,
    pub tag: String,
    pub method: String,
    pub path: String,
    pub operation_id: Option<String>,
    /// What inside the operation: `query parameter limit`, `body property name`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Which aspect of the subject: `required`, `type`, `enum`, `maximum`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect: Option<String>,
    #[serde(skip_serializing_if = "Value::is_null")]
    pub upstream: Value,
    #[serde(skip_serializing_if = "Value::is_null")]
    pub project: Value,
    /// One line for people.
    pub message: String,
    /// Why the project differs on purpose (`x-mcp-deliberate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deliberate: Option<String>,
}

impl Difference {
    pub fn op_key(&self) -> OpKey {
        OpKey {
            method: self.method.clone(),
            path: self.path.clone(),
        }
    }
}

/// Every difference, upstream operations first (upstream order), then project-only ones.
pub fn diff(upstream: &Value, project: &Value) -> Vec<Difference> {
    let (up, ours) = (model::build(upstream), model::build(project));
    let mut out = Vec::new();
    for (key, theirs) in &up.operations {
        let mut at = At::new(key, theirs, ours.get(key));
        match ours.get(key) {
            None => at.push(
                Level::Change,
                Kind::OperationAdded,
                None,
                None,
                Value::Null,
                Value::Null,
                "new upstream operation".into(),
            ),
            Some(mine) => compare_operation(&mut at, theirs, mine),
        }
        out.append(&mut at.out);
    }
    out.append(&mut removed(&up, &ours));
    out
}

fn removed(up: &Api, ours: &Api) -> Vec<Difference> {
    let mut out = Vec::new();
    for (key, mine) in &ours.operations {
        if up.get(key).is_some() {
            continue;
        }
        let mut at = At::new(key, mine, Some(mine));
        let (level, message) = if mine.deprecated {
            (Level::Note, "gone upstream; kept here as deprecated")
        } else {
            (Level::Change, "removed upstream")
        };
        at.push(
            level,
            Kind::OperationRemoved,
            None,
            None,
            Value::Null,
            Value::Null,
            message.into(),
        );
        out.append(&mut at.out);
    }
    out
}

/// Collects the differences of one operation.
struct At<'a> {
    key: &'a OpKey,
    tag: String,
    operation_id: Option<String>,
    out: Vec<Difference>,
}

impl<'a> At<'a> {
    fn new(key: &'a OpKey, theirs: &Operation, mine: Option<&Operation>) -> Self {
        Self {
            key,
            tag: mine.map_or(&theirs.tag, |m| &m.tag).clone(),
            // The project's id names the tool people know; upstream's for new operations.
            operation_id: mine.and_then(|m| m.id.clone()).or(theirs.id.clone()),
            out: Vec::new(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        level: Level,
        kind: Kind,
        subject: Option<&str>,
        aspect: Option<&str>,
        upstream: Value,
        project: Value,
        message: String,
    ) {
        self.out.push(Difference {
            level,
            kind,
            tag: self.tag.clone(),
            method: self.key.method.clone(),
            path: self.key.path.clone(),
            operation_id: self.operation_id.clone(),
            subject: subject.map(String::from),
            aspect: aspect.map(String::from),
            upstream,
            project,
            message,
            deliberate: None,
        });
    }
}

fn compare_operation(at: &mut At<'_>, theirs: &Operation, mine: &Operation) {
    if theirs.deprecated != mine.deprecated {
        let (kind, message) = if theirs.deprecated {
            (Kind::Deprecated, "newly deprecated upstream")
        } else {
            (Kind::Undeprecated, "no longer deprecated upstream")
        };
        at.push(
            Level::Change,
            kind,
            None,
            None,
            theirs.deprecated.into(),
            mine.deprecated.into(),
            message.into(),
        );
    }
    if theirs.id != mine.id {
        at.push(
            Level::Note,
            Kind::OperationId,
            None,
            None,
            theirs.id.clone().into(),
            mine.id.clone().into(),
            format!(
                "operationId `{}` upstream, `{}` here (the project's names its tool)",
                theirs.id.as_deref().unwrap_or("-"),
                mine.id.as_deref().unwrap_or("-")
            ),
        );
    }
    if theirs.scopes != mine.scopes {
        at.push(
            Level::Change,
            Kind::Scopes,
            None,
            None,
            set_json(&theirs.scopes),
            set_json(&mine.scopes),
            format!(
                "scopes: upstream needs {}, here {}",
                set_text(&theirs.scopes),
                set_text(&mine.scopes)
            ),
        );
    }
    compare_parameters(at, &theirs.parameters, &mine.parameters);
    compare_body(at, theirs, mine);
    compare_response(at, theirs, mine);
}

fn compare_parameters(
    at: &mut At<'_>,
    theirs: &BTreeMap<model::ParamKey, Field>,
    mine: &BTreeMap<model::ParamKey, Field>,
) {
    for ((location, name), field) in theirs {
        let subject = format!("{location} parameter `{name}`");
        match mine.get(&(location.clone(), name.clone())) {
            None => at.push(
                Level::Change,
                Kind::ParameterAdded,
                Some(&subject),
                None,
                field_json(field),
                Value::Null,
                format!("{subject} added upstream ({})", field_text(field)),
            ),
            Some(ours) => compare_field(at, Kind::ParameterChanged, &subject, field, ours),
        }
    }
    for ((location, name), field) in mine {
        if !theirs.contains_key(&(location.clone(), name.clone())) {
            let subject = format!("{location} parameter `{name}`");
            at.push(
                Level::Change,
                Kind::ParameterRemoved,
                Some(&subject),
                None,
                Value::Null,
                field_json(field),
                format!("{subject} removed upstream"),
            );
        }
    }
}

/// An input (parameter or body property) present on both sides.
fn compare_field(at: &mut At<'_>, kind: Kind, subject: &str, theirs: &Field, mine: &Field) {
    if theirs.required != mine.required {
        at.push(
            Level::Change,
            kind,
            Some(subject),
            Some("required"),
            theirs.required.into(),
            mine.required.into(),
            format!(
                "{subject}: {} upstream, {} here",
                required_text(theirs.required),
                required_text(mine.required)
            ),
        );
    }
    compare_shape(at, kind, subject, &theirs.shape, &mine.shape, true);
}

/// Kind, enum and bounds. Inputs must offer exactly upstream's values; outputs may know more.
fn compare_shape(
    at: &mut At<'_>,
    kind: Kind,
    subject: &str,
    theirs: &Shape,
    mine: &Shape,
    input: bool,
) {
    if !theirs.same_kind(mine) {
        at.push(
            Level::Change,
            kind,
            Some(subject),
            Some("type"),
            theirs.kind.clone().into(),
            mine.kind.clone().into(),
            format!("{subject}: {} upstream, {} here", theirs.kind, mine.kind),
        );
        return; // enum and bounds of another type say nothing more
    }
    match (&theirs.values, &mine.values) {
        (Some(up), Some(ours)) if up != ours => {
            let added: BTreeSet<_> = up.difference(ours).cloned().collect();
            let dropped: BTreeSet<_> = ours.difference(up).cloned().collect();
            let level = if added.is_empty() && !input {
                Level::Note
            } else {
                Level::Change
            };
            let mut parts = Vec::new();
            if !added.is_empty() {
                parts.push(format!("upstream adds {}", set_text(&added)));
            }
            if !dropped.is_empty() {
                parts.push(format!("only here: {}", set_text(&dropped)));
            }
            at.push(
                level,
                kind,
                Some(subject),
                Some("enum"),
                set_json(up),
                set_json(ours),
                format!("{subject}: values differ ({})", parts.join("; ")),
            );
        }
        (Some(up), None) => at.push(
            Level::Change,
            kind,
            Some(subject),
            Some("enum"),
            set_json(up),
            Value::Null,
            format!("{subject}: upstream allows only {}", set_text(up)),
        ),
        (None, Some(ours)) => at.push(
            Level::Note,
            kind,
            Some(subject),
            Some("enum"),
            Value::Null,
            set_json(ours),
            format!(
                "{subject}: values {} here, not listed upstream",
                set_text(ours)
            ),
        ),
        _ => {}
    }
    if !input {
        return; // bounds of answers do not change what a tool may send
    }
    for bound in model::BOUNDS {
        match (theirs.bounds.get(bound), mine.bounds.get(bound)) {
            (Some(up), ours) if Some(up) != ours => at.push(
                Level::Change,
                kind,
                Some(subject),
                Some(bound),
                up.clone(),
                ours.cloned().unwrap_or(Value::Null),
                format!(
                    "{subject}: {bound} {up} upstream, {} here",
                    ours.map_or("none".to_string(), Value::to_string)
                ),
            ),
            (None, Some(ours)) => at.push(
                Level::Note,
                kind,
                Some(subject),
                Some(bound),
                Value::Null,
                ours.clone(),
                format!("{subject}: {bound} {ours} here, none upstream"),
            ),
            _ => {}
        }
    }
}

fn compare_body(at: &mut At<'_>, theirs: &Operation, mine: &Operation) {
    let (up, ours) = match (&theirs.body, &mine.body) {
        (None, None) => return,
        (Some(_), None) => {
            at.push(
                Level::Change,
                Kind::BodyAdded,
                Some("request body"),
                None,
                Value::Null,
                Value::Null,
                "request body added upstream".into(),
            );
            return;
        }
        (None, Some(_)) => {
            at.push(
                Level::Change,
                Kind::BodyRemoved,
                Some("request body"),
                None,
                Value::Null,
                Value::Null,
                "request body removed upstream".into(),
            );
            return;
        }
        (Some(up), Some(ours)) => (up, ours),
    };
    if up.media_types != ours.media_types {
        at.push(
            Level::Change,
            Kind::BodyChanged,
            Some("request body"),
            Some("media type"),
            set_json(&up.media_types),
            set_json(&ours.media_types),
            format!(
                "request body: {} upstream, {} here",
                set_text(&up.media_types),
                set_text(&ours.media_types)
            ),
        );
    }
    for (name, field) in &up.properties {
        let subject = format!("body property `{name}`");
        match ours.properties.get(name) {
            None => at.push(
                Level::Change,
                Kind::BodyPropertyAdded,
                Some(&subject),
                None,
                field_json(field),
                Value::Null,
                format!("{subject} added upstream ({})", field_text(field)),
            ),
            Some(mine) => compare_field(at, Kind::BodyPropertyChanged, &subject, field, mine),
        }
    }
    for (name, field) in &ours.properties {
        if !up.properties.contains_key(name) {
            let subject = format!("body property `{name}`");
            at.push(
                Level::Change,
                Kind::BodyPropertyRemoved,
                Some(&subject),
                None,
                Value::Null,
                field_json(field),
                format!("{subject} removed upstream"),
            );
        }
    }
}

fn compare_response(at: &mut At<'_>, theirs: &Operation, mine: &Operation) {
    let subject = "success response";
    let (up, ours) = match (&theirs.response, &mine.response) {
        (None, None) => return,
        (Some(up), None) => {
            at.push(
                Level::Change,
                Kind::ResponseAdded,
                Some(subject),
                None,
                up.kind.clone().into(),
                Value::Null,
                format!("JSON success response ({}) added upstream", up.kind),
            );
            return;
        }
        (None, Some(ours)) => {
            at.push(
                Level::Change,
                Kind::ResponseRemoved,
                Some(subject),
                None,
                Value::Null,
                ours.kind.clone().into(),
                "JSON success response removed upstream".into(),
            );
            return;
        }
        (Some(up), Some(ours)) => (up, ours),
    };
    if up.kind != ours.kind {
        at.push(
            Level::Change,
            Kind::ResponseChanged,
            Some(subject),
            Some("type"),
            up.kind.clone().into(),
            ours.kind.clone().into(),
            format!("success response: {} upstream, {} here", up.kind, ours.kind),
        );
        return;
    }
    for (name, shape) in &up.properties {
        let subject = format!("response property `{name}`");
        match ours.properties.get(name) {
            None => at.push(
                Level::Change,
                Kind::ResponsePropertyAdded,
                Some(&subject),
                None,
                shape.kind.clone().into(),
                Value::Null,
                format!("{subject} added upstream ({})", shape.kind),
            ),
            Some(mine) => compare_shape(
                at,
                Kind::ResponsePropertyChanged,
                &subject,
                shape,
                mine,
                false,
            ),
        }
    }
    for (name, shape) in &ours.properties {
        if !up.properties.contains_key(name) {
            let subject = format!("response property `{name}`");
            at.push(
                Level::Note,
                Kind::ResponsePropertyRemoved,
                Some(&subject),
                None,
                Value::Null,
                shape.kind.clone().into(),
                format!("{subject} only here (not in upstream's schema)"),
            );
        }
    }
}

fn required_text(required: bool) -> &'static str {
    if required { "required" } else { "optional" }
}

fn field_text(field: &Field) -> String {
    format!("{}, {}", required_text(field.required), field.shape.kind)
}

fn field_json(field: &Field) -> Value {
    serde_json::json!({ "required": field.required, "shape": field.shape })
}

fn set_text(set: &BTreeSet<String>) -> String {
    if set.is_empty() {
        return "none".into();
    }
    set.iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn set_json(set: &BTreeSet<String>) -> Value {
    Value::Array(set.iter().cloned().map(Value::String).collect())
}
