//! The public copies of Spotify's published spec in `../shared/reference/spotify-openapi/`:
//! a test oracle only. Tests that need them skip with a notice when they are absent.

use serde_json::Value;
use std::path::PathBuf;

pub fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference/spotify-openapi")
        .join(name)
}

/// The reference document, or `None` (with a notice on stderr) when it is not there.
pub fn load(name: &str) -> Option<Value> {
    let path = path(name);
    if !path.exists() {
        eprintln!(
            "SKIPPED: {} is absent, so this check cannot run here",
            path.display()
        );
        return None;
    }
    Some(codegen::load(&path).unwrap_or_else(|e| panic!("{e}")))
}
