//! Table-driven over every tool: arguments built from its input schema reach the fake Spotify
//! as the method, path, query string and body the spec prescribes, and the answer comes back as
//! `structuredContent` that conforms to the tool's `outputSchema`.

use crate::common;

use common::fake_spotify::Canned;
use common::samples;
use serde_json::{Map, Value, json};
use spotify_mcp::mcp::all_tools;
use std::collections::BTreeSet;

fn spec() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/spotify.yaml"))
            .unwrap();
    serde_yaml_ng::from_str(&text).unwrap()
}

fn deref<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(reference) => spec
            .pointer(reference.trim_start_matches('#'))
            .expect("ref resolves"),
        None => value,
    }
}

fn as_query_text(value: &Value) -> String {
    match value {
        Value::Array(items) => items
            .iter()
            .map(as_query_text)
            .collect::<Vec<_>>()
            .join(","),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// What the spec says the request for these arguments must look like.
struct Expected {
    path: String,
    query: BTreeSet<(String, String)>,
    json_body: Option<Value>,
    raw_body: Option<(String, String)>,
}

fn expected(spec: &Value, method: &str, path: &str, args: &Value) -> (Expected, Option<u16>) {
    let operation = &spec["paths"][path][method.to_lowercase()];
    assert!(operation.is_object(), "{method} {path} is in the spec");
    let mut request_path = format!("/v1{path}");
    let mut query = BTreeSet::new();
    let mut param_names = BTreeSet::new();
    for param in operation["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| deref(spec, p))
    {
        let name = param["name"].as_str().unwrap();
        // An omitted parameter is not a tool argument; the body's property keeps its name.
        if param["x-mcp-omit"] == true {
            continue;
        }
        param_names.insert(name.to_string());
        let Some(value) = args.get(name) else {
            continue;
        };
        match param["in"].as_str().unwrap() {
            "path" => {
                request_path = request_path.replace(&format!("{{{name}}}"), &as_query_text(value))
            }
            "query" => {
                query.insert((name.to_string(), as_query_text(value)));
            }
            other => panic!("unexpected parameter location {other}"),
        }
    }
    let body = operation.get("requestBody").map(|b| deref(spec, b));
    let mut json_body = None;
    let mut raw_body = None;
    if let Some(body) = body {
        let content = body["content"].as_object().unwrap();
        if let Some(media) = content.get("application/json") {
            let schema = deref(spec, &media["schema"]);
            let mut object = Map::new();
            for property in schema["properties"].as_object().unwrap().keys() {
                let input = if param_names.contains(property) {
                    format!("body_{property}")
                } else {
                    property.clone()
                };
                if let Some(value) = args.get(&input) {
                    object.insert(property.clone(), value.clone());
                }
            }
            json_body = Some(Value::Object(object));
        } else {
            let (media_type, _) = content.iter().next().unwrap();
            raw_body = Some((
                media_type.clone(),
                args["image_base64"].as_str().unwrap().to_string(),
            ));
        }
    }
    let success_status = operation["responses"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|s| s.starts_with('2'))
        .filter_map(|s| s.parse().ok())
        .min();
    (
        Expected {
            path: request_path,
            query,
            json_body,
            raw_body,
        },
        success_status,
    )
}

#[tokio::test]
async fn every_tool_sends_the_request_the_spec_describes() {
    let spec = spec();
    let (fake, client) = common::setup().await;
    let tools = client.list_all_tools().await.expect("tools/list");
    assert_eq!(
        tools.len(),
        all_tools().len(),
        "the test server lists deprecated tools too"
    );
    let mut failures = Vec::new();

    for def in all_tools() {
        let tool = tools.iter().find(|t| t.name == def.name).expect("listed");
        let mut args = samples::arguments(&Value::Object((*tool.input_schema).clone()));
        // The server's own arguments, not Spotify's: covered by the pagination and projection tests.
        for own in ["fields", "all_pages", "max_items"] {
            // Playlist reads have a `fields` of Spotify's own (a string); ours is a list.
            let ours = own != "fields"
                || tool
                    .input_schema
                    .get("properties")
                    .and_then(|p| p.get("fields"))
                    .and_then(|f| f.get("type"))
                    == Some(&json!("array"));
            if ours {
                args.as_object_mut().unwrap().remove(own);
            }
        }
        let (want, success_status) =
            expected(&spec, def.operation.method, def.operation.path, &args);
        let output_schema = tool
            .output_schema
            .as_ref()
            .map(|s| Value::Object((**s).clone()));
        // Spotify's full answer, every field the spec has (projection trims it on the way back).
        let operation = &spec["paths"][def.operation.path][def.operation.method.to_lowercase()];
        let (response, wrap) = codegen::tools::response_schema(&spec, operation).unwrap();
        let answer = match &response {
            Some(schema) => {
                let inner = match wrap {
                    Some(key) => &schema["properties"][key],
                    None => schema,
                };
                Canned::json(
                    success_status.unwrap_or(200),
                    samples::full(inner, schema, 12),
                )
            }
            None => Canned::empty(success_status.unwrap_or(204)),
        };
        fake.respond_once(answer);
        let result = common::call(&client, def.name, args.clone())
            .await
            .expect("tools/call answers");
        let requests = fake.take_requests();
        let mut problems = Vec::new();
        if result.is_error == Some(true) {
            problems.push(format!("isError: {}", common::text(&result)));
        }
        match requests.as_slice() {
            [request] => {
                if request.method != def.operation.method {
                    problems.push(format!(
                        "method {} != {}",
                        request.method, def.operation.method
                    ));
                }
                if request.path != want.path {
                    problems.push(format!("path {} != {}", request.path, want.path));
                }
                let query: BTreeSet<_> = request.query.iter().cloned().collect();
                if query != want.query {
                    problems.push(format!("query {query:?} != {:?}", want.query));
                }
                if let Some(body) = &want.json_body
                    && request.json_body().as_ref() != Some(body)
                {
                    problems.push(format!("body {:?} != {body}", request.json_body()));
                }
                if let Some((media_type, text)) = &want.raw_body {
                    if request.header("content-type").as_deref() != Some(media_type.as_str()) {
                        problems.push(format!(
                            "content-type {:?} != {media_type}",
                            request.header("content-type")
                        ));
                    }
                    if request.body != text.as_bytes() {
                        problems.push("raw body differs".into());
                    }
                }
                if request.header("authorization").as_deref() != Some("Bearer test-token") {
                    problems.push("no bearer token".into());
                }
                if request.header("api-version").is_some() {
                    problems.push("sent progenitor's api-version header".into());
                }
            }
            other => problems.push(format!("{} requests reached the fake", other.len())),
        }
        if let (Some(schema), false) = (&output_schema, result.is_error == Some(true)) {
            match &result.structured_content {
                None => problems.push("no structuredContent".into()),
                Some(content) => {
                    let validator =
                        jsonschema::draft202012::new(schema).expect("output schema compiles");
                    let errors: Vec<String> = validator
                        .iter_errors(content)
                        .map(|e| e.to_string())
                        .collect();
                    if !errors.is_empty() {
                        problems.push(format!("structuredContent does not conform: {errors:?}"));
                    }
                }
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{} ({} {}) with {args}: {}",
                def.name,
                def.operation.method,
                def.operation.path,
                problems.join("; ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} tools failed:\n{}",
        failures.len(),
        all_tools().len(),
        failures.join("\n")
    );
}
