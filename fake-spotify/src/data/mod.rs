//! The generated, deterministic catalog and its JSON rendering.

pub mod catalog;
pub mod markets;
pub mod names;
pub mod render;
pub mod rng;
