//! The committed generated files match what `cargo xtask codegen` makes of the spec (so a stale
//! one fails `cargo test` with the command to run), and the route fallback follows the spec: a
//! tool renamed through `x-mcp-name` keeps its family, and `fallback.rs` names no tool itself.

use serde_json::Value;
use xtask::codegen_cmd::{self, GENERATED_OPERATIONS, GENERATED_TOOLS, SNAPSHOT, SPEC};
use xtask::files::ensure_file_contents;

fn spec() -> Value {
    codegen::load(&codegen_cmd::root().join(SPEC)).unwrap_or_else(|e| panic!("{e}"))
}

fn generated(doc: &Value, path: &str) -> String {
    let files = codegen_cmd::generate(doc).unwrap_or_else(|e| panic!("{e}"));
    files
        .into_iter()
        .find(|(p, _)| *p == path)
        .map(|(_, contents)| contents)
        .unwrap_or_else(|| panic!("codegen makes no {path}"))
}

#[test]
fn generated_files_are_current() {
    let root = codegen_cmd::root();
    let files = codegen_cmd::generate(&spec()).unwrap_or_else(|e| panic!("{e}"));
    let paths: Vec<&str> = files.iter().map(|(path, _)| *path).collect();
    assert_eq!(paths, [GENERATED_TOOLS, GENERATED_OPERATIONS, SNAPSHOT]);
    let stale: Vec<String> = files
        .iter()
        .filter_map(|(path, contents)| ensure_file_contents(&root.join(path), contents, true).err())
        .collect();
    assert!(stale.is_empty(), "{}", stale.join("\n\n"));
}

#[test]
fn a_stale_file_is_reported_with_the_command_to_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("generated.rs");
    std::fs::write(&path, "// an old version\n").unwrap();
    let error = ensure_file_contents(&path, "// the new version\n", true).unwrap_err();
    assert!(error.contains("run `cargo xtask codegen`"), "{error}");
    assert!(error.contains("+// the new version"), "{error}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "// an old version\n"
    );
}

/// Renames an operation's tool through `x-mcp-name`, as a maintainer would.
fn rename(doc: &mut Value, operation_id: &str, name: &str) {
    let paths = doc["paths"].as_object_mut().unwrap();
    let operation = paths
        .values_mut()
        .flat_map(|item| item.as_object_mut().unwrap().values_mut())
        .find(|op| op["operationId"] == operation_id)
        .unwrap_or_else(|| panic!("no operation {operation_id}"));
    operation["x-mcp-name"] = Value::String(name.into());
}

#[test]
fn renaming_tools_keeps_their_route_fallback() {
    let mut doc = spec();
    rename(
        &mut doc,
        "remove-tracks-playlist",
        "drop_playlist_tracks_old",
    );
    rename(&mut doc, "remove-items-playlist", "drop_playlist_items");
    rename(&mut doc, "check-library-contains", "library_has");
    rename(&mut doc, "get-multiple-albums", "albums_by_ids");
    let table = generated(&doc, GENERATED_OPERATIONS);

    let route = |legacy: &str| {
        let start = table
            .find(&format!("legacy: \"{legacy}\""))
            .unwrap_or_else(|| panic!("no legacy route for {legacy}:\n{table}"));
        table[start..]
            .split("LegacyRoute {")
            .next()
            .unwrap()
            .to_string()
    };
    let playlist = route("drop_playlist_tracks_old");
    assert!(
        playlist.contains("current: \"drop_playlist_items\""),
        "{playlist}"
    );
    assert!(playlist.contains("(\"tracks\", \"items\")"), "{playlist}");
    let library = route("check_saved_tracks_legacy");
    assert!(library.contains("current: \"library_has\""), "{library}");
    assert!(route("albums_by_ids").contains("current: \"get_album\""));

    // Both renamed playlist tools are members of their family in the operation table.
    for (tool, side) in [
        ("drop_playlist_tracks_old", "Legacy"),
        ("drop_playlist_items", "Current"),
    ] {
        let start = table.find(&format!("tool: \"{tool}\"")).unwrap();
        let row = table[start..].split("pub static").next().unwrap();
        assert!(row.contains("family: \"playlist-items\""), "{row}");
        assert!(row.contains(&format!("side: Side::{side}")), "{row}");
    }
    // The old tool names are gone from the table: nothing else refers to them.
    for old in ["remove_playlist_tracks_legacy", "check_library_contains"] {
        for field in ["tool", "legacy", "current"] {
            let stale = format!("{field}: \"{old}\"");
            assert!(!table.contains(&stale), "`{stale}` is still in the table");
        }
    }
}

#[test]
fn the_fallback_code_names_no_tool() {
    let tools: Value =
        serde_json::from_str(&std::fs::read_to_string(codegen_cmd::root().join(SNAPSHOT)).unwrap())
            .unwrap();
    let root = codegen_cmd::root();
    let mut files = vec![root.join("src/mcp/fallback.rs")];
    for entry in std::fs::read_dir(root.join("src/mcp/fallback")).unwrap() {
        files.push(entry.unwrap().path());
    }
    assert!(files.len() > 1, "the fallback's submodules are read too");
    let source: String = files
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect();
    let named: Vec<&str> = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|tool| tool["name"].as_str())
        .filter(|name| source.contains(&format!("\"{name}\"")))
        .collect();
    assert!(
        named.is_empty(),
        "the route fallback names {named:?}; route families belong in `x-mcp-route-families`"
    );
}

/// A change to the spec, and what the codegen error must say.
type Case = (&'static str, fn(&mut Value), &'static [&'static str]);

#[test]
fn a_family_naming_an_unknown_operation_or_argument_fails_codegen() {
    let cases: [Case; 5] = [
        (
            "misspelt option",
            |doc| {
                let route =
                    &mut doc["x-mcp-route-families"]["library"]["legacy"]["save-tracks-user"];
                let route = route.as_object_mut().unwrap();
                let list = route.remove("unconvertible").unwrap();
                route.insert("unconvertable".into(), list);
            },
            &[
                "operation save-tracks-user",
                "unknown option `unconvertable`",
            ],
        ),
        (
            "unknown operation",
            |doc| {
                let legacy = &mut doc["x-mcp-route-families"]["library"]["legacy"];
                legacy["save-trackz-user"] =
                    serde_json::json!({ "uri-types": ["track"], "ids": "ids" });
            },
            &["library", "`save-trackz-user` names no operation"],
        ),
        (
            "unknown argument",
            |doc| {
                doc["x-mcp-route-families"]["library"]["legacy"]["save-tracks-user"]["ids"] =
                    "idz".into();
            },
            &[
                "operation save-tracks-user",
                "`save_tracks_legacy` has no argument `idz`",
            ],
        ),
        (
            "unknown current argument",
            |doc| {
                doc["x-mcp-route-families"]["playlist-items"]["legacy"]["remove-tracks-playlist"]
                    ["arguments"]["tracks"] = "itemz".into();
            },
            &[
                "operation remove-tracks-playlist",
                "`remove_playlist_items` has no argument `itemz`",
            ],
        ),
        (
            "answer key",
            |doc| {
                doc["x-mcp-route-families"]["get_several_albums"]["legacy"]["get-multiple-albums"]
                    ["key"] = "albumz".into();
            },
            &[
                "operation get-multiple-albums",
                "`get_several_albums` has no `albumz`",
            ],
        ),
    ];
    for (case, change, expected) in cases {
        let mut doc = spec();
        change(&mut doc);
        let error = codegen_cmd::generate(&doc).expect_err(case);
        for part in expected {
            assert!(error.contains(part), "{case}: {error}");
        }
    }
}
