//! The xtask's reusable parts, so its integration tests can drive them without a subprocess.

pub mod architecture;
pub mod bench;
pub mod spec;
