//! Adversarial JSON for the fuzz tests: odd strings, edge numbers, nulls, deep nesting, and
//! values shaped like a schema but stretched (long lists, long strings, unknown keys, nulls).

use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Strings that break naive code: empty, control characters, bidi marks, emoji, separators
/// that mean something in URLs and Spotify ids, and long runs.
pub fn odd_string() -> BoxedStrategy<String> {
    prop_oneof![
        4 => any::<String>(),
        2 => "\\PC{0,24}",
        2 => prop::sample::select(vec![
            "", " ", "\0", "\u{202e}abc", "👩‍👩‍👧‍👦🎵", "a,b,c", "../../v1/me", "%2F%00", "?x=1&y=2#f",
            "{id}", "\r\nX-Injected: 1", "spotify:track:", "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
            "\"}]", "null", "1e999", "ｆｕｌｌｗｉｄｔｈ", "\u{fffd}\u{feff}",
        ])
        .prop_map(String::from),
        1 => (1usize..80_000, any::<char>()).prop_map(|(n, c)| c.to_string().repeat(n)),
    ]
    .boxed()
}

/// Numbers at the edges of what JSON, i64, u64 and f64 hold.
pub fn edge_number() -> BoxedStrategy<Value> {
    prop_oneof![
        prop::sample::select(vec![
            json!(0),
            json!(-1),
            json!(1),
            json!(i64::MIN),
            json!(i64::MAX),
            json!(u64::MAX),
            json!(i32::MAX as i64 + 1),
            json!(-0.0),
            json!(0.5),
            json!(1e308),
            json!(-1e308),
            json!(f64::MIN_POSITIVE),
            json!(f64::EPSILON),
        ]),
        any::<i64>().prop_map(Value::from),
        // serde_json turns NaN and infinities into null, itself a useful case.
        any::<f64>().prop_map(|f| json!(f)),
    ]
    .boxed()
}

fn leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        edge_number(),
        odd_string().prop_map(Value::String),
    ]
    .boxed()
}

/// Any JSON value: leaves, lists and objects a few levels deep.
pub fn any_json() -> BoxedStrategy<Value> {
    leaf()
        .prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((odd_string(), inner), 0..6)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
            ]
        })
        .boxed()
}

/// A value nested `depth` levels (lists and objects alternating). The MCP transport parses at
/// most 128 levels, so deeper input never reaches a tool.
pub fn deep() -> BoxedStrategy<Value> {
    (1usize..120, leaf())
        .prop_map(|(depth, mut value)| {
            for level in 0..depth {
                value = if level % 2 == 0 {
                    json!([value])
                } else {
                    json!({ "a": value })
                };
            }
            value
        })
        .boxed()
}

/// Anything adversarial: random, deep, or an edge leaf.
pub fn hostile() -> BoxedStrategy<Value> {
    prop_oneof![4 => any_json(), 1 => deep()].boxed()
}

/// `value` stretched by a seeded walk: lists repeated up to `factor` times, some strings made
/// long, unknown keys and nulls sprinkled in.
pub fn stretch(value: Value, seed: u64, factor: usize) -> Value {
    let mut rng = fastrand::Rng::with_seed(seed);
    stretch_with(value, &mut rng, factor.max(1))
}

fn stretch_with(value: Value, rng: &mut fastrand::Rng, factor: usize) -> Value {
    match value {
        Value::Array(items) if !items.is_empty() => {
            let copies = rng.usize(1..=factor);
            let mut out = Vec::with_capacity(items.len() * copies);
            for _ in 0..copies {
                for item in &items {
                    out.push(stretch_with(item.clone(), rng, factor));
                }
            }
            Value::Array(out)
        }
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, item) in map {
                let item = match rng.u8(0..20) {
                    0 => Value::Null,
                    1 => json!(rng.i64(..)),
                    _ => stretch_with(item, rng, factor),
                };
                out.insert(key, item);
            }
            if rng.u8(0..8) == 0 {
                out.insert(
                    format!("unknown_{}", rng.u16(..)),
                    json!({ "x": [1, 2, 3] }),
                );
            }
            Value::Object(out)
        }
        Value::String(text) if rng.u8(0..12) == 0 => Value::String(text.repeat(rng.usize(1..2000))),
        other => other,
    }
}
