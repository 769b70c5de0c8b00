//! One tool call as the middleware sees it: whose credentials its Spotify requests carry, which
//! cached bodies served them (for the MCP layer's answer memo), and why it failed before or
//! after reaching Spotify. A tool call may make several requests (pages, route fallbacks); they
//! share one [`Call`].

use super::served::{CachedRead, Served};
use crate::credentials::{AuthError, Credentials};
use std::sync::{Arc, Mutex, MutexGuard};

/// Why a call failed on this side of Spotify; the hooks note it, the MCP layer reports it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallFailure {
    /// No token could be had (no login, a refused grant, a failed Client Credentials exchange).
    #[error(transparent)]
    Credentials(#[from] AuthError),
    /// Spotify refused the grant for good while this call ran.
    #[error("{0}")]
    GrantRefused(String),
    #[error("the access token contains characters not allowed in a header")]
    UnsendableToken,
    #[error(
        "Spotify's answer was larger than {limit} bytes (--max-upstream-body-bytes), so it was not read: ask for less (a smaller `limit`, fewer ids) or raise the cap"
    )]
    AnswerTooLarge { limit: usize },
    /// The request's URL path left its operation's path template (an argument carried `..`, `\`
    /// or the like, which the URL parser resolves): it was not sent.
    #[error(
        "refused to send `{operation}`: its URL path `{path}` does not follow the operation's path `{template}`, so an argument holds path characters (such as `..` or `\\`); pass plain Spotify IDs"
    )]
    PathOutsideTemplate {
        operation: String,
        template: String,
        /// Quoted short: it carries the caller's argument.
        path: String,
    },
}

#[derive(Debug)]
pub struct Call {
    credentials: Arc<dyn Credentials>,
    served: Mutex<Served>,
    failure: Mutex<Option<CallFailure>>,
}

impl Call {
    pub fn new(credentials: Arc<dyn Credentials>) -> Self {
        Self {
            credentials,
            served: Mutex::default(),
            failure: Mutex::default(),
        }
    }

    pub fn credentials(&self) -> &Arc<dyn Credentials> {
        &self.credentials
    }

    /// What served the call's requests so far, taken out of the call.
    pub fn take_served(&self) -> Served {
        std::mem::take(&mut *lock(&self.served))
    }

    /// The failure the hooks noted, taken out of the call.
    pub fn take_failure(&self) -> Option<CallFailure> {
        lock(&self.failure).take()
    }

    pub(crate) fn note_failure(&self, failure: CallFailure) {
        *lock(&self.failure) = Some(failure);
    }

    pub(crate) fn note_cached(&self, read: CachedRead) {
        lock(&self.served).cached.push(read);
    }

    pub(crate) fn note_uncached(&self) {
        lock(&self.served).uncached += 1;
    }
}

/// A poisoned lock only means another request of this call panicked; its data is still whole.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
