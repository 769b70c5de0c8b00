//! The library family: current tools take Spotify URIs of any type, legacy ones the ids of one
//! type (or one id per call).

use super::calls::{Outcome, call};
use crate::mcp::errors::CallError;
use crate::spec::{self, Convert, Ids, LegacyRoute};
use crate::spotify::Client;
use serde_json::{Map, Value, json};

/// `spotify:track:abc` → (`track`, `abc`), for the URI types the legacy routes know.
fn split_uri<'u>(
    uri: &'u str,
    field: &str,
    kinds: &[&str],
) -> Result<(&'u str, &'u str), CallError> {
    let mut parts = uri.split(':');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("spotify"), Some(kind), Some(id), None)
            if kinds.contains(&kind) && !id.is_empty() =>
        {
            Ok((kind, id))
        }
        _ => Err(CallError::InvalidArgument {
            field: field.into(),
            problem: format!(
                "`{uri}` is not a Spotify URI of a {} (spotify:<type>:<id>)",
                one_of(kinds)
            ),
        }),
    }
}

/// `a, b or c`.
fn one_of(kinds: &[&str]) -> String {
    match kinds.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The library write or check by URI done with the per-type legacy calls of `current`.
/// Checks come back in the caller's order.
pub(super) async fn library_legacy(
    client: &Client,
    current: &str,
    arguments: &Map<String, Value>,
) -> Outcome {
    let routes: Vec<&LegacyRoute> = spec::legacy_routes_to(current).collect();
    let by_uri: Vec<(&LegacyRoute, ByUri)> = routes
        .iter()
        .filter_map(|route| ByUri::of(route).map(|by| (*route, by)))
        .collect();
    let kinds: Vec<&str> = by_uri
        .iter()
        .flat_map(|(_, by)| by.uri_types.iter().copied())
        .collect();
    let field = by_uri.first().map_or("uris", |(_, by)| by.uris);
    let uris: Vec<&str> = arguments
        .get(field)
        .and_then(Value::as_array)
        .map(|uris| uris.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let parsed = uris
        .iter()
        .map(|uri| split_uri(uri, field, &kinds))
        .collect::<Result<Vec<_>, _>>()?;
    let flags = by_uri.iter().any(|(_, by)| by.flags);
    let mut answers: Vec<Value> = vec![Value::Null; parsed.len()];
    for (route, by) in &by_uri {
        for kind in by.uri_types {
            let positions: Vec<usize> = (0..parsed.len())
                .filter(|&i| parsed[i].0 == *kind)
                .collect();
            if positions.is_empty() {
                continue;
            }
            for (positions, arguments) in by.calls(kind, &positions, &parsed) {
                let body = call(client, route.legacy, arguments).await?;
                if flags {
                    let answered = body.as_ref().and_then(Value::as_array);
                    for (k, &i) in positions.iter().enumerate() {
                        answers[i] = answered
                            .and_then(|f| f.get(k))
                            .cloned()
                            .unwrap_or(json!(false));
                    }
                }
            }
        }
    }
    Ok(flags.then_some(Value::Array(answers)))
}

/// The fields of [`Convert::ByUri`].
struct ByUri {
    uri_types: &'static [&'static str],
    uris: &'static str,
    ids: Ids,
    type_arg: Option<&'static str>,
    body_ids: Option<&'static str>,
    flags: bool,
}

impl ByUri {
    fn of(route: &LegacyRoute) -> Option<Self> {
        match route.convert {
            Convert::ByUri {
                uri_types,
                uris,
                ids,
                type_arg,
                body_ids,
                flags,
                ..
            } => Some(Self {
                uri_types,
                uris,
                ids,
                type_arg,
                body_ids,
                flags,
            }),
            _ => None,
        }
    }

    /// The legacy calls for the URIs of one type at `positions`: one per id, or one for all.
    fn calls(
        &self,
        kind: &str,
        positions: &[usize],
        parsed: &[(&str, &str)],
    ) -> Vec<(Vec<usize>, Value)> {
        let ids: Vec<&str> = positions.iter().map(|&i| parsed[i].1).collect();
        match self.ids {
            Ids::One(arg) => positions
                .iter()
                .zip(&ids)
                .map(|(&i, id)| (vec![i], json!({ arg: id })))
                .collect(),
            Ids::List(arg) => {
                let mut arguments = Map::new();
                arguments.insert(arg.into(), json!(ids));
                if let Some(type_arg) = self.type_arg {
                    arguments.insert(type_arg.into(), json!(kind));
                }
                if let Some(body_ids) = self.body_ids {
                    arguments.insert(body_ids.into(), json!(ids));
                }
                vec![(positions.to_vec(), Value::Object(arguments))]
            }
        }
    }
}

/// A legacy library tool done with the current call by URI.
pub(super) async fn library_current(
    client: &Client,
    route: &LegacyRoute,
    arguments: &Map<String, Value>,
) -> Option<Outcome> {
    let Convert::ByUri {
        uri_types,
        uris,
        ids,
        type_arg,
        unconvertible,
        ..
    } = route.convert
    else {
        return None;
    };
    // Saves with their own timestamps have no equivalent on the current route.
    if unconvertible
        .iter()
        .any(|arg| arguments.get(*arg).is_some_and(|v| !v.is_null()))
    {
        return None;
    }
    let kind = type_arg
        .and_then(|arg| arguments.get(arg))
        .and_then(Value::as_str)
        .filter(|given| uri_types.contains(given))
        .or_else(|| uri_types.first().copied())?;
    let ids: Vec<String> = match ids {
        Ids::One(arg) => vec![arguments.get(arg)?.as_str()?.to_string()],
        Ids::List(arg) => arguments
            .get(arg)
            .and_then(Value::as_array)?
            .iter()
            .filter_map(|id| id.as_str().map(String::from))
            .collect(),
    };
    let list: Vec<String> = ids
        .iter()
        .map(|id| format!("spotify:{kind}:{id}"))
        .collect();
    Some(call(client, route.current, json!({ uris: list })).await)
}
