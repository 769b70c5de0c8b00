//! The project's spec covers the whole Web API: every operation of the reference spec is in
//! `openapi/spotify.yaml` with the same method, path, deprecation flag, parameters (name,
//! location, required) and request-body property names.

use crate::common;

use codegen::spec;
use serde_json::Value;
use std::collections::BTreeSet;

fn ours() -> Value {
    codegen::load(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi/spotify.yaml"),
    )
    .unwrap()
}

fn params(doc: &Value, op: &spec::OperationRef<'_>) -> BTreeSet<(String, String, bool)> {
    spec::parameters(doc, op)
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["in"].as_str().unwrap().to_string(),
                p["required"] == true,
            )
        })
        .collect()
}

fn body_properties(doc: &Value, operation: &Value) -> BTreeSet<String> {
    let Some(body) = operation
        .get("requestBody")
        .and_then(|b| spec::deref(doc, b))
    else {
        return BTreeSet::new();
    };
    let Some(schema) = body
        .pointer("/content/application~1json/schema")
        .and_then(|s| spec::deref(doc, s))
    else {
        return BTreeSet::new();
    };
    schema["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

fn differences(reference: &Value, ours: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for theirs in spec::operations(reference) {
        let label = theirs.label();
        let Some(mine) = spec::operations(ours)
            .into_iter()
            .find(|o| o.path == theirs.path && o.method == theirs.method)
        else {
            problems.push(format!("{label}: missing"));
            continue;
        };
        let deprecated = |op: &spec::OperationRef<'_>| op.operation["deprecated"] == true;
        if deprecated(&theirs) != deprecated(&mine) {
            problems.push(format!(
                "{label}: deprecated {} here, {} in the reference",
                deprecated(&mine),
                deprecated(&theirs)
            ));
        }
        if theirs.operation["operationId"] != mine.operation["operationId"] {
            problems.push(format!(
                "{label}: operationId {} here",
                mine.operation["operationId"]
            ));
        }
        let (p_theirs, p_mine) = (params(reference, &theirs), params(ours, &mine));
        if p_theirs != p_mine {
            problems.push(format!(
                "{label}: parameters differ: reference {p_theirs:?}, ours {p_mine:?}"
            ));
        }
        let (b_theirs, b_mine) = (
            body_properties(reference, theirs.operation),
            body_properties(ours, mine.operation),
        );
        if b_theirs != b_mine {
            problems.push(format!(
                "{label}: body properties differ: reference {b_theirs:?}, ours {b_mine:?}"
            ));
        }
    }
    problems
}

#[test]
fn every_reference_operation_is_covered() {
    let Some(reference) = common::reference::load("fixed.yaml") else {
        return;
    };
    let ours = ours();
    let problems = differences(&reference, &ours);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let theirs = spec::operations(&reference).len();
    assert!(theirs > 0, "the reference was read");
    assert_eq!(
        spec::operations(&ours).len(),
        theirs,
        "every operation here is in the reference too"
    );
    assert_eq!(
        spotify_mcp::mcp::all_tools().len(),
        theirs,
        "one tool per operation"
    );
}

#[test]
fn the_oracle_notices_a_missing_parameter() {
    let Some(reference) = common::reference::load("fixed.yaml") else {
        return;
    };
    let mut ours = ours();
    let search = ours
        .pointer_mut("/paths/~1search/get/parameters")
        .unwrap()
        .as_array_mut()
        .unwrap();
    search.retain(|p| p["name"] != "market");
    let problems = differences(&reference, &ours);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("search (GET /search): parameters differ"),
        "{problems:?}"
    );
}
