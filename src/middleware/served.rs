//! Which cached bodies served a tool call's Spotify requests, recorded for the MCP layer's
//! answer memo (`mcp::answer_memo`). The pipeline notes every request of a call made inside
//! [`recording`]; outside it, noting costs nothing.

use bytes::Bytes;
use std::cell::RefCell;
use std::future::Future;

tokio::task_local! {
    static SERVED: RefCell<Served>;
}

/// A GET answered from, or stored into, the response cache.
#[derive(Debug, Clone)]
pub struct CachedRead {
    pub op_id: &'static str,
    pub url: reqwest::Url,
    /// The cache key the body was found or stored under.
    pub key: String,
    pub body: Bytes,
}

/// The requests of one call.
#[derive(Debug, Default)]
pub struct Served {
    pub cached: Vec<CachedRead>,
    /// Requests the cache had no part in (writes, uncacheable reads, failures).
    pub uncached: usize,
}

impl Served {
    /// The one cached read that answered the whole call, if that is what happened.
    pub fn only_read(mut self) -> Option<CachedRead> {
        (self.uncached == 0 && self.cached.len() == 1).then(|| self.cached.remove(0))
    }
}

/// Runs `call`, recording what served its requests.
pub async fn recording<F: Future>(call: F) -> (F::Output, Served) {
    SERVED
        .scope(RefCell::new(Served::default()), async {
            let output = call.await;
            (output, SERVED.with(|s| s.take()))
        })
        .await
}

pub(crate) fn note_cached(read: impl FnOnce() -> CachedRead) {
    let _ = SERVED.try_with(|s| s.borrow_mut().cached.push(read()));
}

pub(crate) fn note_uncached() {
    let _ = SERVED.try_with(|s| s.borrow_mut().uncached += 1);
}
