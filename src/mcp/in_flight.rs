//! Work in flight (tool calls, HTTP requests), so a shutdown can refuse new work and wait for
//! what is running.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Debug, Default)]
pub struct InFlight {
    running: AtomicUsize,
    draining: AtomicBool,
    idle: Notify,
}

/// Held for as long as one piece of work runs.
pub struct InFlightGuard(Arc<InFlight>);

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        if self.0.running.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

impl InFlight {
    /// Counts new work; `None` once a shutdown has begun.
    pub fn enter(self: &Arc<Self>) -> Option<InFlightGuard> {
        self.running.fetch_add(1, Ordering::SeqCst);
        // Counted before the check, so a drain never misses work that got past it.
        let guard = InFlightGuard(self.clone());
        (!self.draining.load(Ordering::SeqCst)).then_some(guard)
    }

    pub fn running(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }

    /// Refuses new work from now on and waits up to `grace` for the running work; `true` when
    /// it all finished.
    pub async fn drain(&self, grace: Duration) -> bool {
        self.draining.store(true, Ordering::SeqCst);
        tokio::time::timeout(grace, async {
            loop {
                // Registered before the check: a wake-up between the two is not lost.
                let idle = self.idle.notified();
                if self.running() == 0 {
                    return;
                }
                idle.await;
            }
        })
        .await
        .is_ok()
    }
}
