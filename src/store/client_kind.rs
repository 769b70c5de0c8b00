//! The kinds of OAuth client, as the store counts and prunes them.

/// How a client came to be known, for counting and pruning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// Registered through `/register` (RFC 7591).
    Dynamic,
    /// Described by a Client ID Metadata Document.
    MetadataDocument,
}

impl ClientKind {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            ClientKind::Dynamic => "dcr",
            ClientKind::MetadataDocument => "cimd",
        }
    }
}
