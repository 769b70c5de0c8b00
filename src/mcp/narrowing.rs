//! Per-request narrowing of the catalog (an HTTP client's headers): it can take tools away from
//! what the server's own flags selected, never add any.

use super::selection::{Selection, SelectionError};
use super::tool_def::ToolDef;
use super::tool_table::all_tools;
use crate::foundation::config::CatalogArgs;
use rmcp::RoleServer;
use rmcp::service::RequestContext;

/// Which of the server's tools one request may see and call.
#[derive(Debug, Clone, Default)]
pub struct Narrowing(Selection);

impl Narrowing {
    /// `toolsets` empty: every toolset. Unknown toolset names are refused, listing the known ones.
    pub fn new(toolsets: Vec<String>, read_only: bool) -> Result<Self, SelectionError> {
        // Deprecated tools stay as the server chose: narrowing filters, it never decides inclusion.
        let args = CatalogArgs {
            include_deprecated: true,
            toolsets,
            read_only,
            ..CatalogArgs::default()
        };
        Selection::from_args(&args, all_tools()).map(Self)
    }

    /// Whether this request may see and call the tool (the server's catalog must hold it too).
    pub fn admits(&self, def: &ToolDef) -> bool {
        self.0.admits(def)
    }
}

/// Whether `narrowing`, if any, admits the tool.
pub fn admits(narrowing: Option<&Narrowing>, def: &ToolDef) -> bool {
    narrowing.is_none_or(|n| n.admits(def))
}

/// The narrowing the HTTP transport attached to this request, if any (stdio has none).
pub fn of(context: &RequestContext<RoleServer>) -> Option<&Narrowing> {
    context
        .extensions
        .get::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Narrowing>())
}
