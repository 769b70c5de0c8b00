//! spotify-mcp: the Spotify Web API as MCP tools, derived from `openapi/spotify.yaml`.
//!
//! The modules are layers; each may use the ones listed before it, never one after it
//! (`cargo test -p xtask --test architecture` checks this):
//!
//! 1. [`foundation`]: what every layer shares — secrets, configuration types, metrics, the
//!    Redis link, the TLS setup of HTTP clients. Knows nothing of Spotify or MCP.
//! 2. [`spec`]: tables generated from `openapi/spotify.yaml` (one row per operation).
//! 3. [`store`]: the durable store of multi-user mode (SQLite or PostgreSQL through sqlx) —
//!    users, their sealed Spotify grants, OAuth clients, hashed codes and tokens, consents.
//! 4. [`credentials`]: whose token a call sends — grants, token stores (file, Redis), OAuth
//!    exchanges with Spotify's accounts service, refresh. A call's credentials are an input.
//! 5. [`middleware`]: what sits between a generated call and HTTP — cache, rate-limit governor,
//!    retries, route memory — composed in `middleware::pipeline`.
//! 6. [`spotify`]: the typed client progenitor generates, its hooks into the middleware, and
//!    the narrow API the MCP layer uses.
//! 7. [`mcp`]: tools — the catalog, arguments, dispatch, projection, route fallback, the rmcp
//!    handler. Talks to Spotify only through [`spotify`].
//! 8. [`authorization`]: multi-user mode's OAuth 2.1 authorization server — metadata,
//!    client registration, sign-in with Spotify, consent, tokens, revocation, `/account`.
//! 9. [`transport`]: how MCP reaches the server — stdio, streamable HTTP (and, in multi-user
//!    mode, the bearer token that says which user a request acts for).
//! 10. [`app`]: the CLI's commands, the login flow, demo mode, and the wiring of all the above
//!    (`src/main.rs` is its entry point).

pub mod app;
pub mod authorization;
pub mod credentials;
pub mod foundation;
pub mod mcp;
pub mod middleware;
pub mod spec;
pub mod spotify;
pub mod store;
pub mod transport;

pub use app::wiring::{BuildError, build_api, store_path_or_default, token_path, token_source};
