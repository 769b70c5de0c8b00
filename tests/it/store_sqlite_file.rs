//! The multi-user store's SQLite file: what is in it, who may read it, how it is opened.

use spotify_mcp::foundation::config::DatabaseArgs;
use spotify_mcp::foundation::sealed::GrantKeys;
use spotify_mcp::foundation::secret::Secret;
use spotify_mcp::store::{AccountKey, Backend, NewGrant, Scopes, Store, StoreError};
use std::path::Path;
use std::sync::Arc;

const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const ACCESS: &str = "BQDaccess-token-that-must-never-be-in-the-file";
const REFRESH: &str = "AQDrefresh-token-that-must-never-be-in-the-file";

async fn open(path: &Path) -> Result<Store, StoreError> {
    let args = DatabaseArgs {
        database_url: Some(Secret::new(format!("sqlite://{}", path.display()))),
        ..DatabaseArgs::default()
    };
    let keys = GrantKeys::new(&Secret::new(KEY), &[]).unwrap();
    Store::open(&args, Arc::new(keys)).await
}

/// Every byte SQLite wrote for this database: the file, its write-ahead log and shared memory.
fn bytes_of(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        all.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn the_grant_s_tokens_are_not_in_the_database_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let store = open(&path).await.unwrap();
    let user = store
        .upsert_user(&AccountKey::from_profile(None, "mia"), None)
        .await
        .unwrap();
    let grant = NewGrant {
        access_token: Secret::new(ACCESS),
        refresh_token: Some(Secret::new(REFRESH)),
        scopes: Scopes::parse("user-read-private"),
        expires_at: 2_000_000_000,
        authorized_at: 1_900_000_000,
    };
    store.save_grant(&user.id, &grant, None).await.unwrap();
    // Control: a value stored in clear is found by the same scan (so the scan can fail).
    let control = "display-name-stored-in-clear";
    store
        .upsert_user(&AccountKey::from_profile(None, "mia"), Some(control))
        .await
        .unwrap();

    for closed in [false, true] {
        if closed {
            store.close().await; // checkpoints the write-ahead log into the file
        }
        let bytes = bytes_of(dir.path());
        assert!(
            contains(&bytes, control),
            "the scan sees clear text (closed: {closed})"
        );
        assert!(
            !contains(&bytes, ACCESS),
            "access token in clear (closed: {closed})"
        );
        assert!(
            !contains(&bytes, REFRESH),
            "refresh token in clear (closed: {closed})"
        );
        assert!(
            !contains(&bytes, "refresh-token-that"),
            "part of it (closed: {closed})"
        );
    }
    let reopened = open(&path).await.unwrap();
    let loaded = reopened.load_grant(&user.id).await.unwrap().unwrap();
    assert_eq!(loaded.refresh_token.unwrap().expose(), REFRESH);
}

#[cfg(unix)]
#[tokio::test]
async fn a_created_directory_is_0700_the_file_0600_and_an_existing_directory_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = dir.path().join("made/by/server/store.db");
    let store = open(&path).await.unwrap();
    store
        .upsert_user(&AccountKey::from_profile(None, "ned"), None)
        .await
        .unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    for created in ["made", "made/by", "made/by/server"] {
        assert_eq!(mode(&dir.path().join(created)), 0o700, "{created}");
    }
    assert_eq!(
        mode(dir.path()),
        0o755,
        "an existing directory is left alone"
    );
    assert_eq!(mode(&path), 0o600);
    let wal = path.with_file_name("store.db-wal");
    assert!(wal.exists(), "write-ahead logging is on");
    assert_eq!(mode(&wal), 0o600, "the log is as private as the file");
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let store = open(&path).await.unwrap();
    store.close().await;
    sqlx::any::install_default_drivers();
    let raw = sqlx::AnyPool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&raw)
        .await
        .unwrap();
    assert_eq!(
        mode, "wal",
        "WAL is a property of the file, kept after the store closed"
    );
    // Busy timeout and foreign keys are per connection: the store's refuse an orphan grant.
    let store = open(&path).await.unwrap();
    let orphan = NewGrant {
        access_token: Secret::new("a"),
        refresh_token: None,
        scopes: Scopes::default(),
        expires_at: 0,
        authorized_at: 0,
    };
    assert!(matches!(
        store.save_grant("nobody", &orphan, None).await,
        Err(StoreError::UnknownUser)
    ));
}

#[tokio::test]
async fn bad_urls_and_unwritable_places_say_what_to_do() {
    let keys = Arc::new(GrantKeys::new(&Secret::new(KEY), &[]).unwrap());
    let with_url = |url: &str| DatabaseArgs {
        database_url: Some(Secret::new(url)),
        ..DatabaseArgs::default()
    };
    let error = Store::open(&with_url("mysql://u:pw@h/db"), keys.clone())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("--database-url"), "{error}");
    assert!(!error.to_string().contains("pw"), "{error}");

    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, b"").unwrap();
    let url = format!("sqlite://{}/store.db", blocker.display());
    let error = Store::open(&with_url(&url), keys.clone())
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Prepare { .. }), "{error}");

    // A PostgreSQL that is not there: the message names it without its password.
    let port = crate::common::free_port();
    let url = format!("postgres://app:s3cret-pw@127.0.0.1:{port}/mcp");
    let args = DatabaseArgs {
        database_acquire_timeout_secs: 1,
        ..with_url(&url)
    };
    let error = Store::open(&args, keys).await.unwrap_err();
    assert!(matches!(error, StoreError::Open { .. }), "{error}");
    assert!(!error.to_string().contains("s3cret-pw"), "{error}");
    assert!(error.to_string().contains("127.0.0.1"), "{error}");
    assert!(!format!("{args:?}").contains("s3cret-pw"));
}
