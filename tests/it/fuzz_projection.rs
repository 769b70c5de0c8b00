//! Property test of the response projection over every tool's output schema, on answers shaped
//! like the schema but stretched (long lists and strings, unknown keys, nulls, wrong types) and
//! on arbitrary JSON: it never panics, stays within the size cap whenever a list is left to cut,
//! `fields` keeps only the asked paths (and exactly what the unfiltered answer has there), and a
//! projected answer projects to itself. Deterministic seed, bounded case counts.

use crate::common;

use common::adversarial::{any_json, odd_string, stretch};
use common::samples;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::Value;
use spotify_mcp::mcp::all_tools;
use spotify_mcp::mcp::projection::{self, Asked, ResponseOptions, Shapes, keep_fields, project};
use std::sync::atomic::{AtomicUsize, Ordering};

const CASES_PER_TOOL: u32 = 16;

/// Answers left over the cap because no page was left to cut (reported, not a failure).
static OVER_CAP: AtomicUsize = AtomicUsize::new(0);

fn runner() -> TestRunner {
    let config = Config {
        cases: CASES_PER_TOOL,
        failure_persistence: None,
        max_shrink_iters: 200,
        max_shrink_time: 20_000,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

fn size(value: &Value) -> usize {
    serde_json::to_vec(value).map(|b| b.len()).unwrap_or(0)
}

/// Every dotted object path in `value` (list indices skipped, as `fields` spells them).
fn paths(value: &Value, prefix: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                out.push(path.clone());
                paths(item, &path, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| paths(i, prefix, out)),
        _ => {}
    }
}

fn segments(path: &str) -> Vec<&str> {
    path.split('.').filter(|s| !s.is_empty()).collect()
}

/// `path` lies on the way to an asked path, or below one.
fn asked(path: &str, fields: &[String]) -> bool {
    let path = segments(path);
    fields.iter().any(|field| {
        let field = segments(field);
        let common = path.len().min(field.len());
        path[..common] == field[..common]
    })
}

fn without_note(value: &Value) -> Value {
    let mut value = value.clone();
    if let Some(object) = value.as_object_mut() {
        object.remove("note");
    }
    value
}

/// What the call asks for: the default answer, or these `fields` paths.
fn asking(fields: &Option<Vec<String>>) -> Asked<'_> {
    match fields {
        Some(paths) => Asked::Fields(paths),
        None => Asked::Default,
    }
}

fn check(
    shapes: Shapes<'_>,
    value: Value,
    raw: bool,
    max_bytes: usize,
    fields: Option<Vec<String>>,
) -> Result<(), TestCaseError> {
    let options = ResponseOptions { raw, max_bytes };
    let out = project(value.clone(), shapes, asking(&fields), &options);
    let body = without_note(&out);
    if !raw && size(&body) > max_bytes {
        OVER_CAP.fetch_add(1, Ordering::Relaxed);
        prop_assert!(
            !projection::cuttable(&body),
            "{} bytes over a cap of {max_bytes} with a list left to cut",
            size(&body)
        );
    }
    let unbounded = ResponseOptions {
        raw,
        max_bytes: usize::MAX,
    };
    let whole = project(value.clone(), shapes, Asked::Default, &unbounded);
    match fields.as_deref().filter(|f| !f.is_empty()) {
        Some(fields) => {
            let mut kept = Vec::new();
            paths(&body, "", &mut kept);
            if !fields.iter().any(|f| segments(f).is_empty()) {
                for path in &kept {
                    prop_assert!(asked(path, fields), "{path} kept, fields {fields:?}");
                }
            }
            // What is kept is exactly what the rich answer (list items untrimmed, inherited
            // fields kept) has there.
            let filtered = project(value.clone(), shapes, Asked::Fields(fields), &unbounded);
            let rich = project(value, shapes, Asked::Rich, &unbounded);
            prop_assert_eq!(filtered, keep_fields(rich, fields));
        }
        None if raw => prop_assert_eq!(whole, value),
        None => {
            let again = project(whole.clone(), shapes, Asked::Default, &unbounded);
            prop_assert_eq!(
                again,
                whole.clone(),
                "projecting a projected answer changed it"
            );
            // The default answer is the rich one with list items trimmed: never more.
            let rich = project(value, shapes, Asked::Rich, &unbounded);
            prop_assert!(
                size(&whole) <= size(&rich),
                "the default answer is bigger than the rich one"
            );
        }
    }
    Ok(())
}

#[test]
fn projection_holds_on_every_output_schema() {
    let mut tools = 0;
    for def in all_tools() {
        let Some(text) = def.output_schema else {
            continue;
        };
        tools += 1;
        let schema: Value = serde_json::from_str(text).expect("output schema is JSON");
        let rich: Value = def
            .rich_output_schema
            .map(|rich| serde_json::from_str(rich).expect("rich output schema is JSON"))
            .unwrap_or_else(|| schema.clone());
        // Sample answers from the rich shape: Spotify sends what list items then lose.
        let full = samples::full(&rich, &rich, 8);
        let mut known = Vec::new();
        paths(&full, "", &mut known);
        let answer = prop_oneof![
            4 => (any::<u64>(), 1usize..10).prop_map({
                let full = full.clone();
                move |(seed, factor)| stretch(full.clone(), seed, factor)
            }),
            1 => any_json(),
        ];
        let path = prop_oneof![
            4 => prop::sample::select(known.clone()),
            1 => odd_string(),
            1 => prop::sample::select(known).prop_map(|p| format!("{p}.items..x")),
        ];
        let fields = prop::option::weighted(0.5, prop::collection::vec(path, 0..4));
        let max_bytes = prop_oneof![Just(60_000usize), 0usize..3_000, 3_000usize..100_000];
        let strategy = (answer, prop::bool::weighted(0.2), max_bytes, fields);
        let result = runner().run(&strategy, |(value, raw, max_bytes, fields)| {
            let shapes = Shapes {
                lean: &schema,
                rich: &rich,
            };
            check(shapes, value, raw, max_bytes, fields)
        });
        if let Err(failure) = result {
            panic!("{}: {failure}", def.name);
        }
    }
    eprintln!(
        "{} answers stayed over the size cap with no page left to cut (a long string, or a list that is not a page)",
        OVER_CAP.load(Ordering::Relaxed)
    );
    assert!(tools > 40, "only {tools} tools have an output schema");
}
