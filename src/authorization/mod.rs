//! Multi-user mode's OAuth 2.1 authorization server (MCP authorization, 2025-11-25 and
//! 2026-07-28): MCP clients discover it, register, and send people here to sign in; people sign
//! in with Spotify ("third-party authorization"), and the tokens this server issues name the
//! user whose Spotify grant a call then uses.
//!
//! The routes, one module each:
//! - [`metadata`]: protected resource metadata (RFC 9728) and authorization server metadata
//!   (RFC 8414) at their well-known paths.
//! - [`registration`]: Dynamic Client Registration (RFC 7591); [`cimd`]: client ids that are
//!   HTTPS URLs of a Client ID Metadata Document, fetched with size, time and address limits.
//! - [`authorize`]: `/authorize` checks the client's request and sends the person to Spotify;
//!   `/callback` receives Spotify's answer and stores the person's grant. [`pending`] carries
//!   the request across that round trip, sealed, so any replica can finish it.
//! - [`consent`]: the page that asks the person, and the POST that records the answer and
//!   issues the authorization code.
//! - [`token`]: `/token` (authorization code with PKCE, refresh with rotation) and `/revoke`
//!   (RFC 7009).
//! - [`account`]: `/account`, where a signed-in person sees what is linked and disconnects.
//! - Helpers of the sign-in: [`sign_in`] (the grant and profile stored after Spotify's
//!   answer), [`pages`] (HTML and redirects with their security headers), [`cookies`],
//!   [`form`] (parameters, each at most once) and [`scope_words`].
//!
//! The resource-server side (bearer token → user → that user's Spotify grant, `401` with
//! `WWW-Authenticate`) is in `transport`, which mounts [`router`] beside `/mcp`.

pub mod account;
pub mod authorize;
pub mod cimd;
pub mod client_metadata;
pub mod clients;
pub mod consent;
mod cookies;
mod form;
pub mod metadata;
pub mod oauth_error;
pub mod pages;
pub mod pending;
pub mod registration;
mod router;
mod scope_words;
pub mod sign_in;
mod state;
pub mod token;

pub use router::router;
pub use state::{AuthorizationServer, DisconnectHook, DisconnectHooks, Settings, paths};
