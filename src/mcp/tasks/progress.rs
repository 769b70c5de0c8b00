//! What a task's paging reports to and asks: its status message (mirrored to Redis at most once
//! a second when replicas share tasks) and whether someone cancelled it, here or on another
//! replica.

use super::mirror::Mirror;
use rmcp::model::{DetailedTask, GetTaskResult};
use rmcp::task_manager::{TaskContext, TaskManager};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Status messages reach Redis at most this often (the end is always written).
const MIRROR_EVERY: Duration = Duration::from_secs(1);

/// Where a task mirrors its state, and as whose.
#[derive(Clone)]
pub struct Mirroring {
    pub mirror: Arc<Mirror>,
    /// Digest of the task's owner.
    pub owner: String,
    /// When the task was created: a running task's entry expires with its TTL.
    pub created: Instant,
    pub ttl: Duration,
}

impl Mirroring {
    /// Writes `state`; a running task's entry lives to its TTL, a finished one a TTL more (as
    /// the creating replica keeps it).
    pub async fn write(&self, state: &GetTaskResult) {
        let ttl = match state.task.status().is_terminal() {
            true => self.ttl,
            false => self.ttl.saturating_sub(self.created.elapsed()),
        };
        if !ttl.is_zero() {
            self.mirror.write(&self.owner, state, ttl).await;
        }
    }
}

/// The running task's side of a task: its context in this process's manager, and its mirror.
pub struct TaskProgress {
    context: TaskContext,
    manager: TaskManager,
    mirroring: Option<Mirroring>,
    last_mirrored: Mutex<Option<Instant>>,
}

impl TaskProgress {
    pub fn new(context: TaskContext, manager: TaskManager, mirroring: Option<Mirroring>) -> Self {
        Self {
            context,
            manager,
            mirroring,
            last_mirrored: Mutex::new(None),
        }
    }

    /// Sets the status message; mirrors it unless the last one went out less than a second ago.
    pub async fn report(&self, message: String) {
        self.context.set_status_message(message);
        let Some(mirroring) = &self.mirroring else {
            return;
        };
        {
            let mut last = self.last_mirrored.lock().unwrap_or_else(|e| e.into_inner());
            if last.is_some_and(|at| at.elapsed() < MIRROR_EVERY) {
                return;
            }
            *last = Some(Instant::now());
        }
        if let Some(state) = self.state() {
            mirroring.write(&state).await;
        }
    }

    /// Whether `tasks/cancel` reached this task: here, or (one Redis read) on another replica,
    /// which then counts as a cancel here too.
    pub async fn stop_requested(&self) -> bool {
        if self.context.is_cancel_requested() {
            return true;
        }
        let Some(mirroring) = &self.mirroring else {
            return false;
        };
        let id = self.context.task_id();
        if !mirroring.mirror.cancel_requested(id).await {
            return false;
        }
        let _ = self.manager.cancel_task(id);
        true
    }

    fn state(&self) -> Option<GetTaskResult> {
        let task: DetailedTask = self.manager.get_task(self.context.task_id()).ok()?;
        Some(GetTaskResult::new(task))
    }
}
