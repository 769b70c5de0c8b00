//! The application: the CLI's commands, the interactive login, demo mode, and the wiring that
//! builds the client, its middleware and credentials from the configuration.

pub mod audit;
pub mod auth_commands;
#[cfg(feature = "demo")]
pub mod demo;
pub mod login;
pub mod multi_user;
pub mod users_commands;
pub mod wiring;
