//! The token file: private (0600) after every write, replaced atomically (a crash before the
//! rename leaves the previous grant intact), and a corrupt file is reported, never overwritten
//! by accident.

use crate::common;

use common::fake_spotify::FakeSpotify;
use common::grants;
use serde_json::json;
use spotify_mcp::credentials::store::{FileTokenStore, StoreError};

#[test]
fn every_write_leaves_a_private_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("token.json");
    let store = FileTokenStore::new(path.clone());
    for access in ["one", "two", "three"] {
        store
            .save_sync(&grants::grant(
                access,
                Some("r"),
                3600,
                &["user-library-read"],
            ))
            .unwrap();
        #[cfg(unix)]
        assert_eq!(grants::mode(&path), 0o600, "after writing {access}");
        assert_eq!(grants::load(&path).access_token.expose(), access);
    }
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary files left: {leftovers:?}");
}

#[test]
fn a_crash_before_the_rename_keeps_the_previous_grant() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.json");
    let store = FileTokenStore::new(path.clone());
    store
        .save_sync(&grants::grant("previous", Some("r"), 3600, &[]))
        .unwrap();
    let before = std::fs::read(&path).unwrap();

    let staged = store
        .stage(&grants::grant("next", Some("r2"), 3600, &[]))
        .unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "staging does not touch the real file"
    );
    drop(staged); // the process dies before `commit`

    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(grants::load(&path).access_token.expose(), "previous");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "the temporary file is gone"
    );
}

#[test]
fn a_corrupt_file_is_a_clear_error_and_stays_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.json");
    std::fs::write(&path, b"{ \"access_token\": tru").unwrap();
    let store = FileTokenStore::new(path.clone());
    let error = store.load_sync().unwrap_err();
    assert!(matches!(error, StoreError::Corrupt { .. }));
    let text = error.to_string();
    assert!(
        text.contains(&path.display().to_string())
            && text.contains("corrupt")
            && text.contains("auth login"),
        "{text}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"{ \"access_token\": tru");
}

#[tokio::test]
async fn the_server_reports_a_corrupt_file_on_every_call_without_touching_it() {
    let fake = FakeSpotify::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.json");
    std::fs::write(&path, b"not json").unwrap();
    let mut args = common::spotify_args(&fake, None);
    args.token_file = Some(path.clone());
    let client = common::connect(&args, false).await;
    assert_eq!(
        client.list_all_tools().await.unwrap().len(),
        common::catalog::current_count(),
        "the catalog is still listed"
    );
    let result = common::call(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await
    .unwrap();
    assert_eq!(result.is_error, Some(true));
    assert!(
        common::text(&result).contains("corrupt"),
        "{}",
        common::text(&result)
    );
    assert!(fake.requests().is_empty());
    assert_eq!(std::fs::read(&path).unwrap(), b"not json");
}

#[test]
fn a_login_sets_a_corrupt_file_aside_instead_of_losing_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.json");
    std::fs::write(&path, b"garbage").unwrap();
    let store = FileTokenStore::new(path.clone());
    let aside = store.set_aside_if_corrupt().unwrap().expect("set aside");
    assert_eq!(std::fs::read(&aside).unwrap(), b"garbage");
    assert!(!path.exists());
    // A healthy file is left where it is.
    store
        .save_sync(&grants::grant("ok", None, 3600, &[]))
        .unwrap();
    assert_eq!(store.set_aside_if_corrupt().unwrap(), None);
    assert!(path.exists());
}

#[cfg(unix)]
#[test]
fn only_directories_the_server_created_are_made_private() {
    use std::os::unix::fs::PermissionsExt;
    let shared = tempfile::tempdir().unwrap();
    std::fs::set_permissions(shared.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let grant = grants::grant("one", Some("r"), 3600, &[]);

    // `--token-file token.json` in a 0755 working directory: the directory is left alone.
    FileTokenStore::new(shared.path().join("token.json"))
        .save_sync(&grant)
        .unwrap();
    assert_eq!(
        grants::mode(shared.path()),
        0o755,
        "an existing directory keeps its mode"
    );
    assert_eq!(grants::mode(&shared.path().join("token.json")), 0o600);

    // Directories it had to create are the owner's alone.
    let nested = shared.path().join("a").join("b");
    FileTokenStore::new(nested.join("token.json"))
        .save_sync(&grant)
        .unwrap();
    assert_eq!(grants::mode(&shared.path().join("a")), 0o700);
    assert_eq!(grants::mode(&nested), 0o700);
    assert_eq!(grants::mode(shared.path()), 0o755);
}

#[cfg(unix)]
#[test]
fn a_link_planted_at_the_old_temp_name_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    // The name the store used to write through: `.NAME.PID.tmp`, opened without O_EXCL.
    let planted = dir
        .path()
        .join(format!(".token.json.{}.tmp", std::process::id()));
    std::os::unix::fs::symlink(&victim, &planted).unwrap();

    let path = dir.path().join("token.json");
    FileTokenStore::new(path.clone())
        .save_sync(&grants::grant(
            "secret-access",
            Some("secret-refresh"),
            3600,
            &[],
        ))
        .unwrap();

    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(
        std::fs::symlink_metadata(&planted)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the planted link was left as it was"
    );
    assert_eq!(grants::load(&path).access_token.expose(), "secret-access");
    assert!(
        !std::fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}
