//! `all_pages`: a list tool follows Spotify's `next` links itself, up to `max_items`, and reports
//! MCP progress while it does. Each page is an ordinary call of the same tool with the offset or
//! cursor the `next` link names: no hand-built URLs, the same validation and middleware.

use super::errors::CallError;
use rmcp::RoleServer;
use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::Peer;
use serde_json::{Map, Value, json};
use std::future::Future;

/// However small the pages, a call stops after this many.
pub const MAX_PAGES: usize = 100;
/// Query parameters of a `next` link that move to the next page.
const PAGE_PARAMS: [&str; 4] = ["offset", "limit", "after", "before"];

/// Where progress notifications go, when the client asked for them.
pub struct Progress {
    pub peer: Peer<RoleServer>,
    pub token: ProgressToken,
}

impl Progress {
    async fn report(&self, done: usize, total: Option<u64>, message: String) {
        let mut param = ProgressNotificationParam::new(self.token.clone(), done as f64);
        param.total = total.map(|t| t as f64);
        param.message = Some(message);
        let _ = self.peer.notify_progress(param).await;
    }
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
                .report(
                    items.len().min(max_items),
                    goal,
                    format!("read page {page} ({} items)", items.len()),
                )
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
