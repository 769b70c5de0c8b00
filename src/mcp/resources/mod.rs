//! MCP resources: the views of [`super::apps`] and the Spotify data a host can read or
//! subscribe to.

use super::apps;
use super::server::SpotifyServer;
use rmcp::model::{
    ListResourceTemplatesResult, ListResourcesResult, ReadResourceRequestParams,
    ReadResourceResponse,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer};

/// `resources/list`: every view, then the Spotify resources.
pub async fn list(
    _server: &SpotifyServer,
    _context: &RequestContext<RoleServer>,
) -> Result<ListResourcesResult, ErrorData> {
    Ok(ListResourcesResult::with_all_items(apps::resources()))
}

/// `resources/templates/list`.
pub async fn templates(
    _server: &SpotifyServer,
    _context: &RequestContext<RoleServer>,
) -> Result<ListResourceTemplatesResult, ErrorData> {
    Ok(ListResourceTemplatesResult::with_all_items(Vec::new()))
}

/// `resources/read`.
pub async fn read(
    _server: &SpotifyServer,
    request: ReadResourceRequestParams,
    _context: &RequestContext<RoleServer>,
) -> Result<ReadResourceResponse, ErrorData> {
    if let Some(view) = apps::read(&request.uri) {
        return Ok(view.into());
    }
    Err(ErrorData::resource_not_found(
        format!(
            "no resource `{}`; call resources/list or resources/templates/list to see what can be read",
            crate::foundation::excerpt::excerpt(&request.uri)
        ),
        None,
    ))
}
