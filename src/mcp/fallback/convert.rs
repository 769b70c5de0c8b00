//! Arguments and answers carried between a legacy tool and its current counterpart, as the
//! spec's `x-mcp-route-families` says.

use super::by_uri::{library_current, library_legacy};
use super::calls::{Outcome, call, route_refused};
use crate::mcp::errors::CallError;
use crate::spec::{self, Convert, LegacyRoute};
use crate::spotify::Client;
use futures::stream::{self, StreamExt, TryStreamExt};
use serde_json::{Map, Value, json};

/// Per-item GETs run this many at a time: enough to be quick, few enough not to trip 429s.
const PER_ITEM_CONCURRENCY: usize = 4;

/// A legacy tool done with its current counterpart.
pub(super) async fn to_current(
    client: &Client,
    route: &LegacyRoute,
    arguments: &Map<String, Value>,
) -> Option<Outcome> {
    let mut converted = arguments.clone();
    match route.convert {
        Convert::SameArguments {
            arguments: renames,
            entries,
            limit,
        } => {
            rename(&mut converted, renames.iter().copied());
            if let Some(limit) = limit {
                cap(&mut converted, limit.arg, limit.current_max);
            }
            // The current answer has the current keys; the caller wants the legacy ones too.
            let copies = entries.iter().map(|&(legacy, current)| (current, legacy));
            Some(same_call(client, route.current, converted, copies).await)
        }
        Convert::ForUser { user, .. } => {
            converted.remove(user);
            Some(call(client, route.current, Value::Object(converted)).await)
        }
        Convert::ByUri { .. } => library_current(client, route, arguments).await,
        Convert::PerItem { ids, id, key } => {
            Some(per_item(client, (ids, id, key), route.current, arguments).await)
        }
    }
}

/// A current tool done with its legacy counterpart(s).
pub(super) async fn to_legacy(
    client: &Client,
    current: &str,
    arguments: &Map<String, Value>,
) -> Option<Outcome> {
    let route = spec::legacy_routes_to(current).next()?;
    let mut converted = arguments.clone();
    match route.convert {
        Convert::SameArguments {
            arguments: renames,
            entries,
            limit,
        } => {
            rename(
                &mut converted,
                renames.iter().map(|&(legacy, current)| (current, legacy)),
            );
            if let Some(limit) = limit {
                cap(&mut converted, limit.arg, limit.legacy_max);
            }
            Some(same_call(client, route.legacy, converted, entries.iter().copied()).await)
        }
        Convert::ForUser { user, profile } => {
            Some(for_user(client, route.legacy, user, profile, converted).await)
        }
        Convert::ByUri { .. } => Some(library_legacy(client, current, arguments).await),
        // A per-item GET is outside its family: it never falls back.
        Convert::PerItem { .. } => None,
    }
}

/// Renames the arguments `(from, to)` that are present.
fn rename<'a>(arguments: &mut Map<String, Value>, pairs: impl Iterator<Item = (&'a str, &'a str)>) {
    for (from, to) in pairs {
        if let Some(value) = arguments.remove(from) {
            arguments.insert(to.into(), value);
        }
    }
}

/// Cuts a page size to what the target takes: a smaller page (its `next` says where to go
/// on) beats a 400.
fn cap(arguments: &mut Map<String, Value>, arg: &str, max: u64) {
    if let Some(limit) = arguments.get_mut(arg)
        && limit.as_u64().is_some_and(|n| n > max)
    {
        *limit = json!(max);
    }
}

/// Calls `target` and copies each `(have, want)` key of the answer's `items` entries, so the
/// answer has the requested tool's shape (a legacy entry carries the item as `track`, a
/// current one as `item`).
async fn same_call<'a>(
    client: &Client,
    target: &str,
    arguments: Map<String, Value>,
    copies: impl Iterator<Item = (&'a str, &'a str)>,
) -> Outcome {
    let mut body = call(client, target, Value::Object(arguments)).await?;
    let copies: Vec<(&str, &str)> = copies.collect();
    if let Some(Value::Array(entries)) = body.as_mut().and_then(|b| b.get_mut("items")) {
        for entry in entries.iter_mut().filter_map(Value::as_object_mut) {
            for &(have, want) in &copies {
                if !entry.contains_key(want)
                    && let Some(value) = entry.get(have).cloned()
                {
                    entry.insert(want.into(), value);
                }
            }
        }
    }
    Ok(body)
}

/// The legacy call for the signed-in user, whose id the `profile` tool answers.
async fn for_user(
    client: &Client,
    legacy: &str,
    user: &str,
    profile: &str,
    mut arguments: Map<String, Value>,
) -> Outcome {
    let me = call(client, profile, json!({})).await?;
    let Some(user_id) = me.as_ref().and_then(|me| me.get("id")).cloned() else {
        return Err(CallError::UnexpectedAnswer(
            "the profile of the signed-in user has no id".into(),
        ));
    };
    arguments.insert(user.into(), user_id);
    call(client, legacy, Value::Object(arguments)).await
}

/// A "get several" answer assembled from per-item GETs of `one`: `{key: [object or null, ...]}`
/// in the caller's order, `null` for an id Spotify does not know (as the several call answers).
async fn per_item(
    client: &Client,
    (ids_arg, id_arg, key): (&str, &str, &str),
    one: &str,
    arguments: &Map<String, Value>,
) -> Outcome {
    let ids: Vec<Value> = arguments
        .get(ids_arg)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut shared = arguments.clone();
    shared.remove(ids_arg);
    let items: Vec<Value> = stream::iter(ids)
        .map(|id| {
            let mut arguments = shared.clone();
            arguments.insert(id_arg.into(), id);
            async move {
                match call(client, one, Value::Object(arguments)).await {
                    Ok(body) => Ok(body.unwrap_or(Value::Null)),
                    Err(error) if is_not_found(&error) => Ok(Value::Null),
                    Err(error) => Err(error),
                }
            }
        })
        .buffered(PER_ITEM_CONCURRENCY)
        .try_collect()
        .await?;
    Ok(Some(json!({ key: items })))
}

fn is_not_found(error: &CallError) -> bool {
    matches!(error, CallError::Spotify { status, .. } if status.as_u16() == 404)
        && !route_refused(error)
}
