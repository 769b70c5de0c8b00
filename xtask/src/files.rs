//! Writing generated files, or checking that the committed ones are current.

use similar::TextDiff;
use std::path::Path;

/// Writes `contents` to `path`, or in check mode fails with a diff if they differ.
pub fn ensure_file_contents(path: &Path, contents: &str, check: bool) -> Result<bool, String> {
    let current = std::fs::read_to_string(path).unwrap_or_default();
    if current == contents {
        return Ok(false);
    }
    if check {
        let diff = TextDiff::from_lines(current.as_str(), contents)
            .unified_diff()
            .context_radius(3)
            .header(
                &format!("{} (committed)", path.display()),
                &format!("{} (from the spec)", path.display()),
            )
            .to_string();
        let shown: String = diff.lines().take(200).collect::<Vec<_>>().join("\n");
        return Err(format!(
            "{} is stale; run `cargo xtask codegen` and commit the result.\n{shown}",
            path.display()
        ));
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(true)
}
