//! What both sides of the fallback share: a call's outcome, a call of any tool through the
//! generated dispatch, and the test for "this app may not use this route".

use crate::mcp::dispatch::Args;
use crate::mcp::errors::CallError;
use crate::mcp::generated_tools;
use crate::spotify::Client;
use serde_json::Value;

pub type Outcome = Result<Option<Value>, CallError>;

/// Spotify's answer that this app may not use this route at all, as opposed to an answer about
/// the request: a 403 whose message is only `Forbidden` (what Spotify sends for a withheld
/// endpoint), or a 404 `Service not found` (a path it does not route), each without a
/// `reason`. Anything more specific is about the resource, the scopes or the account.
pub fn route_refused(error: &CallError) -> bool {
    let CallError::Spotify {
        status,
        message,
        reason: None,
        ..
    } = error
    else {
        return false;
    };
    let message = message.trim().trim_end_matches('.').to_ascii_lowercase();
    match status.as_u16() {
        403 => message.is_empty() || message == "forbidden",
        404 => message == "service not found",
        _ => false,
    }
}

pub async fn call(client: &Client, name: &str, arguments: Value) -> Outcome {
    let Value::Object(arguments) = arguments else {
        return Err(CallError::BadRequest(format!(
            "arguments for `{name}` are not an object"
        )));
    };
    generated_tools::dispatch(client, name, &mut Args::new(arguments))
        .await
        .unwrap_or_else(|| Err(CallError::BadRequest(format!("no tool `{name}`"))))
}
