//! `all_pages` as a task (the MCP tasks extension, SEP-2663, `io.modelcontextprotocol/tasks`).
//!
//! A `tools/call` of a paginated tool with `all_pages: true`, from a request that declared the
//! tasks extension, answers at once with a task; the paging runs in the background through the
//! same path as a synchronous call ([`SpotifyServer::call_asking`]), its status message follows
//! the pages, and `tasks/cancel` stops it between pages. Everything else answers as before.
//!
//! A task belongs to who created it: the bearer's user in multi-user mode, else the server's one
//! user. `tasks/get`, `tasks/update` and `tasks/cancel` of someone else's task answer exactly as
//! for a task that does not exist. Tasks live in this process's memory (rmcp's
//! [`TaskManager`](rmcp::task_manager::TaskManager)); with Redis
//! ([`SpotifyServer::with_tasks_redis`]) they are mirrored there, so any replica answers
//! `tasks/get` and `tasks/cancel` ([`mirror`]); without, only the one that created them.

pub mod mirror;
pub mod progress;
pub mod store;

pub use store::{
    MAX_KEPT, MAX_KEPT_PER_USER, MAX_RUNNING, MAX_RUNNING_PER_USER, Owner, POLL_INTERVAL_MS,
    TASK_TTL_MS, Tasks, extensions,
};

use super::audit::Actor;
use super::confirm::Asking;
use super::generated_tools::ALL_PAGES_ARG;
use super::narrowing::{self, Narrowing};
use super::server::SpotifyServer;
use crate::credentials::Credentials;
use crate::foundation::config::ToolMode;
use crate::foundation::redis_link::RedisLink;
use rmcp::RoleServer;
use rmcp::model::{CallToolRequestParams, CallToolResponse};
use rmcp::service::RequestContext;
use serde_json::{Map, Value};
use std::sync::Arc;

impl SpotifyServer {
    /// Shares tasks through `redis` (`--redis-url`): any replica on it answers `tasks/get` and
    /// `tasks/cancel` of a task another created. `None`: tasks of this process only.
    pub fn with_tasks_redis(mut self, redis: Option<Arc<RedisLink>>) -> Self {
        self.tasks = Arc::new(store::Tasks::shared_through(redis));
        self
    }
}

/// Starts `request` as a task and returns its handle, when the request declared the tasks
/// extension and pages through a list (`all_pages: true` on a paginated tool this request may
/// call); `None`: answer it synchronously, as before.
pub async fn start_if_eligible(
    server: &SpotifyServer,
    context: &RequestContext<RoleServer>,
    actor: &Actor,
    credentials: &Arc<dyn Credentials>,
    request: &CallToolRequestParams,
    narrowing: Option<&Narrowing>,
) -> Option<CallToolResponse> {
    let declared = context
        .client_capabilities()
        .is_some_and(|capabilities| capabilities.supports_tasks());
    if !declared || !pages_a_list(server, &request.name, request.arguments.as_ref(), narrowing) {
        return None;
    }
    // Counted like any call, so a graceful shutdown waits for the paging too.
    let running = server.calls_in_flight().enter()?;
    let (server, actor, credentials) = (server.clone(), actor.clone(), credentials.clone());
    let (name, arguments) = (request.name.to_string(), request.arguments.clone());
    let narrowing = narrowing.cloned();
    let tasks = server.tasks.clone();
    let owner = Owner::of(&actor);
    let created = tasks.start(owner, |progress| async move {
        let _running = running;
        server
            .call_asking(
                &actor,
                credentials,
                &name,
                arguments,
                Asking::Cannot,
                Some(progress),
                narrowing.as_ref(),
            )
            .await
    });
    let created = created.await?;
    Some(CallToolResponse::Task(created))
}

/// `all_pages: true` on a listed, paginated tool of the static catalog this request may call.
fn pages_a_list(
    server: &SpotifyServer,
    name: &str,
    arguments: Option<&Map<String, Value>>,
    narrowing: Option<&Narrowing>,
) -> bool {
    let all_pages = arguments.and_then(|a| a.get(ALL_PAGES_ARG)) == Some(&Value::Bool(true));
    let catalog = server.catalog();
    all_pages
        && catalog.mode == ToolMode::Static
        && catalog
            .get(name)
            .is_some_and(|entry| entry.def.paginated && narrowing::admits(narrowing, entry.def))
}
