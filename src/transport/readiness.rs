//! `/readyz`: whether this replica can serve now — its database answers, and its Redis when
//! one is configured. `/healthz` says only that the process answers (live); a load balancer
//! sends traffic to ready replicas and restarts dead ones, so a database outage takes replicas
//! out of rotation without restarting them, and they come back by themselves.
//!
//! The answer names what is down, never a URL or an error text (either may carry a password
//! or a host the operator keeps private). Probes are unauthenticated, so one answer serves
//! every probe for [`MEMO`]: a flood of `/readyz` cannot become a flood of database queries.

use crate::foundation::redis_link::RedisLink;
use crate::store::Store;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// How long each dependency has to answer a probe.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(1);
/// How long one answer is reused.
const MEMO: Duration = Duration::from_millis(500);

/// The dependencies `/readyz` checks.
#[derive(Default)]
pub struct Readiness {
    store: Option<Store>,
    redis: Option<Arc<RedisLink>>,
    last: Mutex<Option<(Instant, Report)>>,
}

impl std::fmt::Debug for Readiness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readiness")
            .field("store", &self.store)
            .field("redis", &self.redis.is_some())
            .finish_non_exhaustive()
    }
}

/// What `/readyz` answers: `{"ready": false, "down": ["database"], "checks": {...}}`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    pub ready: bool,
    /// The checks that failed, by name (`database`, `redis`).
    pub down: Vec<&'static str>,
    /// Every check: `up` or `down`.
    pub checks: BTreeMap<&'static str, &'static str>,
}

impl Readiness {
    /// Checks `store` and `redis` where given; with neither, the replica is always ready.
    pub fn new(store: Option<Store>, redis: Option<Arc<RedisLink>>) -> Self {
        Self {
            store,
            redis,
            last: Mutex::new(None),
        }
    }

    /// The current answer: reused for [`MEMO`], else probed (each probe bounded).
    pub async fn report(&self) -> Report {
        let mut last = self.last.lock().await;
        if let Some((at, report)) = last.as_ref()
            && at.elapsed() < MEMO
        {
            return report.clone();
        }
        let report = self.probe().await;
        *last = Some((Instant::now(), report.clone()));
        report
    }

    async fn probe(&self) -> Report {
        let (database, redis) = tokio::join!(self.database_up(), self.redis_up());
        let mut checks = BTreeMap::new();
        for (name, up) in [("database", database), ("redis", redis)] {
            if let Some(up) = up {
                checks.insert(name, if up { "up" } else { "down" });
            }
        }
        let down: Vec<&'static str> = checks
            .iter()
            .filter(|(_, state)| **state == "down")
            .map(|(name, _)| *name)
            .collect();
        Report {
            ready: down.is_empty(),
            down,
            checks,
        }
    }

    async fn database_up(&self) -> Option<bool> {
        let store = self.store.as_ref()?;
        let answer = store.ping(PROBE_TIMEOUT).await;
        if let Err(error) = &answer {
            tracing::debug!(%error, "readiness: the database does not answer");
        }
        Some(answer.is_ok())
    }

    async fn redis_up(&self) -> Option<bool> {
        let redis = self.redis.as_ref()?;
        let command = redis::cmd("PING");
        let ping = redis.run::<String>(&command);
        let answer = tokio::time::timeout(PROBE_TIMEOUT, ping).await;
        Some(matches!(answer, Ok(Ok(_))))
    }
}

/// `GET /readyz`: 200 when ready, else 503; the body says which check failed.
pub async fn readyz(State(readiness): State<Arc<Readiness>>) -> Response {
    let report = readiness.report().await;
    let status = match report.ready {
        true => StatusCode::OK,
        false => StatusCode::SERVICE_UNAVAILABLE,
    };
    let mut response = (status, Json(report)).into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::secret::Secret;

    #[tokio::test]
    async fn with_nothing_to_check_a_replica_is_ready() {
        let report = Readiness::default().report().await;
        assert!(report.ready);
        assert!(report.checks.is_empty() && report.down.is_empty());
    }

    #[tokio::test]
    async fn an_unreachable_redis_is_named_within_the_probe_timeout_without_its_url() {
        // A port nothing listens on: connection refused at once.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = Secret::new(format!("redis://:hunter2-pw@127.0.0.1:{port}/"));
        let link = RedisLink::new(&url, Duration::from_millis(200)).unwrap();
        let readiness = Readiness::new(None, Some(Arc::new(link)));
        let started = Instant::now();
        let report = readiness.report().await;
        assert!(
            started.elapsed() < PROBE_TIMEOUT * 2,
            "{:?}",
            started.elapsed()
        );
        assert!(!report.ready);
        assert_eq!(report.down, vec!["redis"]);
        let body = serde_json::to_string(&report).unwrap();
        assert!(
            !body.contains("hunter2") && !body.contains("127.0.0.1"),
            "{body}"
        );
    }
}
