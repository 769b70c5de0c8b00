//! Property test over the whole catalog (deprecated tools included): random and adversarial
//! arguments — wrong types, huge strings, deep nesting, unicode, nulls, extra keys, edge
//! numbers in otherwise valid calls — always get an answer, never a panic, within a timeout;
//! a rejection names what was wrong, and rejected arguments never reach Spotify.
//! Deterministic seed, bounded case counts: a failure reproduces on the next run.

use crate::common;

use common::adversarial::{edge_number, hostile, odd_string};
use common::fake_spotify::FakeSpotify;
use common::samples;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{Map, Value};
use spotify_mcp::foundation::config::ToolMode;
use spotify_mcp::mcp::selection::Selection;
use spotify_mcp::mcp::{Catalog, CatalogOptions, SpotifyServer, ToolDef, all_tools};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Cases per tool: 97 tools × this stays within a few seconds in a debug build.
const CASES_PER_TOOL: u32 = 12;
/// Far above a normal call (the fake answers at once), far below a hung test.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

fn runner(cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        max_shrink_time: 20_000,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    fake: FakeSpotify,
    server: SpotifyServer,
    /// Calls that reached the fake, and calls rejected for their arguments.
    reached: AtomicUsize,
    rejected: AtomicUsize,
}

impl Harness {
    fn new(mode: ToolMode) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let (fake, server) = runtime.block_on(async {
            let fake = FakeSpotify::start().await;
            let mut args = common::spotify_args(&fake, Some("fuzz-token"));
            // A connection the fake drops (an oversized URL) fails at once instead of retrying.
            args.middleware.retries = 0;
            let api = spotify_mcp::build_api(&args).expect("client builds");
            let options = CatalogOptions {
                selection: Selection {
                    include_deprecated: true,
                    ..Selection::default()
                },
                mode,
                ..CatalogOptions::default()
            };
            let catalog = Catalog::new(all_tools(), &options);
            (fake, SpotifyServer::new(api, Arc::new(catalog)))
        });
        Self {
            runtime,
            fake,
            server,
            reached: AtomicUsize::new(0),
            rejected: AtomicUsize::new(0),
        }
    }

    /// One call, checked: an answer within the timeout, no panic, a message on every error.
    fn check(&self, tool: &str, arguments: Map<String, Value>) -> Result<(), TestCaseError> {
        let before = self.fake.requests().len();
        let server = self.server.clone();
        let name = tool.to_string();
        let outcome = self.runtime.block_on(async move {
            // Spawned, so a panic in the server comes back as a JoinError instead of unwinding here.
            let task =
                tokio::spawn(async move { server.call(&name, Some(arguments), None, None).await });
            tokio::time::timeout(CALL_TIMEOUT, task).await
        });
        let answer = match outcome {
            Err(_) => {
                return Err(TestCaseError::fail(format!(
                    "{tool}: no answer within {CALL_TIMEOUT:?}"
                )));
            }
            Ok(Err(join)) => {
                return Err(TestCaseError::fail(format!(
                    "{tool}: the server panicked: {join}"
                )));
            }
            Ok(Ok(answer)) => answer,
        };
        let result = match answer {
            Ok(result) => result,
            Err(error) => {
                // Only a tool name the catalog does not have is a protocol error.
                prop_assert!(
                    error.message.contains("unknown tool"),
                    "{tool}: protocol error {error:?}"
                );
                return Ok(());
            }
        };
        let text = common::text(&result);
        let reached = self.fake.requests().len() - before;
        if reached > 0 {
            self.reached.fetch_add(1, Ordering::Relaxed);
        }
        if result.is_error == Some(true) {
            prop_assert!(
                text.contains(" failed: ") || text.contains("not available"),
                "{tool}: unclear error {text:?}"
            );
            if text.contains("invalid argument") {
                self.rejected.fetch_add(1, Ordering::Relaxed);
                prop_assert_eq!(
                    reached,
                    0,
                    "{}: rejected arguments reached Spotify: {}",
                    tool,
                    text
                );
            }
        } else {
            prop_assert!(
                !text.is_empty() || result.structured_content.is_some(),
                "{tool}: an empty success"
            );
        }
        Ok(())
    }
}

fn schema_of(def: &ToolDef) -> Value {
    serde_json::from_str(def.input_schema).expect("input schema is JSON")
}

/// Argument objects for one tool: its own names with hostile values, a valid call with one
/// argument replaced or nulled, a valid call with an unknown key, or anything at all.
fn arguments_for(def: &ToolDef) -> BoxedStrategy<Map<String, Value>> {
    let schema = schema_of(def);
    let Value::Object(valid) = samples::arguments(&schema) else {
        unreachable!("samples::arguments builds an object")
    };
    let names: Vec<String> = schema["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    let anything = prop::collection::vec((odd_string(), hostile()), 0..5)
        .prop_map(|pairs| pairs.into_iter().collect::<Map<_, _>>())
        .boxed();
    let with_extra_key = {
        let valid = valid.clone();
        (odd_string(), hostile())
            .prop_map(move |(key, value)| {
                let mut arguments = valid.clone();
                arguments.insert(key, value);
                arguments
            })
            .boxed()
    };
    if names.is_empty() {
        return prop_oneof![anything, with_extra_key].boxed();
    }
    let own_names = prop::sample::subsequence(names.clone(), 0..=names.len())
        .prop_flat_map(|keys| {
            let count = keys.len();
            (Just(keys), prop::collection::vec(hostile(), count))
        })
        .prop_map(|(keys, values)| keys.into_iter().zip(values).collect::<Map<_, _>>())
        .boxed();
    let one_replaced = {
        let valid = valid.clone();
        let replacement = prop_oneof![3 => hostile(), 2 => edge_number(), 1 => Just(Value::Null)];
        (prop::sample::select(names), replacement)
            .prop_map(move |(name, value)| {
                let mut arguments = valid.clone();
                arguments.insert(name, value);
                arguments
            })
            .boxed()
    };
    prop_oneof![
        2 => own_names,
        2 => one_replaced,
        3 => valid_with_edges(&schema, valid),
        1 => with_extra_key,
        1 => anything,
    ]
    .boxed()
}

/// Schema-valid calls with adversarial content: free-text strings become odd strings (unicode,
/// URL separators, long runs), integers take their bounds, string lists hold odd strings.
fn valid_with_edges(
    schema: &Value,
    valid: Map<String, Value>,
) -> BoxedStrategy<Map<String, Value>> {
    let mut strategy: BoxedStrategy<Map<String, Value>> = Just(valid).boxed();
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let edge: BoxedStrategy<Value> = match property["type"].as_str() {
            Some("string")
                if property.get("enum").is_none() && property.get("pattern").is_none() =>
            {
                odd_string().prop_map(Value::String).boxed()
            }
            Some("integer") => {
                let low = property["minimum"].as_i64().unwrap_or(i64::MIN);
                let high = property["maximum"].as_i64().unwrap_or(i64::MAX);
                prop::sample::select(vec![
                    low,
                    high,
                    low.saturating_add(1),
                    high.saturating_sub(1),
                ])
                .prop_map(Value::from)
                .boxed()
            }
            Some("array")
                if property["items"]["type"] == "string"
                    && property["items"].get("enum").is_none() =>
            {
                let most = property["maxItems"].as_u64().unwrap_or(3).min(3) as usize;
                let least = property["minItems"].as_u64().unwrap_or(0).min(most as u64) as usize;
                prop::collection::vec(odd_string().prop_map(Value::String), least..=most)
                    .prop_map(Value::Array)
                    .boxed()
            }
            _ => continue,
        };
        let name = name.clone();
        // Each argument keeps its valid sample half of the time, so calls mix both.
        strategy = (strategy, prop::option::of(edge))
            .prop_map(move |(mut arguments, edge)| {
                if let Some(edge) = edge {
                    arguments.insert(name.clone(), edge);
                }
                arguments
            })
            .boxed();
    }
    strategy
}

#[test]
fn every_tool_answers_any_arguments() {
    let harness = Harness::new(ToolMode::Static);
    for def in all_tools() {
        let mut runner = runner(CASES_PER_TOOL);
        if let Err(failure) = runner.run(&arguments_for(def), |arguments| {
            harness.check(def.name, arguments)
        }) {
            panic!("{}: {failure}", def.name);
        }
    }
    let (reached, rejected) = (harness.reached.into_inner(), harness.rejected.into_inner());
    eprintln!(
        "{reached} calls reached the fake Spotify, {rejected} were rejected for their arguments"
    );
    // Both paths must be exercised, or the generator has drifted into testing only one.
    assert!(
        reached >= 50 && rejected >= 50,
        "{reached} reached, {rejected} rejected"
    );
}

#[test]
fn dynamic_mode_answers_any_arguments() {
    let harness = Harness::new(ToolMode::Dynamic);
    let tool_names: Vec<String> = all_tools().iter().map(|d| d.name.to_string()).collect();
    let any_name = prop_oneof![
        3 => prop::sample::select(tool_names).prop_map(Value::String),
        1 => prop::sample::select(vec!["call_tool", "find_tools", "describe_tool"]).prop_map(Value::from),
        1 => hostile(),
    ];
    let call = (any_name.clone(), prop_oneof![hostile(), Just(Value::Null)]).prop_map(
        |(name, arguments)| {
            let mut outer = Map::new();
            outer.insert("name".into(), name);
            outer.insert("arguments".into(), arguments);
            ("call_tool", outer)
        },
    );
    let find = (hostile(), hostile(), hostile()).prop_map(|(query, toolset, limit)| {
        let mut arguments = Map::new();
        arguments.insert("query".into(), query);
        arguments.insert("toolset".into(), toolset);
        arguments.insert("limit".into(), limit);
        ("find_tools", arguments)
    });
    let describe = any_name.prop_map(|name| {
        let mut arguments = Map::new();
        arguments.insert("name".into(), name);
        ("describe_tool", arguments)
    });
    let mut runner = runner(300);
    let strategy = prop_oneof![3 => call, 1 => find, 1 => describe];
    if let Err(failure) = runner.run(&strategy, |(tool, arguments)| {
        harness.check(tool, arguments)
    }) {
        panic!("{failure}");
    }
}
