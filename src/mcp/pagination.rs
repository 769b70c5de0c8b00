//! `all_pages`: a list tool follows Spotify's `next` links itself, up to `max_items`, and reports
//! progress while it does (MCP progress notifications, or the status message of the task the
//! call runs as). Each page is an ordinary call of the same tool with the offset or cursor the
//! `next` link names: no hand-built URLs, the same validation and middleware.

use super::errors::CallError;
use super::tasks::progress::TaskProgress;
use rmcp::RoleServer;
use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::Peer;
use serde_json::{Map, Value, json};
use std::future::Future;

/// However small the pages, a call stops after this many.
pub const MAX_PAGES: usize = 100;
/// Query parameters of a `next` link that move to the next page.
const PAGE_PARAMS: [&str; 4] = ["offset", "limit", "after", "before"];

/// Where progress goes.
pub enum Progress {
    /// MCP progress notifications, when the client sent a progress token.
    Notify {
        peer: Peer<RoleServer>,
        token: ProgressToken,
    },
    /// The status message of the task the call runs as; its `tasks/cancel` (on any replica)
    /// stops the paging.
    Task(TaskProgress),
}

impl Progress {
    async fn report(&self, pages: usize, items: usize, goal: Option<u64>) {
        let message = status(pages, items, goal);
        match self {
            Progress::Notify { peer, token } => {
                let mut param = ProgressNotificationParam::new(token.clone(), items as f64);
                param.total = goal.map(|t| t as f64);
                param.message = Some(message);
                let _ = peer.notify_progress(param).await;
            }
            Progress::Task(task) => task.report(message).await,
        }
    }

    /// Whether the caller asked the call to stop (`tasks/cancel` of its task).
    async fn stop_requested(&self) -> bool {
        match self {
            Progress::Task(task) => task.stop_requested().await,
            Progress::Notify { .. } => false,
        }
    }
}

/// "read 3 pages, 150 of 2,000 items" (the goal left out when Spotify gives no total).
fn status(pages: usize, items: usize, goal: Option<u64>) -> String {
    let noun = if pages == 1 { "page" } else { "pages" };
    match goal {
        Some(goal) => format!(
            "read {pages} {noun}, {} of {} items",
            thousands(items as u64),
            thousands(goal)
        ),
        None => format!("read {pages} {noun}, {} items", thousands(items as u64)),
    }
}

/// `2000` → `2,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The next page's arguments: `base` with the offset or cursor the `next` link names.
pub fn next_arguments(
    base: &Map<String, Value>,
    next: &str,
    inputs: &Map<String, Value>,
) -> Option<Map<String, Value>> {
    let url = reqwest::Url::parse(next).ok()?;
    let mut args = base.clone();
    let mut moved = false;
    for (key, value) in url.query_pairs() {
        if PAGE_PARAMS.contains(&key.as_ref()) && inputs.contains_key(key.as_ref()) {
            let value = value
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(value.to_string()));
            moved |= args.get(key.as_ref()) != Some(&value);
            args.insert(key.to_string(), value);
        }
    }
    moved.then_some(args)
}

/// Calls `fetch` page after page and returns the last page with every collected item.
pub async fn collect<F, Fut>(
    first: Map<String, Value>,
    inputs: &Map<String, Value>,
    max_items: usize,
    progress: Option<&Progress>,
    mut fetch: F,
) -> Result<Option<Value>, CallError>
where
    F: FnMut(Map<String, Value>) -> Fut,
    Fut: Future<Output = Result<Option<Value>, CallError>>,
{
    let mut args = first;
    let mut items = Vec::new();
    let mut last: Option<Value> = None;
    let mut truncated = false;
    for page in 1..=MAX_PAGES {
        // Between pages only: a page asked for is read to its end.
        if page > 1
            && let Some(progress) = progress
            && progress.stop_requested().await
        {
            return Err(CallError::Cancelled);
        }
        let Some(body) = fetch(args.clone()).await? else {
            break;
        };
        items.extend(
            body.get("items")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        );
        let total = body.get("total").and_then(Value::as_u64);
        let next = body.get("next").and_then(Value::as_str).map(String::from);
        if let Some(progress) = progress {
            let goal = total.map(|t| t.min(max_items as u64));
            progress
                .report(page, items.len().min(max_items), goal)
                .await;
        }
        last = Some(body);
        if items.len() >= max_items {
            truncated = items.len() > max_items || next.is_some();
            items.truncate(max_items);
            break;
        }
        match next.and_then(|next| next_arguments(&args, &next, inputs)) {
            Some(next_args) => args = next_args,
            None => break,
        }
    }
    let Some(mut body) = last else {
        return Ok(None);
    };
    let count = items.len();
    body["items"] = Value::Array(items);
    if truncated {
        // The last page's `next` would skip the items cut here; say how to go on instead.
        body["next"] = Value::Null;
        body["note"] = json!(format!(
            "Stopped at max_items ({count}); call again with a larger max_items, or page with offset/limit from item {count} on."
        ));
    }
    Ok(Some(body))
}

#[cfg(test)]
mod tests {
    use super::status;

    #[test]
    fn status_counts_pages_and_items() {
        assert_eq!(status(1, 50, Some(2000)), "read 1 page, 50 of 2,000 items");
        assert_eq!(
            status(3, 1234567, Some(1234567)),
            "read 3 pages, 1,234,567 of 1,234,567 items"
        );
        assert_eq!(status(2, 100, None), "read 2 pages, 100 items");
    }
}
