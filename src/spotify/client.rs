//! The client progenitor generates from the spec at build time (`build.rs`).

#[allow(
    clippy::all,
    dead_code,
    unused_imports,
    irrefutable_let_patterns,
    mismatched_lifetime_syntaxes,
    rustdoc::all
)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/spotify_client.rs"));
}

pub use generated::{Client, types};
