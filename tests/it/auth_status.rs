//! `spotify-mcp auth status`: the user, scopes, token expiry, the grant's age with a warning as
//! the six-month refresh limit nears, and the tools the login cannot reach.

use crate::common;

use common::grants;
use spotify_mcp::app::auth_commands::status_report;
use spotify_mcp::mcp::selection::Selection;

#[test]
fn a_fresh_complete_login_reports_everything_available() {
    let grant = grants::grant("a", Some("r"), 1800, &grants::all_scopes());
    let report = status_report(&grant, "/tmp/token.json", &Selection::default());
    assert!(report.contains("Signed in as Agnetha (u1)"), "{report}");
    assert!(report.contains("expires in 30 min"), "{report}");
    let all = format!(
        "All {} tools are available",
        common::catalog::current_count()
    );
    assert!(report.contains(&all), "{report}");
    assert!(!report.contains("WARNING"), "{report}");
}

#[test]
fn an_old_grant_warns_before_the_six_month_limit() {
    let mut grant = grants::grant("a", Some("r"), -60, &["user-library-read"]);
    grant.authorized_at -= 170 * 86400;
    let report = status_report(&grant, "/tmp/token.json", &Selection::default());
    assert!(
        report.contains("Access token: expired ")
            && report.contains("refreshes it on the next call"),
        "{report}"
    );
    assert!(
        report.contains("WARNING: Spotify stops refresh tokens six months after login"),
        "{report}"
    );
    assert!(
        report.contains("pause_playback (needs the scope user-modify-playback-state)"),
        "{report}"
    );
    assert!(
        !report.contains("get_saved_tracks"),
        "user-library-read covers it: {report}"
    );
}

#[test]
fn an_expired_grant_says_to_log_in() {
    let mut grant = grants::grant("a", None, 3600, &[]);
    grant.authorized_at -= 200 * 86400;
    let report = status_report(&grant, "/tmp/token.json", &Selection::default());
    assert!(
        report.contains("this one has run out. Run `spotify-mcp auth login`"),
        "{report}"
    );
    assert!(report.contains("no refresh token is stored"), "{report}");
}
