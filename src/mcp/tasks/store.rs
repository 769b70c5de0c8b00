//! The tasks of this process (rmcp's [`TaskManager`]) and whose each is, with the bounds on how
//! many a user and the server run and keep; with Redis, also the tasks of other replicas
//! ([`super::mirror`]).

use super::mirror::{Mirror, Mirrored, owner_digest};
use super::progress::{Mirroring, TaskProgress};
use crate::foundation::excerpt::excerpt;
use crate::foundation::redis_link::RedisLink;
use crate::mcp::audit::Actor;
use crate::mcp::pagination::Progress;
use rmcp::ErrorData;
use rmcp::model::{
    CallToolResponse, CallToolResult, CreateTaskResult, DetailedTask, ErrorCode,
    ExtensionCapabilities, GetTaskResult, InputResponses, JsonObject, TASKS_EXTENSION_ID,
    TaskPayload,
};
use rmcp::task_manager::{TaskContext, TaskExit, TaskManager, TaskOptions, current_timestamp};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

    /// What Redis holds of this owner: a digest, never the id itself.
    fn digest(&self) -> String {
        owner_digest(self.0.as_deref())
    }
}

/// The tasks of this process, and whose each is.
#[derive(Default)]
pub struct Tasks {
    manager: TaskManager,
    owners: Mutex<HashMap<String, Owner>>,
    /// The Redis replicas share tasks through; none: tasks live in this process only.
    mirror: Option<Arc<Mirror>>,
}

/// Where a task is, to the one who asks.
enum Whose {
    /// In this process, theirs.
    Mine,
    /// In this process, someone else's.
    Theirs,
    /// Not in this process.
    Elsewhere,
}

impl Tasks {
    /// Tasks shared through `redis` when given: any replica on it answers `tasks/get` and
    /// `tasks/cancel` of a task another created. Without: tasks of this process only.
    pub fn shared_through(redis: Option<Arc<RedisLink>>) -> Self {
        Self {
            mirror: redis.map(|redis| Arc::new(Mirror::new(redis))),
            ..Self::default()
        }
    }

    /// Runs `work` as a task of `owner` and returns the task's handle, or `None` (nothing
    /// started) when `owner` or the server already has as many tasks as allowed.
    pub async fn start<W, F>(&self, owner: Owner, work: W) -> Option<CreateTaskResult>
    where
        W: FnOnce(Progress) -> F,
        F: Future<Output = Result<CallToolResponse, ErrorData>> + Send + 'static,
    {
        let mirroring = self.mirror.clone().map(|mirror| Mirroring {
            mirror,
            owner: owner.digest(),
            created: Instant::now(),
            ttl: Duration::from_millis(TASK_TTL_MS),
        });
        // The work waits for the first state to reach Redis: no later state is overwritten.
        let (first_mirrored, mirrored) = tokio::sync::oneshot::channel::<()>();
        let task = {
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
            let manager = self.manager.clone();
            let ending = mirroring.clone();
            let task = self.manager.spawn(options, |context| {
                let stop = context.clone();
                let progress = TaskProgress::new(context, manager.clone(), mirroring.clone());
                let work = work(Progress::Task(progress));
                Box::pin(async move {
                    let _ = mirrored.await;
                    let exit = settle(work.await, &stop);
                    if let Some(ending) = ending
                        && let Some(state) = ended(&manager, &stop, &exit)
                    {
                        ending.write(&state).await;
                    }
                    exit
                })
            });
            owners.insert(task.task_id.clone(), owner);
            task
        };
        if let Some(mirroring) = &mirroring
            && let Ok(state) = self.manager.get_task(&task.task_id)
        {
            mirroring.write(&GetTaskResult::new(state)).await;
        }
        let _ = first_mirrored.send(());
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

    /// `tasks/get`: a task of this process, else (with Redis) as its replica last mirrored it.
    pub async fn get(&self, owner: &Owner, task_id: &str) -> Result<GetTaskResult, ErrorData> {
        match self.whose(owner, task_id) {
            Whose::Mine => self
                .manager
                .get_task(task_id)
                .map(GetTaskResult::new)
                .map_err(|e| same_as_unknown(e, task_id)),
            Whose::Theirs => Err(unknown(task_id)),
            Whose::Elsewhere => Ok(self.elsewhere(owner, task_id).await?.state),
        }
    }

    /// `tasks/cancel`: acknowledged at once; a running task stops before its next page (on
    /// another replica, through a flag in Redis its paging reads). A finished task stays as it
    /// ended (acknowledged all the same).
    pub async fn cancel(&self, owner: &Owner, task_id: &str) -> Result<(), ErrorData> {
        match self.whose(owner, task_id) {
            Whose::Mine => self
                .manager
                .cancel_task(task_id)
                .map_err(|e| same_as_unknown(e, task_id)),
            Whose::Theirs => Err(unknown(task_id)),
            Whose::Elsewhere => {
                let entry = self.elsewhere(owner, task_id).await?;
                if entry.state.task.status().is_terminal() {
                    return Ok(());
                }
                let mirror = self.mirror.as_ref().ok_or_else(|| unknown(task_id))?;
                mirror.request_cancel(&entry).await.map_err(unreachable)
            }
        }
    }

    /// `tasks/update`: these tasks never ask for input, so there is nothing to deliver.
    pub async fn update(
        &self,
        owner: &Owner,
        task_id: &str,
        responses: InputResponses,
    ) -> Result<(), ErrorData> {
        match self.whose(owner, task_id) {
            Whose::Mine => self
                .manager
                .update_task(task_id, responses)
                .map_err(|e| same_as_unknown(e, task_id)),
            Whose::Theirs => Err(unknown(task_id)),
            Whose::Elsewhere => self.elsewhere(owner, task_id).await.map(|_| ()),
        }
    }

    /// Whether `task_id` is a task of this process, and `owner`'s.
    fn whose(&self, owner: &Owner, task_id: &str) -> Whose {
        let owners = self.owners.lock().unwrap_or_else(|e| e.into_inner());
        match owners.get(task_id) {
            Some(whose) if whose == owner => Whose::Mine,
            Some(_) => Whose::Theirs,
            None => Whose::Elsewhere,
        }
    }

    /// `owner`'s task of another replica; someone else's is, to `owner`, a task that does not
    /// exist.
    async fn elsewhere(&self, owner: &Owner, task_id: &str) -> Result<Mirrored, ErrorData> {
        let Some(mirror) = &self.mirror else {
            return Err(unknown(task_id));
        };
        match mirror.read(task_id).await.map_err(unreachable)? {
            Some(entry) if entry.owner == owner.digest() => Ok(entry),
            _ => Err(unknown(task_id)),
        }
    }
}

/// How the work ended, as the task manager records it.
fn settle(
    outcome: Result<CallToolResponse, ErrorData>,
    stop: &TaskContext,
) -> Result<CallToolResult, TaskExit> {
    match outcome {
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
}

/// What `tasks/get` will answer once the manager records `exit` (for the mirror).
fn ended(
    manager: &TaskManager,
    context: &TaskContext,
    exit: &Result<CallToolResult, TaskExit>,
) -> Option<GetTaskResult> {
    let mut task = manager.get_task(context.task_id()).ok()?.task;
    task.last_updated_at = current_timestamp();
    let object = |value: serde_json::Result<serde_json::Value>| match value {
        Ok(serde_json::Value::Object(map)) => map,
        _ => JsonObject::new(),
    };
    let payload = match exit {
        Ok(result) => TaskPayload::Completed {
            result: object(serde_json::to_value(result)),
        },
        Err(TaskExit::Cancelled) => TaskPayload::Cancelled,
        Err(TaskExit::Error(error)) => TaskPayload::Failed {
            error: object(serde_json::to_value(error)),
        },
    };
    Some(GetTaskResult::new(DetailedTask::new(task, payload)))
}

/// Redis did not answer: neither found nor ruled out, so not "unknown".
fn unreachable(error: super::mirror::Unreachable) -> ErrorData {
    ErrorData::internal_error(error.to_string(), None)
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
