//! The MCP layer: the tool catalog, argument handling, and the rmcp server handler.
//! It talks to Spotify only through the typed client in [`crate::spotify`].

pub mod answer_memo;
pub mod catalog;
pub mod dispatch;
pub mod dynamic;
pub mod errors;
pub mod fallback;
mod handler;
pub mod ids;
pub mod in_flight;
pub mod instructions;
pub mod listing;
pub mod narrowing;
pub mod pagination;
pub mod projection;
mod results;
pub mod selection;
#[rustfmt::skip]
mod generated_tools;
pub mod server;

pub use catalog::{Catalog, CatalogOptions, ToolDef};
pub use server::SpotifyServer;

/// Every tool the spec defines, deprecated ones included, in spec order.
pub fn all_tools() -> &'static [ToolDef] {
    generated_tools::TOOLS
}
