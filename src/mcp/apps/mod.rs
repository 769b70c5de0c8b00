//! MCP Apps views (the `io.modelcontextprotocol/ui` extension): small HTML pages served as
//! `ui://` resources, linked from the tools whose results they render.

use rmcp::model::{ReadResourceResult, Resource};

/// The views this server ships, as `resources/list` entries.
pub fn resources() -> Vec<Resource> {
    Vec::new()
}

/// The view at `uri`, if it is one of ours.
pub fn read(_uri: &str) -> Option<ReadResourceResult> {
    None
}

/// The `ui://` view that renders the results of tool `tool`, if one does.
pub fn view_of_tool(_tool: &str) -> Option<&'static str> {
    None
}
