//! `completion/complete`: suggestions for prompt arguments (playlist names, device names,
//! toolset names, time ranges) and template parameters (the ids of the caller's playlists and
//! saved shows), filtered by what was typed so far. Only what the request may read: names come
//! through tools, which its narrowing headers and token scopes may not admit.

use super::narrowing;
use super::prompts::{self, Suggest};
use super::resources::uris::{self, LISTED_PLAYLISTS, Target};
use super::resources::{caller, reading};
use super::server::SpotifyServer;
use rmcp::model::{CompleteRequestParams, CompleteResult, CompletionInfo, Reference};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The suggestions for one argument; none when there are none to give.
pub async fn complete(
    server: &SpotifyServer,
    request: &CompleteRequestParams,
    context: &RequestContext<RoleServer>,
) -> Result<CompleteResult, ErrorData> {
    let typed = request.argument.value.to_lowercase();
    let candidates = match &request.r#ref {
        Reference::Prompt(prompt) => {
            let suggest = prompts::COMPLETED
                .iter()
                .find(|(argument, _)| *argument == request.argument.name)
                .filter(|(argument, _)| prompts::has_argument(&prompt.name, argument))
                .map(|(_, suggest)| *suggest);
            match suggest {
                Some(suggest) => suggestions(server, suggest, context).await,
                None => Vec::new(),
            }
        }
        Reference::Resource(template) if request.argument.name == "id" => {
            template_ids(server, &template.uri, &typed, context).await
        }
        _ => Vec::new(),
    };
    let mut values: Vec<String> = match &request.r#ref {
        // Ids were matched by name already.
        Reference::Resource(_) => candidates,
        _ => candidates
            .into_iter()
            .filter(|value| value.to_lowercase().contains(&typed))
            .collect(),
    };
    let total = values.len();
    values.truncate(CompletionInfo::MAX_VALUES);
    let mut completion = CompletionInfo::new(values).unwrap_or_default();
    completion.total = Some(total as u32);
    completion.has_more = Some(total > CompletionInfo::MAX_VALUES);
    Ok(CompleteResult::new(completion))
}

async fn suggestions(
    server: &SpotifyServer,
    suggest: Suggest,
    context: &RequestContext<RoleServer>,
) -> Vec<String> {
    match suggest {
        Suggest::Toolsets => toolsets(server, context),
        Suggest::TimeRanges => prompts::TIME_RANGES.iter().map(|t| t.to_string()).collect(),
        Suggest::PlaylistNames => {
            let answer = fetch(
                server,
                "get_my_playlists",
                json!({ "limit": LISTED_PLAYLISTS }),
                context,
            )
            .await;
            strings(&answer, "items", &["name"])
        }
        Suggest::DeviceNames => {
            let answer = fetch(server, "get_devices", json!({}), context).await;
            strings(&answer, "devices", &["name"])
        }
    }
}

/// The toolsets of the listed tools this request may call (its narrowing headers, if any).
fn toolsets(server: &SpotifyServer, context: &RequestContext<RoleServer>) -> Vec<String> {
    let narrowing = narrowing::of(context);
    let sets: BTreeSet<&str> = server
        .catalog()
        .listed()
        .filter(|entry| narrowing::admits(narrowing, entry.def))
        .map(|entry| entry.def.toolset)
        .collect();
    sets.into_iter().map(String::from).collect()
}

/// Ids for `spotify:playlist:{id}` and `spotify:show:{id}` whose name or id matches `typed`.
async fn template_ids(
    server: &SpotifyServer,
    template: &str,
    typed: &str,
    context: &RequestContext<RoleServer>,
) -> Vec<String> {
    let (tool, list, path): (_, _, &[&str]) = match template {
        "spotify:playlist:{id}" => ("get_my_playlists", "items", &[]),
        "spotify:show:{id}" => ("get_saved_shows", "items", &["show"]),
        _ => return Vec::new(),
    };
    // No ids for a template this request may not read (it is not in its list either).
    let readable = uris::template_tool(template)
        .is_some_and(|reader| caller::admitted(server, context, reader));
    if !readable {
        return Vec::new();
    }
    let answer = fetch(server, tool, json!({ "limit": 50 }), context).await;
    let items = answer[list].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .map(|item| path.iter().fold(item, |value, key| &value[*key]))
        .filter(|object| {
            let name = object["name"].as_str().unwrap_or_default().to_lowercase();
            let id = object["id"].as_str().unwrap_or_default().to_lowercase();
            name.contains(typed) || id.starts_with(typed)
        })
        .filter_map(|object| object["id"].as_str().map(String::from))
        .collect()
}

/// A read-only tool's answer for the caller; `Null` when it fails (no suggestions, no error).
async fn fetch(
    server: &SpotifyServer,
    tool: &'static str,
    arguments: Value,
    context: &RequestContext<RoleServer>,
) -> Value {
    let Value::Object(arguments) = arguments else {
        return Value::Null;
    };
    if caller::may_use(server, context, tool).is_err() {
        return Value::Null;
    }
    let target = Target { tool, arguments };
    let credentials = caller::credentials(server, context);
    reading::answer(server, credentials, &target)
        .await
        .ok()
        .flatten()
        .unwrap_or(Value::Null)
}

/// The strings at `field` of each object in the list at `list`.
fn strings(answer: &Value, list: &str, field: &[&str]) -> Vec<String> {
    let items = answer[list].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .filter_map(|item| field.iter().fold(Some(item), |v, k| v?.get(*k))?.as_str())
        .map(String::from)
        .collect()
}
