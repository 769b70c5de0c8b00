//! Whether the database answers: what a replica's readiness probe asks.

use super::{Store, StoreError};
use std::time::Duration;

impl Store {
    /// Runs a trivial query, failing if the database has not answered within `within`
    /// (a connection from the pool included).
    pub async fn ping(&self, within: Duration) -> Result<(), StoreError> {
        let query = sqlx::query("SELECT 1").execute(&self.pool);
        match tokio::time::timeout(within, query).await {
            Ok(answer) => answer.map(drop).map_err(StoreError::from),
            Err(_) => Err(StoreError::NoAnswer {
                within_ms: within.as_millis(),
            }),
        }
    }
}
