//! Every `inputSchema` and `outputSchema` is a valid JSON Schema 2020-12 document, with no
//! OpenAPI-only keyword left behind.

use serde_json::Value;
use spotify_mcp::mcp::all_tools;

const OPENAPI_ONLY: [&str; 5] = [
    "nullable",
    "discriminator",
    "xml",
    "externalDocs",
    "example",
];

/// Keywords used as schema keywords (property names inside `properties` are data, not keywords).
fn openapi_leftovers(schema: &Value, at: &str, found: &mut Vec<String>) {
    match schema {
        Value::Object(object) => {
            for (key, value) in object {
                let here = format!("{at}/{key}");
                if key == "properties" || key == "$defs" {
                    for (name, sub) in value.as_object().into_iter().flatten() {
                        openapi_leftovers(sub, &format!("{here}/{name}"), found);
                    }
                    continue;
                }
                if OPENAPI_ONLY.contains(&key.as_str()) || key.starts_with("x-") {
                    found.push(here.clone());
                }
                if key == "format"
                    && matches!(value.as_str(), Some("int32" | "int64" | "byte" | "binary"))
                {
                    found.push(format!("{here}={value}"));
                }
                if (key == "exclusiveMinimum" || key == "exclusiveMaximum") && value.is_boolean() {
                    found.push(here.clone());
                }
                openapi_leftovers(value, &here, found);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                openapi_leftovers(item, &format!("{at}/{index}"), found);
            }
        }
        _ => {}
    }
}

fn check(tool: &str, kind: &str, text: &str, failures: &mut Vec<String>) {
    let schema: Value = match serde_json::from_str(text) {
        Ok(schema) => schema,
        Err(e) => return failures.push(format!("{tool} {kind}: not JSON: {e}")),
    };
    if schema["type"] != "object" {
        failures.push(format!(
            "{tool} {kind}: root type is {}, MCP requires object",
            schema["type"]
        ));
    }
    if let Err(error) = jsonschema::draft202012::meta::validate(&schema) {
        failures.push(format!(
            "{tool} {kind}: not valid against the 2020-12 meta-schema: {error}"
        ));
    }
    if let Err(error) = jsonschema::draft202012::new(&schema) {
        failures.push(format!("{tool} {kind}: does not compile: {error}"));
    }
    let mut leftovers = Vec::new();
    openapi_leftovers(&schema, "", &mut leftovers);
    if !leftovers.is_empty() {
        failures.push(format!(
            "{tool} {kind}: OpenAPI-only keywords at {leftovers:?}"
        ));
    }
}

#[test]
fn every_schema_validates_against_the_meta_schema() {
    let mut failures = Vec::new();
    let mut outputs = 0;
    for tool in all_tools() {
        check(tool.name, "inputSchema", tool.input_schema, &mut failures);
        if let Some(output) = tool.output_schema {
            outputs += 1;
            check(tool.name, "outputSchema", output, &mut failures);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        outputs > 50,
        "most tools answer with JSON and carry an outputSchema ({outputs})"
    );
}

#[test]
fn the_checker_catches_openapi_leftovers() {
    let probes = [
        (
            r#"{"type":"object","properties":{"a":{"type":"string","nullable":true}}}"#,
            "OpenAPI-only",
        ),
        (r#"{"type":"array"}"#, "MCP requires object"),
        (r#"{"type":"object","minProperties":"x"}"#, "meta-schema"),
        (
            r#"{"type":"object","properties":{"n":{"type":"integer","format":"int32"}}}"#,
            "format",
        ),
    ];
    for (schema, expected) in probes {
        let mut failures = Vec::new();
        check("probe", "inputSchema", schema, &mut failures);
        assert!(
            failures.iter().any(|f| f.contains(expected)),
            "{schema}: {failures:?}"
        );
    }
}
