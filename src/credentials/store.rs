//! Where the grant is kept. [`TokenStore`] is the seam for other stores (Redis, shared by
//! several replicas: `redis_store.rs`); [`FileTokenStore`] keeps it in a 0600 file written atomically.

use super::grant::Grant;
use super::refresh_lock::{LockAttempt, LockOwner};
use crate::foundation::private_dirs;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "cannot read the token file {path}: {source}. Check its permissions, or set --token-file / SPOTIFY_MCP_TOKEN_FILE"
    )]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the token file {path} is corrupt ({problem}); it was left as is. Run `spotify-mcp auth login` to replace it \
         (the old file is kept as {path}.corrupt), or delete it"
    )]
    Corrupt { path: PathBuf, problem: String },
    #[error("cannot write the token file {path}: {source}; the previous token is unchanged")]
    Unwritable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "no usable config directory for the token file; set --token-file or SPOTIFY_MCP_TOKEN_FILE"
    )]
    NoConfigDir,
    #[error("the shared token store (Redis) did not answer: {0}")]
    Shared(String),
}

/// Keeps one user grant.
#[async_trait::async_trait]
pub trait TokenStore: Send + Sync + std::fmt::Debug {
    /// The stored grant, `None` when there is none.
    async fn load(&self) -> Result<Option<Grant>, StoreError>;
    /// Replaces the stored grant; all or nothing.
    async fn save(&self, grant: &Grant) -> Result<(), StoreError>;
    /// Removes the stored grant; `false` when there was none.
    async fn delete(&self) -> Result<bool, StoreError>;
    /// Where the grant lives, for messages.
    fn location(&self) -> String;
    /// Takes the lock that lets one of the processes sharing this store refresh the grant.
    async fn try_lock_refresh(&self) -> LockAttempt {
        LockAttempt::NotShared
    }
    /// Releases a lock [`TokenStore::try_lock_refresh`] acquired.
    async fn unlock_refresh(&self, _owner: LockOwner) {}
}

#[derive(Debug, Clone)]
pub struct FileTokenStore {
    path: PathBuf,
}

/// `<config dir>/spotify-mcp/token.json` (e.g. `~/.config/spotify-mcp/token.json` on Linux).
pub fn default_token_path() -> Result<PathBuf, StoreError> {
    dirs::config_dir()
        .map(|dir| dir.join("spotify-mcp").join("token.json"))
        .ok_or(StoreError::NoConfigDir)
}

impl FileTokenStore {
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn load_sync(&self) -> Result<Option<Grant>, StoreError> {
        let text = match fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StoreError::Unreadable {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| StoreError::Corrupt {
                path: self.path.clone(),
                problem: e.to_string(),
            })
    }

    /// Writes the new grant to a temporary file beside the real one, synced to disk. Nothing
    /// changes for readers until [`Staged::commit`]; dropping the stage removes the temp file.
    /// The temp file has a random name and is created exclusively with mode 0600 before anything
    /// is written to it, so a link planted beside the token file is never followed.
    pub fn stage(&self, grant: &Grant) -> Result<Staged, StoreError> {
        let unwritable = |source| StoreError::Unwritable {
            path: self.path.clone(),
            source,
        };
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        private_dirs::create(dir).map_err(unwritable)?;
        let name = self
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("token.json");
        let text = serde_json::to_string_pretty(grant).expect("grants serialize");
        let prefix = format!(".{name}.");
        let write = || -> std::io::Result<tempfile::NamedTempFile> {
            let mut file = private_builder(&prefix).tempfile_in(dir)?;
            file.write_all(text.as_bytes())?;
            file.as_file().sync_all()?;
            Ok(file)
        };
        Ok(Staged {
            temp: Some(write().map_err(unwritable)?),
            target: self.path.clone(),
        })
    }

    pub fn save_sync(&self, grant: &Grant) -> Result<(), StoreError> {
        self.stage(grant)?.commit()
    }

    /// Moves a corrupt token file aside (to `<file>.corrupt`) before a login replaces it.
    pub fn set_aside_if_corrupt(&self) -> Result<Option<PathBuf>, StoreError> {
        match self.load_sync() {
            Err(StoreError::Corrupt { .. }) => {
                let aside = PathBuf::from(format!("{}.corrupt", self.path.display()));
                fs::rename(&self.path, &aside).map_err(|source| StoreError::Unwritable {
                    path: self.path.clone(),
                    source,
                })?;
                Ok(Some(aside))
            }
            _ => Ok(None),
        }
    }
}

/// A grant written to disk but not yet in place.
pub struct Staged {
    /// Removed when dropped uncommitted.
    temp: Option<tempfile::NamedTempFile>,
    target: PathBuf,
}

impl Staged {
    /// Atomically replaces the token file with the staged one.
    pub fn commit(mut self) -> Result<(), StoreError> {
        let temp = self.temp.take().expect("staged once");
        // On failure the temp file comes back inside the error and is removed with it.
        temp.persist(&self.target)
            .map_err(|error| StoreError::Unwritable {
                path: self.target.clone(),
                source: error.error,
            })?;
        // The rename is durable only once the directory entry is on disk.
        if let Some(dir) = self.target.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(dir) = File::open(dir)
        {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

/// A temp-file builder whose files are the owner's alone from the moment they exist.
fn private_builder(prefix: &str) -> tempfile::Builder<'_, 'static> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o600));
    }
    builder
}

#[async_trait::async_trait]
impl TokenStore for FileTokenStore {
    async fn load(&self) -> Result<Option<Grant>, StoreError> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.load_sync())
            .await
            .expect("file I/O does not panic")
    }

    async fn save(&self, grant: &Grant) -> Result<(), StoreError> {
        let (store, grant) = (self.clone(), grant.clone());
        tokio::task::spawn_blocking(move || store.save_sync(&grant))
            .await
            .expect("file I/O does not panic")
    }

    async fn delete(&self) -> Result<bool, StoreError> {
        match fs::remove_file(&self.path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(source) => Err(StoreError::Unwritable {
                path: self.path.clone(),
                source,
            }),
        }
    }

    fn location(&self) -> String {
        self.path.display().to_string()
    }
}
