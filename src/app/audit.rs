//! The audit trail in the application: starting it for a server (with its retention), and the
//! `spotify-mcp audit` command that shows it.

use crate::app::users_commands::{self, UsersError};
use crate::foundation::config::{AuditArgs, AuditListArgs, ServeArgs};
use crate::mcp::audit::{AuditTrail, QUEUE_CAPACITY};
use crate::store::{AuditEvent, AuditQuery, Store, StoreError, User};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How often the server deletes records past their retention.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// Records deleted per statement, and statements per pass: a backlog is worked off over passes
/// without one long lock.
const PRUNE_BATCH: u32 = 1_000;
const PRUNE_BATCHES_PER_PASS: u32 = 100;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(
        "--since `{0}` is neither a duration back from now (`90m`, `24h`, `7d`, `2w`) nor an \
         RFC 3339 time (`2026-12-01T00:00:00Z`)"
    )]
    Since(String),
    #[error(transparent)]
    Users(#[from] UsersError),
}

/// Starts recording into `store`, and (unless `args` keeps records forever) deleting records
/// older than the retention every hour until the store is closed.
pub fn start(store: &Store, args: &AuditArgs) -> AuditTrail {
    if args.audit_retention_days > 0 {
        let retention = Duration::from_secs(u64::from(args.audit_retention_days) * 86_400);
        tokio::spawn(prune_periodically(store.clone(), retention));
    }
    AuditTrail::start(Arc::new(store.clone()), QUEUE_CAPACITY)
}

/// `serve --audit` in single-user mode: the store of --database-url (no grant is sealed in it,
/// so no encryption key is needed) and the trail recording into it.
pub async fn start_single_user(args: &ServeArgs) -> Result<(Store, AuditTrail), StoreError> {
    let store = users_commands::open(&args.multi_user.database).await?;
    let trail = start(&store, &args.audit);
    tracing::info!(database = ?store.backend(), "recording calls that change something at Spotify (--audit)");
    Ok((store, trail))
}

async fn prune_periodically(store: Store, retention: Duration) {
    let mut ticks = tokio::time::interval(PRUNE_EVERY);
    loop {
        ticks.tick().await;
        if store.is_closed() {
            return;
        }
        let cutoff = now_ms() - retention.as_millis() as i64;
        match prune(&store, cutoff).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "audit records past their retention deleted"),
            Err(_) if store.is_closed() => return,
            Err(error) => {
                tracing::warn!(error = %error, "cannot delete old audit records; retrying in an hour")
            }
        }
    }
}

/// One pass: batches until none is full, at most [`PRUNE_BATCHES_PER_PASS`].
pub async fn prune(store: &Store, before_ms: i64) -> Result<u64, StoreError> {
    let mut total = 0;
    for _ in 0..PRUNE_BATCHES_PER_PASS {
        let deleted = store.prune_audit(before_ms, PRUNE_BATCH).await?;
        total += deleted;
        if deleted < u64::from(PRUNE_BATCH) {
            break;
        }
    }
    Ok(total)
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// `--since`: `90m`, `24h`, `7d`, `2w`, `30s` back from `now_ms`, or an RFC 3339 time.
pub fn since_ms(text: &str, now_ms: i64) -> Result<i64, AuditError> {
    let text = text.trim();
    let refused = || AuditError::Since(text.to_string());
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(time.timestamp_millis());
    }
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(refused)?;
    let (number, unit) = text.split_at(split);
    let number: i64 = number.parse().map_err(|_| refused())?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(refused()),
    };
    number
        .checked_mul(seconds * 1_000)
        .map(|back| now_ms.saturating_sub(back))
        .ok_or_else(refused)
}

type CommandResult = Result<(), Box<dyn std::error::Error>>;

/// `spotify-mcp audit`.
pub async fn run(args: AuditListArgs) -> CommandResult {
    let store = users_commands::open(&args.database).await?;
    let listed = list(&store, &args).await;
    store.close().await;
    let (events, users) = listed?;
    if args.json {
        let records: Vec<Value> = events.iter().map(|e| event_json(e, &users)).collect();
        println!("{}", serde_json::to_string_pretty(&records)?);
    } else {
        print!("{}", table(&events, &users));
    }
    Ok(())
}

/// The records `args` asks for, and the users they name (by id).
async fn list(
    store: &Store,
    args: &AuditListArgs,
) -> Result<(Vec<AuditEvent>, HashMap<String, User>), Box<dyn std::error::Error>> {
    let user_id = match &args.user {
        Some(who) => Some(users_commands::find(store, who).await?.id),
        None => None,
    };
    let since_ms = args
        .since
        .as_deref()
        .map(|text| since_ms(text, now_ms()))
        .transpose()?;
    let query = AuditQuery {
        user_id,
        tool: args.tool.clone(),
        since_ms,
        limit: args.limit,
    };
    let events = store.audit_events(&query).await?;
    let users = store
        .list_users()
        .await?
        .into_iter()
        .map(|summary| (summary.user.id.clone(), summary.user))
        .collect();
    Ok((events, users))
}

fn event_json(event: &AuditEvent, users: &HashMap<String, User>) -> Value {
    let user = event.user_id.as_ref().and_then(|id| users.get(id));
    json!({
        "at": millis_rfc3339(event.at_ms),
        "user_id": event.user_id,
        "account": user.map(|u| u.account_key.clone()),
        "display_name": user.and_then(|u| u.display_name.clone()),
        "client": event.client_id,
        "tool": event.tool,
        "resource": serde_json::from_str::<Value>(&event.resource).unwrap_or(Value::Null),
        "outcome": event.outcome,
        "http_status": event.http_status,
        "duration_ms": event.duration_ms,
    })
}

fn millis_rfc3339(at_ms: i64) -> Value {
    chrono::DateTime::from_timestamp_millis(at_ms)
        .map(|t| Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)))
        .unwrap_or(Value::Null)
}

fn who(event: &AuditEvent, users: &HashMap<String, User>) -> String {
    match event.user_id.as_ref() {
        None => "(single user)".to_string(),
        Some(id) => match users.get(id) {
            Some(user) => match &user.display_name {
                Some(name) => format!("{name} ({})", user.account_key),
                None => user.account_key.clone(),
            },
            None => format!("{id} (deleted)"),
        },
    }
}

fn outcome_text(event: &AuditEvent) -> String {
    match event.http_status {
        Some(status) => format!("{} {status}", event.outcome),
        None => event.outcome.clone(),
    }
}

/// The resource as `key=value` pairs: `playlist_id=… uris=spotify:track:…,… (3)`.
fn resource_text(resource: &str) -> String {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(resource) else {
        return "-".to_string();
    };
    let parts: Vec<String> = map
        .iter()
        .filter(|(key, _)| !key.ends_with("_count"))
        .map(|(key, value)| {
            let listed = match value {
                Value::Array(items) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.as_str().unwrap_or_default().to_string(),
            };
            let count_key = if key == "uris" {
                "uri_count".to_string()
            } else {
                format!("{key}_count")
            };
            match map.get(&count_key) {
                Some(count) => format!("{key}={listed} ({count})"),
                None => format!("{key}={listed}"),
            }
        })
        .collect();
    if parts.is_empty() {
        "-".to_string()
    } else {
        parts.join(" ")
    }
}

/// One line per record, oldest first, columns padded to their widest cell.
pub fn table(events: &[AuditEvent], users: &HashMap<String, User>) -> String {
    if events.is_empty() {
        return "No audit records match.\n".to_string();
    }
    let header = ["TIME", "USER", "CLIENT", "TOOL", "OUTCOME", "RESOURCE"].map(String::from);
    let rows: Vec<[String; 6]> = events
        .iter()
        .map(|e| {
            [
                users_commands::when(e.at_ms / 1_000),
                who(e, users),
                e.client_id.clone().unwrap_or_else(|| "-".into()),
                e.tool.clone(),
                outcome_text(e),
                resource_text(&e.resource),
            ]
        })
        .collect();
    users_commands::padded_table(&header, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_durations_back_from_now_and_rfc3339_times() {
        let now = 1_800_000_000_000;
        assert_eq!(since_ms("90m", now).unwrap(), now - 90 * 60_000);
        assert_eq!(since_ms("7d", now).unwrap(), now - 7 * 86_400_000);
        assert_eq!(
            since_ms("2026-12-01T00:00:00Z", now).unwrap(),
            1_796_083_200_000
        );
        for refused in ["", "7", "d", "7y", "-3h", "99999999999999999999d"] {
            assert!(since_ms(refused, now).is_err(), "{refused}");
        }
    }

    #[test]
    fn resources_read_as_key_value_pairs_with_counts() {
        let text = resource_text(
            r#"{"playlist_id":"p1","uri_count":2,"uris":["spotify:track:a","spotify:track:b"]}"#,
        );
        assert_eq!(
            text,
            "playlist_id=p1 uris=spotify:track:a,spotify:track:b (2)"
        );
        assert_eq!(resource_text("{}"), "-");
    }
}
