//! How MCP reaches the server: stdio for a local assistant, streamable HTTP for remote ones.
//! The MCP layer ([`crate::mcp`]) knows nothing of either; HTTP concerns (who may call, how
//! much, narrowing headers, shutdown) each live in their own file here.

mod admission;
mod auth_guard;
mod catalog_headers;
pub mod connections;
mod guarded_body;
pub mod http;
mod limits;
pub mod metrics_listener;
mod origin_guard;
pub mod readiness;
pub mod shutdown;
pub mod stdio;
pub mod user_bearer;

pub use catalog_headers::{READ_ONLY_HEADER, TOOLSETS_HEADER};
