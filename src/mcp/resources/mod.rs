//! MCP resources: the views of [`super::apps`] and the Spotify data a host can read or
//! subscribe to — now-playing (subscribable), the user's playlists, and templates for a
//! playlist, album, artist and show. Every read is a tool call acting for the request's caller.

pub mod caller;
pub mod listening;
pub mod now_playing;
pub mod reading;
pub mod subscriptions;
pub mod uris;

use super::apps;
use super::narrowing;
use super::server::SpotifyServer;
use rmcp::model::{
    CacheScope, ListResourceTemplatesResult, ListResourcesResult, ReadResourceRequestParams,
    ReadResourceResponse, Resource,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer};
use serde_json::Value;

/// How long a template list stays true: it is fixed in the binary.
const TEMPLATES_TTL_MS: u64 = 60 * 60 * 1000;

/// `resources/list`: every view, the fixed resources, then the caller's playlists (when their
/// credentials can list them). Per-user, so private, fresh as long as the user cache class.
pub async fn list(
    server: &SpotifyServer,
    context: &RequestContext<RoleServer>,
) -> Result<ListResourcesResult, ErrorData> {
    // Left out: what reads through a tool this request may not call (the server's catalog, or
    // the request's narrowing headers).
    let mut resources: Vec<Resource> = apps::resources()
        .into_iter()
        .filter(|view| view_admitted(server, context, &view.uri))
        .collect();
    let readable = |uri: &str| {
        uris::target(uri).is_some_and(|target| caller::admitted(server, context, target.tool))
    };
    resources.extend(uris::fixed().into_iter().filter(|r| readable(&r.uri)));
    let playlists = uris::target(uris::MY_PLAYLISTS).expect("a fixed resource has a target");
    // The playlists only for a caller who may list them (scopes too); the fixed entries whatever
    // the token's scopes.
    if caller::may_use(server, context, playlists.tool).is_ok() {
        let credentials = caller::credentials(server, context);
        let listed = reading::answer(server, credentials, &playlists).await;
        resources.extend(listed.ok().flatten().iter().flat_map(playlist_resources));
    }
    let mut result = ListResourcesResult::with_all_items(resources);
    result.ttl_ms = server
        .catalog()
        .get(playlists.tool)
        .map(|entry| server.api.cache_ttl(entry.def.operation).as_millis() as u64);
    result.cache_scope = Some(CacheScope::Private);
    Ok(result)
}

/// The playlists of a `get_my_playlists` answer as resources named by their Spotify URIs.
fn playlist_resources(answer: &Value) -> Vec<Resource> {
    let items = answer["items"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .filter_map(|item| {
            let id = item["id"].as_str()?;
            let name = item["name"].as_str().unwrap_or(id);
            Some(
                Resource::new(format!("spotify:playlist:{id}"), name)
                    .with_description("One of your playlists")
                    .with_mime_type("application/json"),
            )
        })
        .collect()
}

/// `resources/templates/list`: those read through tools of the server's catalog, the same for
/// everyone for as long as this server runs — unless the request's headers narrowed them.
pub async fn templates(
    server: &SpotifyServer,
    context: &RequestContext<RoleServer>,
) -> Result<ListResourceTemplatesResult, ErrorData> {
    let templates = uris::templates().into_iter().filter(|template| {
        uris::template_tool(&template.uri_template)
            .is_some_and(|tool| caller::admitted(server, context, tool))
    });
    let mut result = ListResourceTemplatesResult::with_all_items(templates.collect());
    result.ttl_ms = Some(TEMPLATES_TTL_MS);
    // A shared cache does not see the headers: a narrowed list is for this caller only.
    result.cache_scope = Some(match narrowing::of(context) {
        Some(_) => CacheScope::Private,
        None => CacheScope::Public,
    });
    Ok(result)
}

/// Whether a `ui://` view renders the results of a tool this request may call.
fn view_admitted(server: &SpotifyServer, context: &RequestContext<RoleServer>, uri: &str) -> bool {
    apps::VIEWS
        .iter()
        .find(|view| view.uri == uri)
        .is_some_and(|view| {
            view.tools
                .iter()
                .any(|tool| caller::admitted(server, context, tool))
        })
}

/// `resources/read`.
pub async fn read(
    server: &SpotifyServer,
    request: ReadResourceRequestParams,
    context: &RequestContext<RoleServer>,
) -> Result<ReadResourceResponse, ErrorData> {
    if let Some(view) = apps::read(&request.uri) {
        if !view_admitted(server, context, &request.uri) {
            return Err(ErrorData::invalid_params(
                format!(
                    "view `{}` renders tools outside what this request may call (the server's catalog, \
                     or the toolsets or read-only headers it narrowed to); call resources/list with the \
                     same headers to see what it may read",
                    request.uri
                ),
                None,
            ));
        }
        return Ok(view.into());
    }
    let Some(target) = uris::target(&request.uri) else {
        return Err(ErrorData::resource_not_found(
            format!(
                "no resource `{}`; call resources/list or resources/templates/list to see what can be read",
                crate::foundation::excerpt::excerpt(&request.uri)
            ),
            // SEP-2164: the error names the resource it could not find.
            Some(serde_json::json!({ "uri": crate::foundation::excerpt::excerpt(&request.uri) })),
        ));
    };
    caller::may_use(server, context, target.tool)?;
    let credentials = caller::credentials(server, context);
    let answer = reading::answer(server, credentials, &target).await?;
    Ok(reading::contents(server, &request.uri, &target, answer).into())
}
