//! The MCP layer: the tool catalog, argument handling, and the rmcp server handler.
//! It talks to Spotify only through the typed client in [`crate::spotify`].

pub mod answer_memo;
pub mod apps;
pub mod audit;
pub mod catalog;
pub mod catalog_watch;
pub mod completions;
pub mod confirm;
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
pub mod prompts;
pub mod resources;
mod results;
pub mod selection;
#[rustfmt::skip]
mod generated_tools;
pub mod server;
pub mod tasks;
pub mod tool_def;
pub mod tool_list_changes;
mod tool_table;
pub mod undo;
pub mod upstream;

pub use catalog::{Catalog, CatalogOptions};
pub use server::SpotifyServer;
pub use tool_def::ToolDef;
pub use tool_table::all_tools;
