//! The answer memo: the finished answer of a call served from one cached Spotify body, reused
//! while the response cache still serves that same body.
//!
//! A cache hit alone still decodes the body into the client's types, turns it into JSON and
//! projects it: for a 26 KB album, ~95% of a call's work. The memo skips all of that, and asks
//! the cache before every reuse, so TTLs, writes that invalidate, other replicas (through Redis)
//! and a new login all end a memo entry exactly when they end the cached body.

use crate::foundation::metrics;
use crate::middleware::served::{CachedRead, Served};
use crate::spotify::SpotifyCall;
use moka::future::Cache;
use rmcp::model::CallToolResult;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;

struct Memo {
    read: CachedRead,
    answer: CallToolResult,
    /// Bytes this entry keeps alive, for the memo's bound.
    weight: u32,
}

pub struct AnswerMemo {
    entries: Cache<String, Arc<Memo>>,
}

impl AnswerMemo {
    /// A memo of at most `max_bytes` (bodies and answers), each entry dropped after `ttl` at the
    /// latest (the longest cache TTL: the cache decides sooner).
    pub fn new(max_bytes: u64, ttl: Duration) -> Self {
        let entries = Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|_key: &String, memo: &Arc<Memo>| memo.weight)
            .time_to_live(ttl)
            .build();
        Self { entries }
    }

    /// The memo key of a call: who it acts for (the credentials' identity: each caller's
    /// answers are theirs alone), the tool and its arguments as JSON, object keys sorted so
    /// that `{"a":1,"b":2}` and `{"b":2,"a":1}` meet.
    pub fn key(identity: &str, tool: &str, arguments: &Map<String, Value>) -> String {
        let mut arguments = Value::Object(arguments.clone());
        arguments.sort_all_objects();
        format!("{identity}\n{tool}\n{arguments}")
    }

    /// The remembered answer for `key`, if the cache still serves the body it was made from.
    pub async fn recall(&self, key: &str, spotify: &SpotifyCall) -> Option<CallToolResult> {
        let memo = self.entries.get(key).await?;
        if spotify.still_serves(&memo.read).await {
            metrics::answer_memo("hit");
            Some(memo.answer.clone())
        } else {
            metrics::answer_memo("stale");
            self.entries.invalidate(key).await;
            None
        }
    }

    /// Keeps `answer` if one cached read served the whole call and the call succeeded.
    pub async fn remember(&self, key: String, served: Served, answer: &CallToolResult) {
        if answer.is_error == Some(true) {
            return;
        }
        let Some(read) = served.only_read() else {
            return;
        };
        let answer_bytes = answer
            .content
            .iter()
            .filter_map(|block| block.as_text())
            .map(|text| text.text.len() * 2)
            .sum::<usize>();
        let weight = (key.len() + read.key.len() + read.body.len() + answer_bytes)
            .try_into()
            .unwrap_or(u32::MAX);
        let memo = Memo {
            read,
            answer: answer.clone(),
            weight,
        };
        self.entries.insert(key, Arc::new(memo)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().expect("an object")
    }

    #[test]
    fn argument_order_does_not_matter() {
        let a = object(json!({"id": "x", "market": "DE", "fields": ["name", "tracks"]}));
        let b = object(json!({"fields": ["name", "tracks"], "market": "DE", "id": "x"}));
        assert_eq!(
            AnswerMemo::key("user:a", "get_album", &a),
            AnswerMemo::key("user:a", "get_album", &b)
        );
    }

    #[test]
    fn different_calls_get_different_keys() {
        let album = object(json!({"id": "x"}));
        let keys = [
            AnswerMemo::key("user:a", "get_album", &album),
            AnswerMemo::key("user:a", "get_artist", &album),
            AnswerMemo::key("user:a", "get_album", &object(json!({"id": "y"}))),
            AnswerMemo::key(
                "user:a",
                "get_album",
                &object(json!({"id": "x", "fields": ["name"]})),
            ),
            AnswerMemo::key(
                "user:a",
                "get_album",
                &object(json!({"id": "x", "fields": ["name", "id"]})),
            ),
            AnswerMemo::key("user:a", "get_album", &object(json!({"id": ["x"]}))),
            AnswerMemo::key(
                "user:a",
                "get_album",
                &object(json!({"id": "x\",\"market\":\"DE"})),
            ),
            AnswerMemo::key(
                "user:a",
                "get_album",
                &object(json!({"id": "x", "market": "DE"})),
            ),
        ];
        let distinct: std::collections::BTreeSet<&String> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len(), "{keys:#?}");
    }

    #[test]
    fn each_caller_has_keys_of_their_own() {
        let album = object(json!({"id": "x"}));
        assert_ne!(
            AnswerMemo::key("store-user:alice", "get_album", &album),
            AnswerMemo::key("store-user:bob", "get_album", &album),
            "one caller's memoized answer must never be another's"
        );
    }
}
