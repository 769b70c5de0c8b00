//! The request log: every request the fake received (admin requests aside), in arrival order.

use serde::Serialize;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// One request as the fake received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestRecord {
    /// Sequence number of the request since the fake started, from 0.
    pub seq: u64,
    /// `GET`, `PUT`, `POST`, `DELETE`…
    pub method: String,
    /// The path, e.g. `/v1/albums/4aawyAB9vmqN3uQ7FjRGTy` or `/api/token`.
    pub path: String,
    /// Decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    /// When it arrived, in milliseconds since the Unix epoch.
    pub unix_ms: u64,
    /// The fault injected into the answer, if any (`rate_limit`, `connection_reset`, …).
    pub fault: Option<&'static str>,
    /// The id of the user the request acted for: the one its bearer token was issued to (live
    /// or expired), or for `/api/token` and `/authorize` the one who signed in. `None` for app
    /// tokens and requests without a known token.
    pub user: Option<String>,
    /// The status the fake answered (or began to answer) with; `None` while the request is in
    /// flight, for a reset connection and for a request never answered.
    pub status: Option<u16>,
}

impl RequestRecord {
    /// The first value of query parameter `name`.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

#[derive(Default)]
pub(crate) struct RequestLog {
    records: Mutex<Vec<RequestRecord>>,
    next_seq: std::sync::atomic::AtomicU64,
}

impl RequestLog {
    /// Records a request; returns its sequence number, for [`answered`](Self::answered).
    pub fn push(
        &self,
        method: &str,
        path: &str,
        query: Option<&str>,
        fault: Option<&'static str>,
        user: Option<String>,
    ) -> u64 {
        let seq = self
            .next_seq
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let unix_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        let query = query
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        records.push(RequestRecord {
            seq,
            method: method.to_string(),
            path: path.to_string(),
            query,
            unix_ms,
            fault,
            user,
            status: None,
        });
        seq
    }

    /// Notes the status request `seq` was answered with, and the user it signed in, if any.
    pub fn answered(&self, seq: u64, status: u16, signed_in: Option<String>) {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(record) = records.iter_mut().rev().find(|r| r.seq == seq) {
            record.status = Some(status);
            if signed_in.is_some() {
                record.user = signed_in;
            }
        }
    }

    pub fn snapshot(&self) -> Vec<RequestRecord> {
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn clear(&self) {
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}
