//! What the spec-processing step does with each thing progenitor 0.15 cannot take, and that
//! progenitor then generates without panicking.

use codegen::{PrepareError, prepare};
use serde_json::{Value, json};

fn doc(path: &str, method: &str, operation: Value) -> Value {
    json!({
        "openapi": "3.0.3",
        "info": { "title": "t", "version": "1" },
        "paths": { path: { method: operation } },
        "components": { "schemas": {
            "Thing": { "type": "object", "properties": { "id": { "type": "string" } } },
            "Other": { "type": "object", "properties": { "n": { "type": "integer" } } },
            "Error": { "type": "object", "properties": { "message": { "type": "string" } } },
            "Problem": { "type": "object", "properties": { "detail": { "type": "string" } } }
        } }
    })
}

fn json_response(schema: &str) -> Value {
    json!({ "description": "d", "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } })
}

fn progenitor_generates(prepared: &codegen::Prepared) {
    let settings = progenitor::GenerationSettings::default();
    progenitor::Generator::new(&settings)
        .generate_tokens(&prepared.openapi)
        .expect("progenitor generates");
}

fn error_text(result: Result<codegen::Prepared, PrepareError>) -> String {
    match result {
        Ok(_) => panic!("expected the preparation to fail"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn bodiless_success_beside_a_typed_one_is_dropped_and_recorded() {
    let doc = doc(
        "/me/player",
        "get",
        json!({
            "operationId": "get-state",
            "responses": { "200": json_response("Thing"), "204": { "description": "nothing playing" } }
        }),
    );
    let prepared = prepare(&doc).unwrap();
    assert_eq!(
        prepared.adjustments["get-state"].empty_success_statuses,
        vec![204]
    );
    progenitor_generates(&prepared);
}

#[test]
fn several_error_shapes_become_one() {
    let doc = doc(
        "/me/library",
        "put",
        json!({
            "operationId": "save",
            "responses": {
                "200": { "description": "ok" },
                "400": json_response("Problem"),
                "401": json_response("Error"),
                "403": json_response("Error")
            }
        }),
    );
    let prepared = prepare(&doc).unwrap();
    let paths = serde_json::to_string(&prepared.openapi.paths).unwrap();
    assert!(
        !paths.contains("schemas/Problem"),
        "the rarer error shape is replaced: {paths}"
    );
    assert_eq!(paths.matches("schemas/Error").count(), 3, "{paths}");
    progenitor_generates(&prepared);
}

#[test]
fn image_body_is_sent_as_text_with_its_real_type_recorded() {
    let doc = doc(
        "/playlists/{id}/images",
        "put",
        json!({
            "operationId": "upload",
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
            "requestBody": { "content": { "image/jpeg": { "schema": { "type": "string", "format": "byte" } } } },
            "responses": { "202": { "description": "accepted" } }
        }),
    );
    let prepared = prepare(&doc).unwrap();
    assert_eq!(
        prepared.adjustments["upload"].body_content_type.as_deref(),
        Some("image/jpeg")
    );
    progenitor_generates(&prepared);
}

#[test]
fn unexploded_list_becomes_one_string_and_is_recorded() {
    let doc = doc(
        "/search",
        "get",
        json!({
            "operationId": "search",
            "parameters": [{ "name": "type", "in": "query", "required": true, "explode": false,
                             "schema": { "type": "array", "items": { "type": "string", "enum": ["album", "track"] } } }],
            "responses": { "200": json_response("Thing") }
        }),
    );
    let prepared = prepare(&doc).unwrap();
    assert_eq!(
        prepared.adjustments["search"].joined_query_params,
        vec!["type"]
    );
    let text = serde_json::to_string(&prepared.openapi).unwrap();
    assert!(text.contains(r#""schema":{"type":"string"}"#), "{text}");
    progenitor_generates(&prepared);
}

#[test]
fn nullable_ref_keeps_its_nullability() {
    let mut doc = doc(
        "/x",
        "get",
        json!({ "operationId": "x", "responses": { "200": json_response("Other") } }),
    );
    doc["components"]["schemas"]["Other"]["properties"]["thing"] =
        json!({ "$ref": "#/components/schemas/Thing", "nullable": true });
    let prepared = prepare(&doc).unwrap();
    let text = serde_json::to_string(&prepared.openapi).unwrap();
    assert!(
        text.contains(r##""allOf":[{"$ref":"#/components/schemas/Thing"}]"##),
        "{text}"
    );
    progenitor_generates(&prepared);
}

#[test]
fn exploded_list_is_refused_with_the_operation_named() {
    let doc = doc(
        "/several",
        "get",
        json!({
            "operationId": "get-several",
            "parameters": [{ "name": "ids", "in": "query", "schema": { "type": "array", "items": { "type": "string" } } }],
            "responses": { "200": json_response("Thing") }
        }),
    );
    let text = error_text(prepare(&doc));
    assert!(
        text.contains("get-several (GET /several)") && text.contains("explode: false"),
        "{text}"
    );
}

#[test]
fn two_typed_successes_are_refused_with_the_operation_named() {
    let doc = doc(
        "/x",
        "post",
        json!({
            "operationId": "make-x",
            "responses": { "200": json_response("Thing"), "201": json_response("Other") }
        }),
    );
    let text = error_text(prepare(&doc));
    assert!(
        text.contains("make-x (POST /x)") && text.contains("200, 201"),
        "{text}"
    );
}

#[test]
fn path_placeholder_without_parameter_is_refused() {
    let doc = doc(
        "/albums/{id}",
        "get",
        json!({ "operationId": "get-album", "responses": { "200": json_response("Thing") } }),
    );
    let text = error_text(prepare(&doc));
    assert!(
        text.contains("get-album (GET /albums/{id})") && text.contains("{id}"),
        "{text}"
    );
}

#[test]
fn unsupported_body_type_is_refused() {
    let doc = doc(
        "/x",
        "post",
        json!({
            "operationId": "upload-form",
            "requestBody": { "content": { "multipart/form-data": { "schema": { "type": "object" } } } },
            "responses": { "201": { "description": "ok" } }
        }),
    );
    let text = error_text(prepare(&doc));
    assert!(
        text.contains("upload-form") && text.contains("multipart/form-data"),
        "{text}"
    );
}

#[test]
fn missing_and_duplicate_operation_ids_are_refused() {
    let missing = doc(
        "/x",
        "get",
        json!({ "responses": { "200": json_response("Thing") } }),
    );
    assert!(error_text(prepare(&missing)).contains("GET /x"));
    let mut duplicate = doc(
        "/x",
        "get",
        json!({ "operationId": "same", "responses": { "200": json_response("Thing") } }),
    );
    duplicate["paths"]["/y"] =
        json!({ "get": { "operationId": "same", "responses": { "200": json_response("Thing") } } });
    assert!(error_text(prepare(&duplicate)).contains("`same`"));
}
