//! The rmcp handler: lists the catalog and hands each tool call to [`SpotifyServer::call_as`].

use super::audit::Actor;
use super::confirm::Asking;
use super::dynamic;
use super::narrowing::{self, Narrowing};
use super::pagination::Progress;
use super::resources;
use super::server::SpotifyServer;
use super::tasks::{self, Owner};
use super::{completions, prompts};
use crate::credentials::{CallerCredentials, Credentials};
use crate::foundation::config::ToolMode;
use crate::store::AccessGrant;
use rmcp::model::{
    CacheScope, CallToolRequestParams, CallToolResponse, CallToolResult, CompleteRequestParams,
    CompleteResult, ContentBlock, GetPromptRequestParams, GetPromptResponse, Implementation,
    ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams, ProtocolVersion, ReadResourceRequestParams, ReadResourceResponse,
    ServerCapabilities, ServerConfig, SubscribeRequestParams, SubscriptionFilter,
    UnsubscribeRequestParams,
};
use rmcp::model::{CancelTaskParams, GetTaskParams, GetTaskResult, UpdateTaskParams};
use rmcp::service::{NotificationContext, RequestContext, SubscriptionContext};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use std::sync::Arc;

/// How long a list fixed for the server's life (tools, prompts) may be cached: an hour, so
/// a restarted server with other flags is seen within one.
const CATALOG_TTL_MS: u64 = 60 * 60 * 1000;

impl ServerHandler for SpotifyServer {
    fn get_info(&self) -> ServerConfig {
        let mut info = ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_resources_subscribe()
                .enable_prompts()
                .enable_completions()
                .build(),
        );
        info.protocol_version = ProtocolVersion::LATEST_WITH_INITIALIZE;
        // Declared only where the catalog can change: a watched stored login.
        if let (Some(_), Some(tools)) =
            (self.tool_list.declared(), info.capabilities.tools.as_mut())
        {
            tools.list_changed = Some(true);
        }
        let extensions = info
            .capabilities
            .extensions
            .get_or_insert_with(Default::default);
        extensions.extend(super::apps::extensions());
        extensions.extend(tasks::extensions());
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
        let catalog = self.catalog();
        let mut tools: Vec<_> = match catalog.mode {
            ToolMode::Static => catalog
                .listed()
                .filter(|e| narrowing::admits(narrowing, e.def))
                .map(|e| e.tool.clone())
                .collect(),
            ToolMode::Dynamic => dynamic::tools(&catalog),
        };
        tools.extend(self.own_tools(narrowing));
        let mut result = ListToolsResult::with_all_items(tools);
        // Narrowed by this request's headers, a shared cache (which does not see them) must not
        // hand it to others. Fixed for the server's life unless a watched login can change it:
        // then it may be cached no longer than the login is rechecked.
        let ttl = self
            .tool_list
            .declared()
            .map(|every| every.as_millis() as u64);
        result.ttl_ms = Some(ttl.unwrap_or(CATALOG_TTL_MS));
        result.cache_scope = Some(match narrowing {
            Some(_) => CacheScope::Private,
            None => CacheScope::Public,
        });
        Ok(result)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let progress = context
            .meta
            .get_progress_token()
            .map(|token| Progress::Notify {
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
        let actor = actor_of(&context);
        let narrowing = narrowing_of(&context);
        if let Some(task) =
            tasks::start_if_eligible(self, &context, &actor, &credentials, &request, narrowing)
                .await
        {
            return Ok(task);
        }
        let asking = Asking::of(&context, request.request_state, request.input_responses);
        self.call_asking(
            &actor,
            credentials,
            &request.name,
            request.arguments,
            asking,
            progress,
            narrowing,
        )
        .await
    }

    async fn get_task(
        &self,
        request: GetTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetTaskResult, ErrorData> {
        let owner = Owner::of(&actor_of(&context));
        self.tasks.get(&owner, &request.task_id).await
    }

    async fn update_task(
        &self,
        request: UpdateTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let owner = Owner::of(&actor_of(&context));
        self.tasks
            .update(&owner, &request.task_id, request.input_responses)
            .await
    }

    async fn cancel_task(
        &self,
        request: CancelTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let owner = Owner::of(&actor_of(&context));
        self.tasks.cancel(&owner, &request.task_id).await
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

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        let mut result = ListPromptsResult::with_all_items(prompts::list());
        // Fixed in the binary and the same for everyone.
        result.ttl_ms = Some(CATALOG_TTL_MS);
        result.cache_scope = Some(CacheScope::Public);
        Ok(result)
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let arguments = request.arguments.unwrap_or_default();
        prompts::get(&request.name, &arguments).map(GetPromptResponse::from)
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        completions::complete(self, &request, &context).await
    }

    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        resources::listening::subscribe(self, &request.uri, &context).await
    }

    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        resources::listening::unsubscribe(self, &request.uri, &context);
        Ok(())
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        let tools = self.tool_list.declared().is_some();
        Some(resources::listening::accepted(requested, tools))
    }

    async fn listen(&self, subscription: SubscriptionContext) -> Result<(), ErrorData> {
        resources::listening::listen(self, subscription).await;
        Ok(())
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        // Sessions of revisions before 2026-07-28 hear of catalog changes unasked.
        self.tool_list.join(context.peer);
    }

    fn get_tool(&self, name: &str) -> Option<rmcp::model::Tool> {
        let own = || self.own_tools(None).into_iter().find(|t| t.name == name);
        self.catalog()
            .get(name)
            .map(|entry| entry.tool.clone())
            .or_else(own)
    }
}

/// The narrowing the HTTP transport attached to this request, if any (stdio has none).
fn narrowing_of(context: &RequestContext<RoleServer>) -> Option<&Narrowing> {
    narrowing::of(context)
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
