//! The audit trail's MCP side: which calls are recorded (tools that are not read-only), what of a
//! call goes into the record (who, through which client, the ids and Spotify URIs of its
//! arguments, the outcome), and the queue that writes records without slowing or failing a call.

use super::errors::CallError;
use super::ids;
use crate::foundation::metrics;
use crate::store::{AuditEvent, Store, StoreError};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot};

/// Records waiting to be written at most; beyond it new ones are dropped (and counted).
pub const QUEUE_CAPACITY: usize = 1_024;
/// Ids or URIs listed per argument at most; the record keeps their total count beside.
const LISTED_MAX: usize = 20;
/// How deep and how many argument values are searched for Spotify URIs.
const WALK_DEPTH: usize = 4;
const WALK_VALUES: usize = 2_000;
/// Longest client name kept from a single-user client's `initialize`.
const CLIENT_NAME_MAX: usize = 100;

/// Who a call acts for, as the audit trail records it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    /// The multi-user store's user id; `None` in single-user mode.
    pub user_id: Option<String>,
    /// The OAuth client id (multi-user mode), or the name the client gave at `initialize`.
    pub client: Option<String>,
}

impl Actor {
    /// A single-user client, by the name it gave (its words, unverified: cut and cleaned).
    pub fn named_client(name: &str) -> Self {
        let clean: String = name
            .chars()
            .filter(|c| !c.is_control())
            .take(CLIENT_NAME_MAX)
            .collect();
        Self {
            user_id: None,
            client: Some(clean).filter(|c| !c.is_empty()),
        }
    }
}

/// Where records go: the store, or a test's stand-in.
#[async_trait::async_trait]
pub trait AuditSink: Send + Sync + 'static {
    async fn write(&self, event: &AuditEvent) -> Result<(), StoreError>;
}

#[async_trait::async_trait]
impl AuditSink for Store {
    async fn write(&self, event: &AuditEvent) -> Result<(), StoreError> {
        self.record_audit(event).await
    }
}

enum Message {
    Record(AuditEvent),
    Flush(oneshot::Sender<()>),
}

/// The sending end of the audit queue; cheap to clone. A spawned task writes the records.
#[derive(Clone)]
pub struct AuditTrail {
    queue: mpsc::Sender<Message>,
    /// Whether a full queue was logged already (it is counted every time).
    overflow_logged: Arc<AtomicBool>,
}

impl std::fmt::Debug for AuditTrail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditTrail")
    }
}

impl AuditTrail {
    /// Starts the writer task (it ends once every clone of the trail is dropped and the queue
    /// is written).
    pub fn start(sink: Arc<dyn AuditSink>, capacity: usize) -> Self {
        let (queue, receiver) = mpsc::channel(capacity.max(1));
        tokio::spawn(write_all(sink, receiver));
        Self {
            queue,
            overflow_logged: Arc::default(),
        }
    }

    /// Queues `event`; never waits. A full queue drops it, counted and logged once.
    pub fn record(&self, event: AuditEvent) {
        if self.queue.try_send(Message::Record(event)).is_err() {
            metrics::audit_record("dropped");
            if !self.overflow_logged.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    "the audit queue is full (the database is slow or unreachable): records are \
                     dropped and counted in spotify_mcp_audit_records_total{{result=\"dropped\"}}"
                );
            }
        }
    }

    /// Waits until every record queued before is written (or failed), at most `limit`.
    pub async fn flush(&self, limit: Duration) -> bool {
        let (done, written) = oneshot::channel();
        let flushed = async {
            self.queue.send(Message::Flush(done)).await.ok()?;
            written.await.ok()
        };
        matches!(tokio::time::timeout(limit, flushed).await, Ok(Some(())))
    }
}

async fn write_all(sink: Arc<dyn AuditSink>, mut receiver: mpsc::Receiver<Message>) {
    // Logged on the first failure after a success, so an outage is one line, not one per call.
    let mut failing = false;
    while let Some(message) = receiver.recv().await {
        let event = match message {
            Message::Record(event) => event,
            Message::Flush(done) => {
                let _ = done.send(());
                continue;
            }
        };
        match sink.write(&event).await {
            Ok(()) => {
                metrics::audit_record("written");
                failing = false;
            }
            Err(error) => {
                metrics::audit_record("failed");
                if !failing {
                    tracing::warn!(error = %error, "cannot write an audit record; calls go on, failures are counted in spotify_mcp_audit_records_total{{result=\"failed\"}}");
                }
                failing = true;
            }
        }
    }
}

/// A record of one call of `tool`, finished now after `elapsed`.
pub fn event(
    actor: &Actor,
    tool: &str,
    resource: Value,
    (outcome, http_status): (&str, Option<i64>),
    elapsed: Duration,
) -> AuditEvent {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    AuditEvent {
        at_ms: now,
        user_id: actor.user_id.clone(),
        client_id: actor.client.clone(),
        tool: tool.to_string(),
        resource: resource.to_string(),
        outcome: outcome.to_string(),
        http_status,
        duration_ms: elapsed.as_millis() as i64,
    }
}

/// The audit outcome of a call: a word, and Spotify's status when it answered with an error.
pub fn outcome(result: &Result<Option<Value>, CallError>) -> (&'static str, Option<i64>) {
    match result {
        Ok(_) => ("ok", None),
        Err(CallError::InvalidArguments(_) | CallError::InvalidArgument { .. }) => {
            ("invalid_arguments", None)
        }
        Err(CallError::Spotify { status, .. }) => ("spotify_error", Some(status.as_u16().into())),
        Err(CallError::Auth(_)) => ("auth_error", None),
        Err(CallError::Unreachable(_)) => ("unreachable", None),
        Err(_) => ("error", None),
    }
}

/// What of a call's arguments the record keeps: each id argument (`id`, `ids`, `*_id`,
/// `*_ids`: ids reduced from URIs and links, only those shaped like ids) and every Spotify URI
/// found in the arguments — lists capped at [`LISTED_MAX`] with their count beside. Nothing
/// else: no names, descriptions, images or other free text.
pub fn resources(arguments: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    for (key, value) in arguments {
        if !is_id_argument(key) {
            continue;
        }
        let found: Vec<String> = strings(value)
            .flat_map(|text| text.split(','))
            .map(ids::reduce)
            .filter(|id| is_id_shaped(id))
            .collect();
        match found.as_slice() {
            [] => {}
            [one] if !key.ends_with('s') => {
                out.insert(key.clone(), json!(one));
            }
            _ => {
                out.insert(format!("{key}_count"), json!(found.len()));
                out.insert(key.clone(), json!(capped(found)));
            }
        }
    }
    let mut uris = Vec::new();
    let mut budget = WALK_VALUES;
    collect_uris(&Value::Object(arguments.clone()), 0, &mut budget, &mut uris);
    if !uris.is_empty() {
        out.insert("uri_count".into(), json!(uris.len()));
        out.insert("uris".into(), json!(capped(uris)));
    }
    Value::Object(out)
}

fn is_id_argument(key: &str) -> bool {
    key == "id" || key == "ids" || key.ends_with("_id") || key.ends_with("_ids")
}

/// Letters, digits, `_`, `-`, `.`; 1 to 64 of them: what Spotify's ids (users', devices',
/// categories', catalog objects') are made of.
fn is_id_shaped(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
}

/// `spotify:TYPE:ID` (or `spotify:user:NAME:playlist:ID`), each part id-shaped.
fn is_spotify_uri(text: &str) -> bool {
    let mut parts = text.split(':');
    parts.next() == Some("spotify")
        && text.len() <= 200
        && (3..=5).contains(&text.split(':').count())
        && parts.all(is_id_shaped)
}

fn strings(value: &Value) -> Box<dyn Iterator<Item = &str> + '_> {
    match value {
        Value::String(text) => Box::new(std::iter::once(text.as_str())),
        Value::Array(items) => Box::new(items.iter().filter_map(Value::as_str)),
        _ => Box::new(std::iter::empty()),
    }
}

fn collect_uris(value: &Value, depth: usize, budget: &mut usize, uris: &mut Vec<String>) {
    if *budget == 0 || depth > WALK_DEPTH {
        return;
    }
    *budget -= 1;
    match value {
        Value::String(text) => uris.extend(
            text.split(',')
                .map(str::trim)
                .filter(|t| is_spotify_uri(t))
                .map(String::from),
        ),
        Value::Array(items) => {
            for item in items {
                collect_uris(item, depth + 1, budget, uris);
            }
        }
        Value::Object(map) => {
            for item in map.values() {
                collect_uris(item, depth + 1, budget, uris);
            }
        }
        _ => {}
    }
}

fn capped(mut list: Vec<String>) -> Vec<String> {
    list.truncate(LISTED_MAX);
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAYLIST: &str = "3cEYpjA9oz9GiPac4AsH4n";

    fn arguments(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn ids_and_uris_are_kept_and_free_text_is_not() {
        let recorded = resources(&arguments(json!({
            "playlist_id": format!("https://open.spotify.com/playlist/{PLAYLIST}?si=x"),
            "items": [{"uri": "spotify:track:4iV5W9uYEdYUVa79Axb7Rh"},
                      {"uri": "spotify:episode:512ojhOuo1ktJprKbVcKyQ"}],
            "name": "spotify:track:notanid but free text",
            "description": "my secret plans",
            "snapshot_id": "../../etc/passwd",
        })));
        assert_eq!(recorded["playlist_id"], PLAYLIST);
        assert_eq!(recorded["uri_count"], 2);
        assert_eq!(
            recorded["uris"],
            json!([
                "spotify:track:4iV5W9uYEdYUVa79Axb7Rh",
                "spotify:episode:512ojhOuo1ktJprKbVcKyQ"
            ])
        );
        let text = recorded.to_string();
        assert!(
            !text.contains("secret") && !text.contains("free text"),
            "{text}"
        );
        assert!(
            recorded.get("snapshot_id").is_none(),
            "not id-shaped: {text}"
        );
    }

    #[test]
    fn long_lists_are_capped_with_their_count() {
        let ids: Vec<String> = (0..150).map(|i| format!("{i:0>22}")).collect();
        let recorded = resources(&arguments(json!({ "ids": ids.join(",") })));
        assert_eq!(recorded["ids_count"], 150);
        assert_eq!(recorded["ids"].as_array().unwrap().len(), LISTED_MAX);
        let uris: Vec<String> = ids.iter().map(|id| format!("spotify:track:{id}")).collect();
        let recorded = resources(&arguments(json!({ "uris": uris })));
        assert_eq!(recorded["uri_count"], 150);
        assert_eq!(recorded["uris"].as_array().unwrap().len(), LISTED_MAX);
    }

    struct Failing;

    #[async_trait::async_trait]
    impl AuditSink for Failing {
        async fn write(&self, _event: &AuditEvent) -> Result<(), StoreError> {
            Err(StoreError::UnknownUser)
        }
    }

    /// A database that never answers.
    struct Hanging;

    #[async_trait::async_trait]
    impl AuditSink for Hanging {
        async fn write(&self, _event: &AuditEvent) -> Result<(), StoreError> {
            std::future::pending().await
        }
    }

    fn some_event() -> AuditEvent {
        event(
            &Actor::default(),
            "pause_playback",
            json!({}),
            ("ok", None),
            Duration::ZERO,
        )
    }

    #[tokio::test]
    async fn a_failing_or_hanging_database_neither_stops_nor_holds_up_the_calls() {
        let failing = AuditTrail::start(Arc::new(Failing), 4);
        for _ in 0..10 {
            failing.record(some_event());
        }
        assert!(
            failing.flush(Duration::from_secs(10)).await,
            "the writer goes on after failures"
        );
        let hanging = AuditTrail::start(Arc::new(Hanging), 4);
        let started = std::time::Instant::now();
        for _ in 0..10_000 {
            hanging.record(some_event());
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "a full queue drops, it does not wait"
        );
        assert!(!hanging.flush(Duration::from_millis(50)).await);
    }

    #[test]
    fn client_names_are_cut_and_cleaned() {
        let actor = Actor::named_client(&format!("evil\n\u{1b}[31m{}", "x".repeat(500)));
        let name = actor.client.unwrap();
        assert!(name.chars().count() <= CLIENT_NAME_MAX && !name.contains('\n'));
        assert_eq!(Actor::named_client("\n").client, None);
    }
}
