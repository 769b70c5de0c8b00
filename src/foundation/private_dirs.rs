//! Directories only their owner may enter, for files that hold secrets (the token file, the
//! SQLite store).

use std::fs;
use std::path::Path;

/// Creates the missing directories of `dir`, private (0700); directories that already exist
/// keep their mode (a file may live in a shared working directory).
pub fn create(dir: &Path) -> std::io::Result<()> {
    let missing: Vec<&Path> = dir
        .ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
        .collect();
    for created in missing.into_iter().rev() {
        match private_dir_builder().create(created) {
            Ok(()) => {}
            // Created meanwhile by someone else: theirs, not ours to change.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Mode 0700 at creation (the umask can only narrow it): nothing to change afterwards.
fn private_dir_builder() -> fs::DirBuilder {
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
}
