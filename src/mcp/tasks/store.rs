//! The tasks of this process (rmcp's [`TaskManager`]) and whose each is, with the bounds on how
//! many a user and the server run and keep.

use crate::foundation::excerpt::excerpt;
use crate::mcp::audit::Actor;
use crate::mcp::pagination::Progress;
use rmcp::ErrorData;
use rmcp::model::{
    CallToolResponse, CreateTaskResult, ErrorCode, ExtensionCapabilities, GetTaskResult,
    InputResponses, JsonObject, TASKS_EXTENSION_ID,
};
use rmcp::task_manager::{TaskExit, TaskManager, TaskOptions};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

/// How long a task lives from its creation, and how long its result is kept once it finished:
/// an hour (paging stops after [`crate::mcp::pagination::MAX_PAGES`] pages, long before).
pub const TASK_TTL_MS: u64 = 60 * 60 * 1000;
/// How often a client should poll `tasks/get`.
pub const POLL_INTERVAL_MS: u64 = 1000;
/// Tasks one user may have running at once; beyond, calls answer synchronously as before.
pub const MAX_RUNNING_PER_USER: usize = 4;
/// Tasks the server runs at once, whoever they belong to.
pub const MAX_RUNNING: usize = 64;
/// Tasks (running, or finished and holding their result until the TTL) kept per user.
pub const MAX_KEPT_PER_USER: usize = 32;
/// Tasks kept in all.
pub const MAX_KEPT: usize = 256;

/// The `capabilities.extensions` entry that declares tasks.
pub fn extensions() -> ExtensionCapabilities {
    let mut extensions = ExtensionCapabilities::new();
    extensions.insert(TASKS_EXTENSION_ID.to_string(), JsonObject::new());
    extensions
}

/// Who a task belongs to: a multi-user store's user id; `None` is the server's one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner(Option<String>);

impl Owner {
    pub fn of(actor: &Actor) -> Self {
        Self(actor.user_id.clone())
    }
}

/// The tasks of this process, and whose each is.
#[derive(Default)]
pub struct Tasks {
    manager: TaskManager,
    owners: Mutex<HashMap<String, Owner>>,
}

impl Tasks {
    /// Runs `work` as a task of `owner` and returns the task's handle, or `None` (nothing
    /// started) when `owner` or the server already has as many tasks as allowed.
    pub fn start<W, F>(&self, owner: Owner, work: W) -> Option<CreateTaskResult>
    where
        W: FnOnce(Progress) -> F,
        F: Future<Output = Result<CallToolResponse, ErrorData>> + Send + 'static,
    {
        // Held across counting and spawning: two calls cannot both take the last place.
        let mut owners = self.owners.lock().unwrap_or_else(|e| e.into_inner());
        if !self.has_room(&mut owners, &owner) {
            tracing::info!(
                "a call that could run as a task answers synchronously: task limit reached"
            );
            return None;
        }
        let options = TaskOptions::new()
            .with_ttl_ms(TASK_TTL_MS)
            .with_poll_interval_ms(POLL_INTERVAL_MS)
            .with_status_message("starting");
        let task = self.manager.spawn(options, |context| {
            let stop = context.clone();
            let work = work(Progress::Task(context));
            Box::pin(async move {
                match work.await {
                    // The paging saw the cancel and stopped: the call's error says so.
                    Ok(CallToolResponse::Complete(result))
                        if stop.is_cancel_requested() && result.is_error == Some(true) =>
                    {
                        Err(TaskExit::Cancelled)
                    }
                    Ok(CallToolResponse::Complete(result)) => Ok(result),
                    Ok(_) => Err(TaskExit::Error(ErrorData::internal_error(
                        "the call asked for input, which a task of spotify-mcp never does",
                        None,
                    ))),
                    Err(error) => Err(TaskExit::Error(error)),
                }
            })
        });
        owners.insert(task.task_id.clone(), owner);
        Some(CreateTaskResult::new(task))
    }

    /// Forgets tasks the manager has dropped (their TTL passed), then checks the bounds.
    fn has_room(&self, owners: &mut HashMap<String, Owner>, owner: &Owner) -> bool {
        let mut running = (0, 0);
        let mut kept = (0, 0);
        owners.retain(|id, whose| {
            let Ok(task) = self.manager.get_task(id) else {
                return false;
            };
            let mine = usize::from(whose == owner);
            kept = (kept.0 + mine, kept.1 + 1);
            if !task.status().is_terminal() {
                running = (running.0 + mine, running.1 + 1);
            }
            true
        });
        running.0 < MAX_RUNNING_PER_USER
            && running.1 < MAX_RUNNING
            && kept.0 < MAX_KEPT_PER_USER
            && kept.1 < MAX_KEPT
    }

    /// `tasks/get`.
    pub fn get(&self, owner: &Owner, task_id: &str) -> Result<GetTaskResult, ErrorData> {
        self.owned(owner, task_id)?;
        self.manager
            .get_task(task_id)
            .map(GetTaskResult::new)
            .map_err(|e| same_as_unknown(e, task_id))
    }

    /// `tasks/cancel`: acknowledged at once; a running task stops before its next page. A
    /// finished task stays as it ended (acknowledged all the same).
    pub fn cancel(&self, owner: &Owner, task_id: &str) -> Result<(), ErrorData> {
        self.owned(owner, task_id)?;
        self.manager
            .cancel_task(task_id)
            .map_err(|e| same_as_unknown(e, task_id))
    }

    /// `tasks/update`: these tasks never ask for input, so there is nothing to deliver.
    pub fn update(
        &self,
        owner: &Owner,
        task_id: &str,
        responses: InputResponses,
    ) -> Result<(), ErrorData> {
        self.owned(owner, task_id)?;
        self.manager
            .update_task(task_id, responses)
            .map_err(|e| same_as_unknown(e, task_id))
    }

    /// Someone else's task is, to `owner`, a task that does not exist.
    fn owned(&self, owner: &Owner, task_id: &str) -> Result<(), ErrorData> {
        let owners = self.owners.lock().unwrap_or_else(|e| e.into_inner());
        match owners.get(task_id) {
            Some(whose) if whose == owner => Ok(()),
            _ => Err(unknown(task_id)),
        }
    }
}

/// -32602, the same words whether the task never was, expired or is someone else's.
fn unknown(task_id: &str) -> ErrorData {
    ErrorData::invalid_params(
        format!(
            "unknown task `{}`: no such task, or it expired (a finished task is kept for an hour)",
            excerpt(task_id)
        ),
        None,
    )
}

fn same_as_unknown(error: ErrorData, task_id: &str) -> ErrorData {
    match error.code {
        ErrorCode::INVALID_PARAMS => unknown(task_id),
        _ => error,
    }
}
