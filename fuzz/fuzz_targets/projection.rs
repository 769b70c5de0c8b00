//! The response projection on any JSON answer: byte 0 picks a tool with an output schema,
//! byte 1 bit 0 asks for raw answers, bytes 2-3 set the size cap (×4 bytes), the next line
//! holds comma-separated `fields` (empty: none), the rest is the answer. It must not panic,
//! must stay within the cap while a page is left to cut, and must keep only the asked fields.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use spotify_mcp::mcp::all_tools;
use spotify_mcp::mcp::projection::{self, Asked, ResponseOptions, Shapes, project};
use std::sync::OnceLock;

/// Each tool's default (lean) and rich output schemas.
fn schemas() -> &'static [(Value, Value)] {
    static SCHEMAS: OnceLock<Vec<(Value, Value)>> = OnceLock::new();
    let parse = |text: &str| -> Value { serde_json::from_str(text).expect("output schema is JSON") };
    SCHEMAS.get_or_init(|| {
        all_tools()
            .iter()
            .filter_map(|def| {
                let lean = parse(def.output_schema?);
                let rich = def.rich_output_schema.map(parse).unwrap_or_else(|| lean.clone());
                Some((lean, rich))
            })
            .collect()
    })
}

fn segments(path: &str) -> Vec<&str> {
    path.split('.').filter(|s| !s.is_empty()).collect()
}

/// Every object path in `value` lies on the way to an asked field, or below one.
fn only_asked(value: &Value, at: &mut Vec<String>, fields: &[Vec<&str>]) -> bool {
    match value {
        Value::Object(map) => map.iter().all(|(key, item)| {
            at.push(key.clone());
            let ok = fields.iter().any(|f| {
                let n = f.len().min(at.len());
                f[..n].iter().zip(&at[..n]).all(|(a, b)| a == b)
            }) && only_asked(item, at, fields);
            at.pop();
            ok
        }),
        Value::Array(items) => items.iter().all(|i| only_asked(i, at, fields)),
        _ => true,
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let schemas = schemas();
    let (lean, rich) = &schemas[data[0] as usize % schemas.len()];
    let shapes = Shapes { lean, rich };
    let raw = data[1] & 1 == 1;
    let max_bytes = u16::from_le_bytes([data[2], data[3]]) as usize * 4;
    let rest = &data[4..];
    let (line, answer) = match rest.iter().position(|&b| b == b'\n') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (&rest[..0], rest),
    };
    let Ok(value) = serde_json::from_slice::<Value>(answer) else {
        return;
    };
    let line = String::from_utf8_lossy(line);
    let fields: Option<Vec<String>> =
        (!line.is_empty()).then(|| line.split(',').map(String::from).collect());
    let options = ResponseOptions { raw, max_bytes };
    let asked = match &fields {
        Some(paths) => Asked::Fields(paths),
        None => Asked::Default,
    };
    let mut out = project(value, shapes, asked, &options);
    if let Some(object) = out.as_object_mut() {
        object.remove("note"); // the cap's own note
    }
    let size = serde_json::to_vec(&out).map(|b| b.len()).unwrap_or(0);
    assert!(
        raw || size <= max_bytes || !projection::cuttable(&out),
        "{size} bytes over a cap of {max_bytes} with a page left to cut"
    );
    if let Some(fields) = &fields {
        let split: Vec<Vec<&str>> = fields.iter().map(|f| segments(f)).collect();
        if !split.iter().any(Vec::is_empty) {
            assert!(
                only_asked(&out, &mut Vec::new(), &split),
                "kept a field not asked for: {fields:?}"
            );
        }
    }
});
