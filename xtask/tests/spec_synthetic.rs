//! `spec diff` and `spec sync` on upstream documents made here from the project's own spec with
//! one change each: every change shows up in the diff, sync applies it, the project's
//! descriptions and `x-mcp-*` keys survive, and the result still generates tools.

use serde_json::{Value, json};
use std::path::PathBuf;
use xtask::spec::{
    self,
    diff::{self, Difference, Kind, Level},
    sync::{self, Options},
};

fn spec_path() -> PathBuf {
    spec::default_spec()
}

fn project() -> Value {
    codegen::load(&spec_path()).unwrap()
}

fn changes(upstream: &Value, project: &Value) -> Vec<Difference> {
    diff::diff(upstream, project)
        .into_iter()
        .filter(|d| d.level == Level::Change)
        .collect()
}

/// Syncs a copy of the project's spec, writes and reads it back as YAML, and checks that
/// nothing is left to change and that codegen still takes it.
fn synced(upstream: &Value, options: Options) -> (Value, sync::Log) {
    let mut doc = project();
    let log = sync::sync(&mut doc, upstream, options);
    let text = spec::render(&doc, "");
    let back: Value = serde_yaml_ng::from_str(&text).unwrap();
    assert_eq!(back, doc, "the YAML written reads back the same");
    let left = changes(upstream, &back);
    assert!(left.is_empty(), "left after sync: {left:#?}");
    spec::generates(&back).unwrap_or_else(|e| panic!("synced spec does not generate: {e}"));
    (back, log)
}

fn op<'a>(doc: &'a Value, path: &str, method: &str) -> &'a Value {
    &doc["paths"][path][method]
}

fn op_mut<'a>(doc: &'a mut Value, path: &str, method: &str) -> &'a mut Value {
    &mut doc["paths"][path][method]
}

fn param<'a>(operation: &'a Value, name: &str) -> Option<&'a Value> {
    operation["parameters"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
}

/// The project's own keys of an operation: what sync must never lose.
fn extensions(operation: &Value) -> Vec<(String, Value)> {
    operation
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.starts_with("x-mcp-"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[test]
fn the_project_spec_equals_itself_and_is_written_back_byte_for_byte() {
    let doc = project();
    assert!(diff::diff(&doc, &doc).is_empty());
    let text = std::fs::read_to_string(spec_path()).unwrap();
    assert!(
        spec::render(&doc, &text) == text,
        "rendering the parsed spec must reproduce openapi/spotify.yaml exactly"
    );
}

#[test]
fn an_added_operation_is_imported_with_a_todo_and_without_upstream_prose() {
    let mut upstream = project();
    upstream["paths"]["/me/podcast-queue"] = json!({
        "get": {
            "operationId": "get-podcast-queue",
            "tags": ["Player"],
            "summary": "Get Podcast Queue",
            "description": "Upstream prose that must stay out.",
            "parameters": [
                { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 20 } },
                { "name": "ids", "in": "query", "required": true,
                  "schema": { "type": "array", "items": { "type": "string" } } }
            ],
            "responses": {
                "200": { "description": "Upstream response prose.", "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/PodcastQueue" } } } },
                "401": { "$ref": "#/components/responses/Unauthorized" },
                "429": { "description": "Too many.", "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/ErrorObject" } } } }
            },
            "security": [{ "oauth_2_0": ["user-read-playback-state"] }]
        }
    });
    upstream["components"]["schemas"]["PodcastQueue"] = json!({
        "allOf": [
            { "type": "object", "required": ["total"],
              "properties": { "total": { "type": "integer", "description": "Prose." } } },
            { "type": "object", "properties": { "episodes": { "type": "array",
                "items": { "$ref": "#/components/schemas/EpisodeObject" } } } }
        ]
    });

    let found = changes(&upstream, &project());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].kind, Kind::OperationAdded);
    assert_eq!(found[0].path, "/me/podcast-queue");

    let (doc, log) = synced(&upstream, Options::default());
    let added = op(&doc, "/me/podcast-queue", "get");
    assert_eq!(added["description"], sync::PLACEHOLDER);
    assert!(
        added["x-mcp-todo"]
            .as_str()
            .unwrap()
            .contains("write a description")
    );
    assert!(
        !doc.to_string().contains("Upstream prose"),
        "no upstream prose without the flag"
    );
    assert_eq!(
        param(added, "ids").unwrap()["explode"],
        false,
        "lists go out comma-separated"
    );
    assert_eq!(
        added["responses"]["429"],
        json!({ "$ref": "#/components/responses/TooManyRequests" }),
        "errors use the project's shared responses"
    );
    let queue = &doc["components"]["schemas"]["PodcastQueue"];
    assert!(queue.get("allOf").is_none(), "allOf is flattened: {queue}");
    assert!(
        queue.get("required").is_none(),
        "answers never require fields: {queue}"
    );
    assert!(queue["properties"]["total"].get("description").is_none());
    let answer = &added["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(
        answer,
        &json!({ "$ref": "#/components/schemas/PodcastQueue" })
    );
    assert!(log.todos.contains("GET /me/podcast-queue"));

    let (kept, _) = synced(
        &upstream,
        Options {
            keep_upstream_text: true,
        },
    );
    let added = op(&kept, "/me/podcast-queue", "get");
    assert_eq!(added["description"], "Upstream prose that must stay out.");
    assert_eq!(added["summary"], "Get Podcast Queue");
}

#[test]
fn a_removed_operation_is_marked_deprecated_and_keeps_its_description() {
    let mut upstream = project();
    upstream["paths"]["/albums/{id}"]
        .as_object_mut()
        .unwrap()
        .shift_remove("get");
    let found = changes(&upstream, &project());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].kind, Kind::OperationRemoved);

    let before = project();
    let (doc, _) = synced(&upstream, Options::default());
    let (old, new) = (
        op(&before, "/albums/{id}", "get"),
        op(&doc, "/albums/{id}", "get"),
    );
    assert_eq!(new["deprecated"], true);
    assert_eq!(new["description"], old["description"]);
    assert_eq!(extensions(new), extensions(old));
    // Kept as deprecated, it is a note from now on.
    let notes: Vec<_> = diff::diff(&upstream, &doc)
        .into_iter()
        .filter(|d| d.kind == Kind::OperationRemoved)
        .collect();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].level, Level::Note);
}

#[test]
fn a_renamed_parameter_is_replaced_and_the_other_descriptions_stay() {
    let mut upstream = project();
    let search = op_mut(&mut upstream, "/search", "get");
    let market = search["parameters"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["name"] == "market")
        .unwrap();
    market["name"] = json!("country");
    market["description"] = json!("Upstream words for the country.");

    let found = changes(&upstream, &project());
    let kinds: Vec<Kind> = found.iter().map(|d| d.kind).collect();
    assert_eq!(
        kinds,
        [Kind::ParameterAdded, Kind::ParameterRemoved],
        "{found:#?}"
    );

    let before = project();
    let (doc, _) = synced(&upstream, Options::default());
    let (old, new) = (op(&before, "/search", "get"), op(&doc, "/search", "get"));
    assert!(param(new, "market").is_none());
    let country = param(new, "country").unwrap();
    assert!(country.get("description").is_none(), "{country}");
    assert!(new["x-mcp-todo"].as_str().unwrap().contains("`country`"));
    assert_eq!(
        param(new, "q"),
        param(old, "q"),
        "untouched parameters stay as written"
    );
    assert_eq!(new["description"], old["description"]);
    assert_eq!(
        extensions(new)
            .into_iter()
            .filter(|(k, _)| k != "x-mcp-todo")
            .collect::<Vec<_>>(),
        extensions(old)
    );
}

#[test]
fn a_new_enum_value_is_added_to_the_list_parameter() {
    let mut upstream = project();
    let search = op_mut(&mut upstream, "/search", "get");
    let kind = search["parameters"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["name"] == "type")
        .unwrap();
    kind["schema"]["items"]["enum"]
        .as_array_mut()
        .unwrap()
        .push(json!("podcast"));

    let found = changes(&upstream, &project());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].kind, Kind::ParameterChanged);
    assert_eq!(found[0].aspect.as_deref(), Some("enum"));
    assert!(found[0].message.contains("podcast"), "{}", found[0].message);

    let before = project();
    let (doc, _) = synced(&upstream, Options::default());
    let (old, new) = (
        param(op(&before, "/search", "get"), "type").unwrap(),
        param(op(&doc, "/search", "get"), "type").unwrap(),
    );
    assert!(
        new["schema"]["items"]["enum"]
            .as_array()
            .unwrap()
            .contains(&json!("podcast"))
    );
    assert_eq!(new["description"], old["description"]);
    assert_eq!(new["explode"], false);
}

#[test]
fn a_newly_deprecated_route_is_marked_and_keeps_its_extensions() {
    let mut upstream = project();
    op_mut(&mut upstream, "/albums/{id}/tracks", "get")["deprecated"] = json!(true);
    let found = changes(&upstream, &project());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].kind, Kind::Deprecated);

    let before = project();
    let (doc, _) = synced(&upstream, Options::default());
    let (old, new) = (
        op(&before, "/albums/{id}/tracks", "get"),
        op(&doc, "/albums/{id}/tracks", "get"),
    );
    assert_eq!(new["deprecated"], true);
    assert_eq!(new["description"], old["description"]);
    assert_eq!(extensions(new), extensions(old));
    let keys: Vec<&String> = new.as_object().unwrap().keys().collect();
    let at = keys.iter().position(|k| *k == "deprecated").unwrap();
    assert_eq!(
        keys[at - 1],
        "description",
        "placed where the project puts it: {keys:?}"
    );
}

#[test]
fn project_conventions_are_not_differences() {
    let mut upstream = project();
    // Upstream writes comma-separated lists as strings and leaves offsets unbounded.
    let albums = op_mut(&mut upstream, "/albums", "get");
    let ids = albums["parameters"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["name"] == "ids")
        .unwrap();
    *ids = json!({ "name": "ids", "in": "query", "required": true,
        "schema": { "type": "string", "description": "A comma-separated list." } });
    let tracks = op_mut(&mut upstream, "/albums/{id}/tracks", "get");
    for p in tracks["parameters"].as_array_mut().unwrap() {
        if p["name"] == "offset" {
            p["schema"].as_object_mut().unwrap().shift_remove("minimum");
        }
    }
    // And words its descriptions its own way.
    op_mut(&mut upstream, "/search", "get")["description"] = json!("Other words.");

    let all = diff::diff(&upstream, &project());
    assert!(all.iter().all(|d| d.level == Level::Note), "{all:#?}");
    assert!(
        all.iter()
            .any(|d| d.aspect.as_deref() == Some("minimum") && d.path == "/albums/{id}/tracks")
    );
    let mut doc = project();
    sync::sync(&mut doc, &upstream, Options::default());
    let text = std::fs::read_to_string(spec_path()).unwrap();
    assert!(spec::render(&doc, &text) == text, "sync changed nothing");
}

#[test]
fn bounds_and_scopes_upstream_states_are_changes() {
    let mut upstream = project();
    let search = op_mut(&mut upstream, "/search", "get");
    for p in search["parameters"].as_array_mut().unwrap() {
        if p["name"] == "limit" {
            p["schema"]["maximum"] = json!(20);
        }
    }
    op_mut(&mut upstream, "/me", "get")["security"] =
        json!([{ "oauth_2_0": ["user-read-private"] }]);
    let aspects: Vec<Option<String>> = changes(&upstream, &project())
        .into_iter()
        .map(|d| d.aspect.or(Some(format!("{:?}", d.kind))))
        .collect();
    assert_eq!(
        aspects,
        [Some("maximum".to_string()), Some("Scopes".to_string())]
    );
    let (doc, _) = synced(&upstream, Options::default());
    let limit = param(op(&doc, "/search", "get"), "limit").unwrap();
    assert_eq!(limit["schema"]["maximum"], 20);
}

fn xtask(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn exit_status_says_same_differs_or_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec_path();
    let spec = spec.to_str().unwrap();
    let same = xtask(&["spec", "diff", "--upstream", spec, "--spec", spec]);
    assert_eq!(same.status.code(), Some(0), "{same:?}");

    let mut upstream = project();
    op_mut(&mut upstream, "/albums/{id}/tracks", "get")["deprecated"] = json!(true);
    let changed = dir.path().join("upstream.json");
    std::fs::write(&changed, upstream.to_string()).unwrap();
    let changed = changed.to_str().unwrap();
    let differs = xtask(&["spec", "diff", "--upstream", changed, "--spec", spec]);
    assert_eq!(differs.status.code(), Some(1), "{differs:?}");
    let text = String::from_utf8(differs.stdout).unwrap();
    assert!(
        text.contains("## Albums") && text.contains("newly deprecated"),
        "{text}"
    );

    let json = xtask(&[
        "spec",
        "diff",
        "--json",
        "--upstream",
        changed,
        "--spec",
        spec,
    ]);
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["changes"], 1);
    assert_eq!(report["differences"][0]["kind"], "deprecated");

    let missing = dir.path().join("missing.yaml");
    let unreadable = xtask(&["spec", "diff", "--upstream", missing.to_str().unwrap()]);
    assert_eq!(unreadable.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unreadable.stderr).contains("missing.yaml"));
    let garbage = dir.path().join("garbage.yaml");
    std::fs::write(&garbage, "openapi: [").unwrap();
    let bad = xtask(&["spec", "diff", "--upstream", garbage.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
}
