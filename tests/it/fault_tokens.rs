//! Tokens against the realistic fake's accounts service: an access token that expires mid-run
//! is refreshed and the call succeeds; every fault of the token endpoint during a refresh ends
//! in a clear error, and the token file is left exactly as it was (never half-written).

use crate::common;

use common::grants;
use common::realistic::{self, get_album};
use fake_spotify::{FakeSpotify, Knobs, Trigger};
use spotify_mcp::foundation::config::SpotifyArgs;
use std::path::PathBuf;

/// A fake with `knobs`, a stored login holding a token the fake issued (the file says it
/// expires in `expires_in` seconds), and server arguments pointing at both.
async fn logged_in(
    knobs: Knobs,
    expires_in: i64,
) -> (FakeSpotify, tempfile::TempDir, SpotifyArgs, PathBuf, String) {
    let fake = FakeSpotify::start(knobs).await.expect("fake starts");
    let issued = fake.issue_user_token();
    let refresh = issued
        .refresh_token
        .clone()
        .expect("a user token has a refresh token");
    let dir = tempfile::tempdir().unwrap();
    let mut args = realistic::args(&fake, None);
    args.refresh_margin_secs = 0;
    let grant = grants::grant(
        &issued.access_token,
        Some(&refresh),
        expires_in,
        &grants::all_scopes(),
    );
    let path = grants::store(&dir, &mut args, &grant);
    (fake, dir, args, path, refresh)
}

#[tokio::test]
async fn a_token_that_expires_mid_run_is_refreshed_and_the_call_succeeds() {
    let (fake, _dir, args, path, refresh) = logged_in(
        Knobs {
            token_lifetime_secs: 2,
            ..Knobs::default()
        },
        3600,
    )
    .await;
    let client = common::connect(&args, false).await;
    let (tool, arguments) = get_album(&fake);
    let first = realistic::call(&client, tool, arguments.clone()).await;
    assert_ne!(first.is_error, Some(true), "{}", common::text(&first));

    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let second = realistic::call(&client, tool, arguments).await;
    assert_ne!(second.is_error, Some(true), "{}", common::text(&second));
    let statuses: Vec<_> = fake
        .requests()
        .iter()
        .map(|r| (r.path.clone(), r.status))
        .collect();
    assert!(
        statuses
            .iter()
            .any(|(p, s)| p.starts_with("/v1/") && *s == Some(401)),
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .any(|(p, s)| p == "/api/token" && *s == Some(200)),
        "{statuses:?}"
    );
    let stored = grants::load(&path);
    assert_eq!(
        stored.refresh_token.as_ref().map(|t| t.expose()),
        Some(refresh.as_str()),
        "kept"
    );
}

#[tokio::test]
async fn a_failing_token_endpoint_gives_a_clear_error_and_leaves_the_token_file_intact() {
    /// A fault, how to switch it on, and what the error must say.
    type Fault = (&'static str, fn(&mut Knobs), &'static str);
    let faults: [Fault; 6] = [
        (
            "server_error",
            |k| k.server_error = Trigger::Every,
            "unavailable for now",
        ),
        (
            "rate_limit",
            |k| k.rate_limit = Trigger::Every,
            "unavailable for now",
        ),
        (
            "connection_reset",
            |k| k.connection_reset = Trigger::Every,
            "could not reach",
        ),
        (
            "truncated_body",
            |k| k.truncated_body = Trigger::Every,
            "could not reach",
        ),
        (
            "malformed_json",
            |k| k.malformed_json = Trigger::Every,
            "unexpected",
        ),
        (
            "never_answer",
            |k| k.never_answer_path = Some("/api/token".into()),
            "timed out",
        ),
    ];
    for (name, apply, expected) in faults {
        let mut knobs = Knobs {
            fault_path_prefix: Some("/api/token".into()),
            ..Knobs::default()
        };
        apply(&mut knobs);
        // The stored access token has expired: the call must refresh first.
        let (fake, _dir, args, path, _) = logged_in(knobs, -10).await;
        let before = std::fs::read(&path).unwrap();
        let client = common::connect(&args, false).await;
        let (tool, arguments) = get_album(&fake);
        let result = realistic::call(&client, tool, arguments).await;
        let text = common::text(&result);
        assert_eq!(result.is_error, Some(true), "{name}: {text}");
        assert!(
            text.contains("could not refresh the access token"),
            "{name}: {text}"
        );
        assert!(text.contains(expected), "{name}: {text}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "{name}: token file untouched"
        );
        assert!(
            fake.requests()
                .iter()
                .all(|r| !r.path.starts_with("/v1/") || r.status == Some(401)),
            "{name}: no API call went out with a dead token and succeeded"
        );
    }
}
