//! Which cached bodies served a tool call's Spotify requests, recorded in its
//! [`Call`](super::call::Call) for the MCP layer's answer memo (`mcp::answer_memo`).

use bytes::Bytes;

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
