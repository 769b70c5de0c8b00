//! User authorization: the stored grant, where it is kept, the OAuth exchanges with Spotify's
//! accounts service, and the `spotify-mcp auth …` commands. The per-call side (bearer header,
//! refresh, retry after 401) is in `middleware::auth` and `spotify::hooks`.

pub mod commands;
pub mod grant;
pub mod login;
pub mod oauth;
pub mod redis_store;
pub mod refresh_lock;
pub mod store;

pub use grant::Grant;
pub use store::{FileTokenStore, StoreError, TokenStore};
