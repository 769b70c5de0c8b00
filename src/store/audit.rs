//! The audit trail: who changed what at Spotify, through which client, when, with what outcome.
//! Rows hold ids and outcomes only; the MCP layer decides what goes in (never a token or a body).

use super::model::{AuditEvent, AuditQuery};
use super::{Store, StoreError, secrets};

#[derive(sqlx::FromRow)]
struct AuditRow {
    at_ms: i64,
    user_id: Option<String>,
    client_id: Option<String>,
    tool: String,
    resource: String,
    outcome: String,
    http_status: Option<i64>,
    duration_ms: i64,
}

impl From<AuditRow> for AuditEvent {
    fn from(row: AuditRow) -> Self {
        AuditEvent {
            at_ms: row.at_ms,
            user_id: row.user_id,
            client_id: row.client_id,
            tool: row.tool,
            resource: row.resource,
            outcome: row.outcome,
            http_status: row.http_status,
            duration_ms: row.duration_ms,
        }
    }
}

impl Store {
    pub async fn record_audit(&self, event: &AuditEvent) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_events (id, at_ms, user_id, client_id, tool, resource, outcome, \
             http_status, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(secrets::random_id())
        .bind(event.at_ms)
        .bind(event.user_id.as_deref())
        .bind(event.client_id.as_deref())
        .bind(&event.tool)
        .bind(&event.resource)
        .bind(&event.outcome)
        .bind(event.http_status)
        .bind(event.duration_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest `query.limit` records that match, oldest first.
    pub async fn audit_events(&self, query: &AuditQuery) -> Result<Vec<AuditEvent>, StoreError> {
        let mut conditions = Vec::new();
        let mut values: Vec<String> = Vec::new();
        for (column, value) in [("user_id", &query.user_id), ("tool", &query.tool)] {
            if let Some(value) = value {
                values.push(value.clone());
                conditions.push(format!("{column} = ${}", values.len()));
            }
        }
        if query.since_ms.is_some() {
            conditions.push(format!("at_ms >= ${}", values.len() + 1));
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql = format!(
            "SELECT at_ms, user_id, client_id, tool, resource, outcome, http_status, duration_ms \
             FROM audit_events {filter} ORDER BY at_ms DESC, id DESC LIMIT {}",
            query.limit.max(1)
        );
        let mut select = sqlx::query_as::<_, AuditRow>(&sql);
        for value in values {
            select = select.bind(value);
        }
        if let Some(since) = query.since_ms {
            select = select.bind(since);
        }
        let mut rows: Vec<AuditEvent> = select
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(AuditEvent::from)
            .collect();
        rows.reverse();
        Ok(rows)
    }

    /// Deletes at most `batch` records older than `before_ms`; returns how many it deleted.
    /// Bounded, so that pruning a large backlog never holds a long lock: call it again while it
    /// returns `batch`.
    pub async fn prune_audit(&self, before_ms: i64, batch: u32) -> Result<u64, StoreError> {
        let deleted = sqlx::query(&format!(
            "DELETE FROM audit_events WHERE id IN \
             (SELECT id FROM audit_events WHERE at_ms < $1 LIMIT {})",
            batch.max(1)
        ))
        .bind(before_ms)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(deleted)
    }
}
