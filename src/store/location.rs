//! Where the database is: the default SQLite file, or the URL the operator gave.

use super::error::StoreError;
use crate::foundation::private_dirs;
use crate::foundation::secret::Secret;
use std::fs;
use std::path::{Path, PathBuf};

/// The kind of database behind a [`super::Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database URL and what it points at.
pub(super) enum Location {
    Sqlite(PathBuf),
    Postgres(Secret),
}

/// `dirs::data_dir()/spotify-mcp/spotify-mcp.db`.
pub fn default_sqlite_path() -> Option<PathBuf> {
    dirs::data_dir().map(|dir| dir.join("spotify-mcp").join("spotify-mcp.db"))
}

impl Location {
    pub(super) fn from_url(url: Option<&Secret>) -> Result<Self, StoreError> {
        let Some(url) = url else {
            return default_sqlite_path()
                .map(Location::Sqlite)
                .ok_or(StoreError::NoDataDir);
        };
        let text = url.expose();
        if let Some(path) = text
            .strip_prefix("sqlite://")
            .or_else(|| text.strip_prefix("sqlite:"))
        {
            // Options after `?` are ours to choose (WAL, busy timeout); a bare path is expected.
            if path.is_empty() || path.contains(['?', '#']) || path.starts_with(":memory:") {
                return Err(StoreError::BadUrl);
            }
            Ok(Location::Sqlite(PathBuf::from(path)))
        } else if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Ok(Location::Postgres(url.clone()))
        } else {
            Err(StoreError::BadUrl)
        }
    }

    pub(super) fn backend(&self) -> Backend {
        match self {
            Location::Sqlite(_) => Backend::Sqlite,
            Location::Postgres(_) => Backend::Postgres,
        }
    }

    /// For messages: the SQLite path, or the PostgreSQL URL without its password.
    pub(super) fn describe(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres(url) => match url::Url::parse(url.expose()) {
                Ok(mut parsed) => {
                    let _ = parsed.set_password(None);
                    parsed.set_query(None);
                    parsed.to_string()
                }
                Err(_) => "the PostgreSQL URL".to_string(),
            },
        }
    }
}

/// Creates the SQLite file (0600) and its missing directories (0700) before SQLite opens it:
/// SQLite would create the file with the umask's mode, readable by others; its `-wal` and
/// `-shm` files take the database file's mode. Existing directories and files keep theirs.
pub(super) fn prepare_sqlite_file(path: &Path) -> Result<(), StoreError> {
    let failed = |source| StoreError::Prepare {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        private_dirs::create(dir).map_err(failed)?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(drop).map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_url_the_store_is_sqlite_in_the_data_directory() {
        let Some(data) = dirs::data_dir() else { return };
        let Location::Sqlite(path) = Location::from_url(None).unwrap() else {
            panic!("the default is SQLite")
        };
        assert_eq!(path, data.join("spotify-mcp").join("spotify-mcp.db"));
    }

    #[test]
    fn urls_name_a_backend_and_messages_drop_the_password() {
        let pg =
            Location::from_url(Some(&Secret::new("postgres://app:hunter2@db:5432/mcp"))).unwrap();
        assert_eq!(pg.backend(), Backend::Postgres);
        assert!(!pg.describe().contains("hunter2"), "{}", pg.describe());
        let lite = Location::from_url(Some(&Secret::new("sqlite:///var/lib/x.db"))).unwrap();
        assert_eq!(lite.backend(), Backend::Sqlite);
        assert_eq!(lite.describe(), "/var/lib/x.db");
        for bad in [
            "mysql://x",
            "sqlite://",
            "sqlite::memory:",
            "sqlite://a.db?mode=ro",
            "x",
        ] {
            assert!(
                matches!(
                    Location::from_url(Some(&Secret::new(bad))),
                    Err(StoreError::BadUrl)
                ),
                "{bad}"
            );
        }
    }
}
