//! Timed runs against one server: cold starts and sequential tool calls. Every loop is bounded
//! by a count and a time budget, and every call by a timeout.

use super::error::BenchError;
use super::process::{Client, Launch, STEP_TIMEOUT};
use rmcp::model::{CallToolRequestParams, CallToolResult};
use serde_json::{Map, Value};
use std::time::{Duration, Instant};

/// One tool call: a tool name and its arguments.
#[derive(Debug, Clone)]
pub struct Call {
    pub tool: &'static str,
    pub arguments: Map<String, Value>,
}

impl Call {
    pub fn new(tool: &'static str, arguments: Value) -> Self {
        let arguments = match arguments {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        Self { tool, arguments }
    }
}

/// Calls once and insists on a successful answer: a benchmark of error paths would mislead.
pub async fn call(client: &Client, call: &Call) -> Result<CallToolResult, BenchError> {
    let params = CallToolRequestParams::new(call.tool).with_arguments(call.arguments.clone());
    let result = tokio::time::timeout(STEP_TIMEOUT, client.call_tool(params))
        .await
        .map_err(|_| BenchError::Timeout(format!("{} did not answer", call.tool)))?
        .map_err(|e| BenchError::Protocol(format!("{}: {e}", call.tool)))?;
    if result.is_error == Some(true) {
        let text = result
            .content
            .iter()
            .find_map(|c| c.as_text().map(|t| t.text.clone()))
            .unwrap_or_default();
        return Err(BenchError::Protocol(format!(
            "{} failed: {text}",
            call.tool
        )));
    }
    Ok(result)
}

/// Up to `count` sequential calls (stopping early after `budget`), each timed.
pub async fn latencies(
    client: &Client,
    mut next: impl FnMut(usize) -> Call,
    count: usize,
    budget: Duration,
) -> Result<Vec<Duration>, BenchError> {
    let started = Instant::now();
    let mut samples = Vec::with_capacity(count);
    for i in 0..count {
        if started.elapsed() > budget {
            eprintln!("  stopped after {i} calls: the {budget:?} budget is spent");
            break;
        }
        let request = next(i);
        let at = Instant::now();
        call(client, &request).await?;
        samples.push(at.elapsed());
    }
    Ok(samples)
}

/// Spawn → `initialize` → `tools/list` answered, `runs` times (fewer if `budget` runs out).
pub async fn cold_starts(
    launch: &Launch,
    runs: usize,
    budget: Duration,
) -> Result<Vec<Duration>, BenchError> {
    let started = Instant::now();
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        if started.elapsed() > budget {
            break;
        }
        let at = Instant::now();
        let session = launch.connect().await?;
        let listed = tokio::time::timeout(STEP_TIMEOUT, session.client.list_all_tools()).await;
        let elapsed = at.elapsed();
        session.close().await;
        listed
            .map_err(|_| BenchError::Timeout(format!("{}: tools/list", launch.name)))?
            .map_err(|e| {
                BenchError::Protocol(format!("{}: tools/list failed: {e}", launch.name))
            })?;
        samples.push(elapsed);
    }
    Ok(samples)
}
