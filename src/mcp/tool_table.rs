//! The tool table `cargo xtask codegen` generated from the spec.

use super::tool_def::ToolDef;

/// Every tool the spec defines, deprecated ones included, in spec order.
pub fn all_tools() -> &'static [ToolDef] {
    super::generated_tools::TOOLS
}
