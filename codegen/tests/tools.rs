//! Tool derivation: names, merged input schemas, wrapped outputs, and refusal of bad names.

use codegen::{derive_tools, prepare};
use serde_json::{Value, json};

fn doc(operation: Value) -> Value {
    json!({
        "openapi": "3.0.3",
        "info": { "title": "t", "version": "1" },
        "paths": { "/playlists/{playlist_id}/items": { "put": operation } },
        "components": { "schemas": {} }
    })
}

fn tools(doc: &Value) -> Result<Vec<codegen::Tool>, String> {
    let prepared = prepare(doc).map_err(|e| e.to_string())?;
    derive_tools(doc, &prepared.adjustments).map_err(|e| e.to_string())
}

fn replace_items() -> Value {
    json!({
        "operationId": "reorder-or-replace-playlists-items",
        "x-mcp-name": "replace_playlist_items",
        "summary": "Replace Items",
        "description": "Replaces the items.",
        "security": [{ "oauth_2_0": ["playlist-modify-public", "playlist-modify-private"] }],
        "parameters": [
            { "name": "playlist_id", "in": "path", "required": true, "schema": { "type": "string" } },
            { "name": "uris", "in": "query", "explode": false, "schema": { "type": "array", "items": { "type": "string" }, "maxItems": 100 } }
        ],
        "requestBody": { "required": true, "content": { "application/json": { "schema": {
            "type": "object", "required": ["range_start"],
            "properties": {
                "uris": { "type": "array", "items": { "type": "string" } },
                "range_start": { "type": "integer", "format": "int32", "nullable": true }
            }
        } } } },
        "responses": { "200": { "description": "ok", "content": { "application/json": { "schema": {
            "type": "array", "items": { "type": "boolean" } } } } } }
    })
}

#[test]
fn parameters_and_body_merge_into_one_input_schema() {
    let tools = tools(&doc(replace_items())).unwrap();
    let tool = &tools[0];
    assert_eq!(tool.name, "replace_playlist_items");
    let input = &tool.input_schema;
    assert_eq!(input["required"], json!(["playlist_id", "range_start"]));
    assert_eq!(
        input["properties"]["uris"]["maxItems"], 100,
        "the query list keeps its bound"
    );
    assert!(
        input["properties"]["body_uris"].is_object(),
        "the body's `uris` is renamed beside the query's"
    );
    assert_eq!(
        input["properties"]["range_start"]["type"],
        json!(["integer", "null"]),
        "nullable becomes a type list"
    );
    assert!(input["properties"]["range_start"].get("format").is_none());
    assert!(
        input.get("additionalProperties").is_none(),
        "the instructions say once that unknown arguments are refused"
    );
    assert_eq!(
        tool.scopes,
        ["playlist-modify-private", "playlist-modify-public"],
        "scopes are recorded for the catalog's scope check"
    );
    assert!(
        !tool.description.contains("playlist-modify"),
        "the description leaves scopes out: the catalog hides tools the login cannot use"
    );
    assert!(tool.annotations.idempotent && !tool.annotations.read_only);
}

#[test]
fn array_answers_are_wrapped_in_an_object() {
    let tools = tools(&doc(replace_items())).unwrap();
    let output = tools[0].output_schema.as_ref().unwrap();
    assert_eq!(output["type"], "object");
    assert_eq!(output["properties"]["items"]["type"], "array");
    assert_eq!(tools[0].output_wrap.as_deref(), Some("items"));
}

#[test]
fn name_defaults_to_snake_case_operation_id() {
    let mut operation = replace_items();
    operation.as_object_mut().unwrap().remove("x-mcp-name");
    assert_eq!(
        tools(&doc(operation)).unwrap()[0].name,
        "reorder_or_replace_playlists_items"
    );
}

#[test]
fn invalid_tool_names_are_refused_with_the_operation_named() {
    let mut operation = replace_items();
    operation["x-mcp-name"] = json!("Replace Items!");
    let error = tools(&doc(operation)).unwrap_err();
    assert!(
        error.contains("reorder-or-replace-playlists-items") && error.contains("a-z"),
        "{error}"
    );
    let mut long = replace_items();
    long["x-mcp-name"] = json!("x".repeat(65));
    assert!(tools(&doc(long)).unwrap_err().contains("1-64"));
}

#[test]
fn replaced_by_must_name_an_operation() {
    let mut operation = replace_items();
    operation["deprecated"] = json!(true);
    operation["x-mcp-replaced-by"] = json!("no-such-operation");
    assert!(
        tools(&doc(operation))
            .unwrap_err()
            .contains("no-such-operation")
    );
}

#[test]
fn unknown_extensions_and_cache_classes_are_refused() {
    let mut typo = replace_items();
    typo["x-mcp-premiun"] = json!(true);
    assert!(
        tools(&doc(typo))
            .unwrap_err()
            .contains("unknown extension `x-mcp-premiun`")
    );
    let mut cache = replace_items();
    cache["x-mcp-cache"] = json!("forever");
    assert!(
        tools(&doc(cache))
            .unwrap_err()
            .contains("`x-mcp-cache: forever`")
    );
}

#[test]
fn omitted_parameter_leaves_the_tool_and_frees_its_name_for_the_body() {
    let mut operation = replace_items();
    operation["parameters"][1]["x-mcp-omit"] = json!(true);
    let tools = tools(&doc(operation)).unwrap();
    let input = &tools[0].input_schema;
    assert!(input["properties"].get("body_uris").is_none());
    assert!(
        input["properties"]["uris"].get("maxItems").is_none(),
        "`uris` is now the body's list, not the query's"
    );
    let query = tools[0].args.iter().find(|a| a.name == "uris").unwrap();
    assert!(
        query.omitted,
        "dispatch passes None for the omitted query list"
    );
}

#[test]
fn required_parameter_cannot_be_omitted() {
    let mut operation = replace_items();
    operation["parameters"][0]["x-mcp-omit"] = json!(true);
    let error = tools(&doc(operation)).unwrap_err();
    assert!(
        error.contains("playlist_id") && error.contains("x-mcp-omit"),
        "{error}"
    );
}

#[test]
fn common_arguments_lose_their_per_tool_description() {
    let mut operation = replace_items();
    operation["parameters"][0]["description"] = json!("The playlist.");
    operation["parameters"][1]["description"] = json!("URIs in the query.");
    let mut document = doc(operation);
    document["x-mcp-common-arguments"] =
        json!({ "playlist_id": "the Spotify ID of the playlist." });
    let tools = tools(&document).unwrap();
    let properties = &tools[0].input_schema["properties"];
    assert!(properties["playlist_id"].get("description").is_none());
    assert_eq!(properties["uris"]["description"], "URIs in the query.");
    let notes = codegen::tools::common_arguments(&document).unwrap();
    assert_eq!(
        notes,
        [(
            "playlist_id".to_string(),
            "the Spotify ID of the playlist.".to_string()
        )]
    );
}

#[test]
fn common_arguments_must_be_text() {
    let mut document = doc(replace_items());
    document["x-mcp-common-arguments"] = json!({ "market": 3 });
    let error = tools(&document).unwrap_err();
    assert!(error.contains("x-mcp-common-arguments"), "{error}");
}

fn with_id_shapes(mut doc: Value) -> Value {
    doc["x-mcp-id-shapes"] = json!({ "base62": { "pattern": "^[0-9A-Za-z]{22}$", "description": "22 letters and digits" } });
    doc
}

#[test]
fn id_arguments_name_their_shape_and_stay_out_of_the_schema() {
    let mut operation = replace_items();
    operation["parameters"][0]["x-mcp-id"] = json!("base62");
    let tools = tools(&with_id_shapes(doc(operation))).unwrap();
    assert_eq!(
        tools[0].id_arguments,
        vec![("playlist_id".to_string(), "base62".to_string())]
    );
    let schema = tools[0].input_schema.to_string();
    assert!(
        !schema.contains("x-mcp-id") && !schema.contains("pattern"),
        "{schema}"
    );
}

#[test]
fn a_path_parameter_without_a_shape_is_refused_once_shapes_exist() {
    let error = tools(&with_id_shapes(doc(replace_items()))).unwrap_err();
    assert!(
        error.contains("playlist_id") && error.contains("x-mcp-id"),
        "{error}"
    );
    let mut operation = replace_items();
    operation["parameters"][0]["x-mcp-id"] = json!("albm");
    let error = tools(&with_id_shapes(doc(operation))).unwrap_err();
    assert!(error.contains("albm"), "{error}");
    // A document without shapes (Spotify's own) still generates.
    assert!(tools(&doc(replace_items())).is_ok());
}

#[test]
fn a_path_parameter_of_plain_words_needs_no_shape() {
    let mut operation = replace_items();
    operation["parameters"][0]["schema"] =
        json!({ "type": "string", "enum": ["artists", "tracks"] });
    assert!(tools(&with_id_shapes(doc(operation.clone()))).is_ok());
    // A value that could leave its path segment still needs a shape.
    operation["parameters"][0]["schema"] =
        json!({ "type": "string", "enum": ["artists", "../me"] });
    let error = tools(&with_id_shapes(doc(operation))).unwrap_err();
    assert!(error.contains("x-mcp-id"), "{error}");
}

/// A page of tracks and episodes, each track with its album, under `x-mcp-projection` rules.
fn listing_doc() -> Value {
    let kind = |k: &str| json!({ "type": "string", "enum": [k] });
    let mut doc = doc(json!({
        "operationId": "get-items",
        "description": "Items.",
        "parameters": [{ "name": "playlist_id", "in": "path", "required": true, "schema": { "type": "string" } }],
        "responses": { "200": { "description": "ok", "content": { "application/json": { "schema": {
            "$ref": "#/components/schemas/Page" } } } } }
    }));
    doc["x-mcp-projection"] = json!({
        "list-items": { "track": ["id", "name", "album"], "episode": ["id", "name"], "album": ["id", "name", "label"] },
        "inside-list-items": ["id", "name"],
        "entry-drop": ["added_at"],
        "named-in-entries": ["name"],
        "drop-beside-id": ["uri"],
        "usual-values": { "type": "track" }
    });
    doc["components"]["schemas"] = json!({
        "Album": { "type": "object", "properties": {
            "id": { "type": "string" }, "name": { "type": "string" }, "label": { "type": "string" }, "type": kind("album"),
            "uri": { "type": "string" }, "copyrights": { "type": "array", "items": { "$ref": "#/components/schemas/Copyright" } } } },
        "Copyright": { "type": "object", "properties": { "text": { "type": "string" }, "type": { "type": "string" } } },
        "Context": { "type": "object", "properties": { "type": { "type": "string" }, "uri": { "type": "string" } } },
        "Saved": { "type": "object", "properties": {
            "added_at": { "type": "string" }, "track": { "$ref": "#/components/schemas/Track" },
            "context": { "$ref": "#/components/schemas/Context" } } },
        "Track": { "type": "object", "properties": {
            "id": { "type": "string" }, "name": { "type": "string" }, "popularity": { "type": "integer" },
            "album": { "$ref": "#/components/schemas/Album" }, "type": kind("track") } },
        "Episode": { "type": "object", "properties": {
            "id": { "type": "string" }, "name": { "type": "string" }, "type": kind("episode") } },
        "Page": { "type": "object", "properties": {
            "tracks": { "type": "array", "items": { "$ref": "#/components/schemas/Track" } },
            "mixed": { "type": "array", "items": { "oneOf": [
                { "$ref": "#/components/schemas/Track" }, { "$ref": "#/components/schemas/Episode" } ] } },
            "saved": { "type": "array", "items": { "$ref": "#/components/schemas/Saved" } },
            "album": { "$ref": "#/components/schemas/Album" } } }
    });
    doc
}

#[test]
fn list_items_keep_what_their_kind_names_and_fields_keep_the_rich_schema() {
    let tool = tools(&listing_doc()).unwrap().remove(0);
    let lean = tool.output_schema.unwrap();
    let defs = &lean["$defs"];
    let properties = |name: &str| -> Vec<String> {
        let mut names: Vec<String> = defs[name]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("no {name} in {defs}"))
            .keys()
            .cloned()
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        lean["properties"]["tracks"]["items"]["$ref"],
        "#/$defs/TrackInList"
    );
    assert_eq!(properties("TrackInList"), ["album", "id", "name"]);
    assert_eq!(
        properties("AlbumInItem"),
        ["id", "name"],
        "a listed track's album keeps inside-list-items, not its own list-items"
    );
    assert_eq!(
        properties("TrackInListTyped"),
        ["album", "id", "name", "type"],
        "a list of several kinds keeps `type`"
    );
    let episode = lean["properties"]["mixed"]["items"]["anyOf"][1]["$ref"]
        .as_str()
        .unwrap()
        .trim_start_matches("#/$defs/");
    assert_eq!(
        properties(episode),
        ["id", "name", "type"],
        "an episode trims nothing here, so it keeps its definition's name: {episode}"
    );
    assert_eq!(
        lean["properties"]["album"]["$ref"], "#/$defs/Album",
        "an object outside any list stays whole"
    );
    assert_eq!(
        properties("Album"),
        ["copyrights", "id", "label", "name", "type"],
        "an object with an id leaves out its `uri`"
    );
    let rich = tool.rich_output_schema.expect("kept for `fields`");
    assert_eq!(
        rich["properties"]["tracks"]["items"]["$ref"],
        "#/$defs/Track"
    );
    assert!(rich["$defs"]["Track"]["properties"]["popularity"].is_object());
    assert!(rich["$defs"]["Saved"]["properties"]["added_at"].is_object());
    assert!(
        rich["$defs"]["Album"]["properties"]["uri"].is_object(),
        "`fields` can still ask for a `uri`"
    );
    assert_eq!(
        properties("TrackInListTyped")
            .iter()
            .map(|p| defs["TrackInListTyped"]["properties"][p]["default"].clone())
            .filter(|d| !d.is_null())
            .collect::<Vec<_>>(),
        [json!("track")],
        "a track's `type` takes its usual value"
    );
    assert!(
        rich["$defs"]["Copyright"]["properties"]["type"]
            .get("default")
            .is_none(),
        "a string's usual value needs an enum listing it"
    );
}

#[test]
fn entries_leave_out_entry_drop_and_name_what_their_item_holds() {
    let tool = tools(&listing_doc()).unwrap().remove(0);
    let lean = tool.output_schema.unwrap();
    let defs = &lean["$defs"];
    let entry = lean["properties"]["saved"]["items"]["$ref"]
        .as_str()
        .unwrap()
        .trim_start_matches("#/$defs/");
    let entry = &defs[entry]["properties"];
    assert!(entry.get("added_at").is_none(), "{entry}");
    let context = entry["context"]["$ref"]
        .as_str()
        .unwrap()
        .trim_start_matches("#/$defs/");
    assert!(
        defs[context]["properties"]["uri"].is_object(),
        "an object without an id keeps its `uri`"
    );
    let track = entry["track"]["$ref"]
        .as_str()
        .unwrap()
        .trim_start_matches("#/$defs/");
    assert_eq!(track, "TrackInEntry");
    let album = &defs[track]["properties"]["album"];
    let album = album
        .get("$ref")
        .and_then(Value::as_str)
        .map_or(album, |r| &defs[r.trim_start_matches("#/$defs/")]);
    assert_eq!(
        *album,
        json!({ "type": "string" }),
        "an entry's track names its album"
    );
}
