//! The rmcp handler: lists the catalog and hands each tool call to [`SpotifyServer::call_as`].

use super::audit::Actor;
use super::confirm::Asking;
use super::dynamic;
use super::narrowing::{self, Narrowing};
use super::pagination::Progress;
use super::resources;
use super::server::SpotifyServer;
use crate::credentials::{CallerCredentials, Credentials};
use crate::foundation::config::ToolMode;
use crate::store::AccessGrant;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ProtocolVersion, ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities,
    ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use std::sync::Arc;

impl ServerHandler for SpotifyServer {
    fn get_info(&self) -> ServerConfig {
        let mut info = ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        );
        info.protocol_version = ProtocolVersion::LATEST_WITH_INITIALIZE;
        let extensions = info
            .capabilities
            .extensions
            .get_or_insert_with(Default::default);
        extensions.extend(super::apps::extensions());
        info.server_info = Implementation::new("spotify-mcp", env!("CARGO_PKG_VERSION"));
        info.instructions = Some(super::instructions::instructions());
        info
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let narrowing = narrowing_of(&context);
        let mut tools = match self.catalog.mode {
            ToolMode::Static => self
                .catalog
                .listed()
                .filter(|e| narrowing::admits(narrowing, e.def))
                .map(|e| e.tool.clone())
                .collect(),
            ToolMode::Dynamic => dynamic::tools(&self.catalog),
        };
        tools.extend(self.own_tools(narrowing));
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let progress = context.meta.get_progress_token().map(|token| Progress {
            peer: context.peer.clone(),
            token,
        });
        let Some(_running) = self.calls_in_flight().enter() else {
            return Ok(CallToolResult::error(vec![ContentBlock::text(
                "the server is shutting down and takes no new calls; retry once it is back (or on another replica)",
            )])
            .into());
        };
        let credentials =
            credentials_of(&context).unwrap_or_else(|| self.default_credentials().clone());
        let asking = Asking::of(&context, request.request_state, request.input_responses);
        self.call_asking(
            &actor_of(&context),
            credentials,
            &request.name,
            request.arguments,
            asking,
            progress,
            narrowing_of(&context),
        )
        .await
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        resources::list(self, &context).await
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        resources::templates(self, &context).await
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        resources::read(self, request, &context).await
    }

    fn get_tool(&self, name: &str) -> Option<rmcp::model::Tool> {
        let own = || self.own_tools(None).into_iter().find(|t| t.name == name);
        self.catalog
            .get(name)
            .map(|entry| entry.tool.clone())
            .or_else(own)
    }
}

/// The narrowing the HTTP transport attached to this request, if any (stdio has none).
fn narrowing_of(context: &RequestContext<RoleServer>) -> Option<&Narrowing> {
    context
        .extensions
        .get::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Narrowing>())
}

/// Who the call is recorded as: the user and client of the bearer token in multi-user mode,
/// else the name the client gave when it initialized.
fn actor_of(context: &RequestContext<RoleServer>) -> Actor {
    let grant = context
        .extensions
        .get::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Arc<AccessGrant>>());
    match grant {
        Some(grant) => Actor {
            user_id: Some(grant.user_id.clone()),
            client: Some(grant.client_id.clone()),
        },
        None => context
            .peer
            .peer_info()
            .map(|info| Actor::named_client(&info.client_info.name))
            .unwrap_or_default(),
    }
}

/// The credentials the transport attached to this request, when it authenticated a caller of
/// its own (otherwise the call uses the server's default credentials).
fn credentials_of(context: &RequestContext<RoleServer>) -> Option<Arc<dyn Credentials>> {
    context
        .extensions
        .get::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CallerCredentials>())
        .map(|caller| caller.0.clone())
}
