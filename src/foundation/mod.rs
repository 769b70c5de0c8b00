//! What every layer shares: secrets, configuration types, metrics, the Redis link and the TLS
//! setup of HTTP clients. Nothing here knows about Spotify's operations or MCP.

pub mod config;
pub mod excerpt;
pub mod metrics;
pub mod private_dirs;
pub mod redis_link;
pub mod sealed;
pub mod secret;
pub mod tls;
