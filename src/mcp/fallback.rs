//! Route fallback for the routes Spotify moved in February 2026. Apps of the new kind may only
//! use the current routes; older apps may still be on the legacy ones. A tool of a moved family
//! first tries its own route (or the one this login is known to use), and when Spotify answers
//! that this app may not use that route, it calls the counterpart tool through the generated
//! dispatch with converted arguments and gives the answer back in the requested tool's shape.
//! When one route is refused and the other works, that is remembered per family
//! ([`RouteMemory`](crate::middleware::routes::RouteMemory)), so later calls go straight to the route that works.
//! The families, their tools and how arguments convert come from the spec's
//! `x-mcp-route-families`, through the generated operation table ([`crate::spec`]).
//!
//! "This app may not use this route" is told apart from every other refusal conservatively
//! (see [`route_refused`]): only a bare 403 `Forbidden` or a 404 `Service not found`, both
//! without a `reason`. A missing playlist (404 `Resource not found`), a missing scope (403
//! `Insufficient client scope`), someone else's playlist, `PREMIUM_REQUIRED` or
//! `NO_ACTIVE_DEVICE` never switch routes. A refused call changed nothing, so retrying a write
//! on the other route is safe.

use super::dispatch::Args;
use super::generated_tools;
use crate::foundation::metrics;
use crate::middleware::routes::RouteMemory;
use crate::spec::{self, Side};
use crate::spotify::{Client, SpotifyCall};
use serde_json::{Map, Value};

mod by_uri;
mod calls;
mod convert;

pub use calls::route_refused;
use calls::{Outcome, call};

/// A tool of a moved family: the family (the memory key) and the side the tool is on.
struct Moved {
    family: &'static str,
    side: Side,
}

/// The tool's family from the generated operation table (`x-mcp-route-families` in the spec).
fn moved(name: &str) -> Option<Moved> {
    let member = spec::tool_operation(name)?.route?;
    Some(Moved {
        family: member.family,
        side: member.side,
    })
}

/// Runs tool `name` with `arguments` (already validated), on whichever route this app can use.
pub async fn dispatch(
    spotify: &SpotifyCall,
    routes: &RouteMemory,
    name: &str,
    arguments: Map<String, Value>,
) -> Option<Outcome> {
    let client = spotify.client();
    let Some(Moved { family, side }) = moved(name) else {
        return generated_tools::dispatch(client, name, &mut Args::new(arguments)).await;
    };
    let identity = spotify.credentials().identity().await;
    let remembered = routes.get(family, &identity).await;
    // The remembered route when these arguments can be expressed there, else the tool's own.
    let (first, outcome) = match remembered.filter(|route| *route != side) {
        Some(other) => match run(client, name, side, other, &arguments).await {
            Some(outcome) => (other, outcome),
            None => (side, own(client, name, &arguments).await),
        },
        None => (side, own(client, name, &arguments).await),
    };
    // Only a refusal teaches anything: an app that may use both routes keeps the current one
    // even after a legacy tool was called by name.
    let refusal = match outcome {
        Err(error) if route_refused(&error) => error,
        other => return Some(other),
    };
    let second = first.other();
    let Some(outcome) = run(client, name, side, second, &arguments).await else {
        return Some(Err(refusal));
    };
    tracing::info!(
        tool = name,
        family,
        "Spotify refused the {} route to this app; trying the {} one",
        first.as_str(),
        second.as_str()
    );
    let result = if outcome.is_ok() { "ok" } else { "error" };
    metrics::route_fallback(family, second.as_str(), result);
    match outcome {
        Ok(body) => {
            routes.set(family, &identity, second).await;
            Some(Ok(body))
        }
        // Both routes refused: the requested tool's own answer is the one to show.
        Err(other) if route_refused(&other) && second != side => Some(Err(refusal)),
        Err(other) => Some(Err(other)),
    }
}

/// The tool itself, through the generated dispatch.
async fn own(client: &Client, name: &str, arguments: &Map<String, Value>) -> Outcome {
    call(client, name, Value::Object(arguments.clone())).await
}

/// Calls tool `name` (on `side`) through `route`: itself, or its counterpart with converted
/// arguments and the answer converted back; `None` when the arguments cannot be expressed
/// on `route` (e.g. saves with their own timestamps).
async fn run(
    client: &Client,
    name: &str,
    side: Side,
    route: Side,
    arguments: &Map<String, Value>,
) -> Option<Outcome> {
    if route == side {
        return Some(own(client, name, arguments).await);
    }
    counterpart(client, name, side, arguments).await
}

/// The counterpart call of `name` on the other side; `None` when the arguments cannot be
/// expressed there.
async fn counterpart(
    client: &Client,
    name: &str,
    side: Side,
    arguments: &Map<String, Value>,
) -> Option<Outcome> {
    match side {
        Side::Legacy => convert::to_current(client, spec::legacy_route(name)?, arguments).await,
        Side::Current => convert::to_legacy(client, name, arguments).await,
    }
}
