//! The row types of the generated tables: what the spec says about each operation.

/// How long a successful GET of an operation may be served from cache (`x-mcp-cache`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CacheClass {
    /// Public catalog objects.
    Catalog,
    /// The user's own data.
    User,
    /// Player state.
    Playback,
    /// Writes.
    None,
}

/// One side of a route family: the route Spotify documents now, or the one it withdrew.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Current,
    Legacy,
}

impl Side {
    pub fn other(self) -> Self {
        match self {
            Side::Current => Side::Legacy,
            Side::Legacy => Side::Current,
        }
    }

    /// The side's name in metrics, logs and the route memory.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Current => "current",
            Side::Legacy => "legacy",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "current" => Some(Side::Current),
            "legacy" => Some(Side::Legacy),
            _ => None,
        }
    }
}

/// A tool's place in a route family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteMember {
    /// The family's name: the key of the route memory and the metric label.
    pub family: &'static str,
    pub side: Side,
}

/// One operation of the spec.
#[derive(Debug)]
pub struct Operation {
    /// progenitor's operation name: `OperationInfo::operation_id`.
    pub id: &'static str,
    /// The MCP tool that calls it.
    pub tool: &'static str,
    pub method: &'static str,
    /// The path template, such as `/albums/{id}`.
    pub path: &'static str,
    pub cache: CacheClass,
    /// Safe to repeat: only these are retried after a 5xx or a failed connection.
    pub idempotent: bool,
    /// The request body's media type, where progenitor can only send `text/plain`.
    pub body_content_type: Option<&'static str>,
    /// OAuth scopes the call needs.
    pub scopes: &'static [&'static str],
    /// The route family of its tool, if Spotify moved it.
    pub route: Option<RouteMember>,
}

/// How legacy ids reach a legacy tool.
#[derive(Debug, Clone, Copy)]
pub enum Ids {
    /// One call for all ids of a URI type, through this list argument.
    List(&'static str),
    /// One call per id, through this argument.
    One(&'static str),
}

/// A page-size argument, cut to the maximum of the tool it is sent to.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub arg: &'static str,
    pub current_max: u64,
    pub legacy_max: u64,
}

/// How a legacy tool's arguments and answers map to its current counterpart's.
#[derive(Debug, Clone, Copy)]
pub enum Convert {
    /// The same call on another path: `arguments` (legacy, current) are renamed and `entries`
    /// (legacy, current) are copied in the answer's `items`.
    SameArguments {
        arguments: &'static [(&'static str, &'static str)],
        entries: &'static [(&'static str, &'static str)],
        limit: Option<Limit>,
    },
    /// The legacy call names the signed-in user in `user`, the `id` the `profile` tool answers.
    ForUser {
        user: &'static str,
        profile: &'static str,
    },
    /// The current tool takes Spotify URIs in `uris`; the legacy one ids of `uri_types`.
    ByUri {
        uri_types: &'static [&'static str],
        uris: &'static str,
        ids: Ids,
        /// Argument naming the URI type, on a legacy tool serving several.
        type_arg: Option<&'static str>,
        /// Body argument repeating the ids.
        body_ids: Option<&'static str>,
        /// Arguments with no equivalent on the current route.
        unconvertible: &'static [&'static str],
        /// The current tool answers one flag per URI.
        flags: bool,
    },
    /// A "get several" call answered by one current GET per id: `ids` → `id`, the answers
    /// listed under `key`.
    PerItem {
        ids: &'static str,
        id: &'static str,
        key: &'static str,
    },
}

/// One legacy tool and its current counterpart (both tool names).
#[derive(Debug)]
pub struct LegacyRoute {
    pub family: &'static str,
    pub legacy: &'static str,
    pub current: &'static str,
    pub convert: Convert,
}
