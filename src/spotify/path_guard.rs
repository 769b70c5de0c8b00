//! Defence in depth for ids: whatever the MCP layer let through, a request is sent only when its
//! final URL path (after the URL parser turned `\` into `/` and resolved `..`) is its
//! operation's path template, segment for segment, under the base URL's path.

use crate::foundation::excerpt::excerpt;
use crate::middleware::call::CallFailure;

/// The path template of the operation progenitor names `operation_id`: the one place this
/// guard reads the operation table.
fn path_template(operation_id: &str) -> Option<&'static str> {
    crate::spec::operation(operation_id).map(|op| op.path)
}

/// The path of the base URL that every operation's template follows (`/v1`), worked out once
/// per server rather than per request.
pub fn base_path(base_url: &str) -> String {
    reqwest::Url::parse(base_url)
        .map(|base| base.path().trim_end_matches('/').to_string())
        .unwrap_or_default()
}

/// Refuses `url` unless its path is `base_path` (see [`base_path`]) followed by the
/// operation's template.
pub fn check(base_path: &str, url: &reqwest::Url, operation_id: &str) -> Result<(), CallFailure> {
    let template = path_template(operation_id).unwrap_or("(no such operation)");
    if follows(url.path(), base_path, template) {
        return Ok(());
    }
    Err(CallFailure::PathOutsideTemplate {
        operation: operation_id.to_string(),
        template: template.to_string(),
        path: excerpt(url.path()).into_owned(),
    })
}

/// Whether `path` is `base_path` then `template`, each `{placeholder}` one plain segment.
fn follows(path: &str, base_path: &str, template: &str) -> bool {
    let Some(rest) = path.strip_prefix(base_path) else {
        return false;
    };
    let mut actual = rest.split('/');
    let mut expected = template.split('/');
    loop {
        match (actual.next(), expected.next()) {
            (None, None) => return true,
            (Some(segment), Some(part)) if is_placeholder(part) => {
                if !is_plain(segment) {
                    return false;
                }
            }
            (Some(segment), Some(part)) if segment == part => {}
            _ => return false,
        }
    }
}

fn is_placeholder(part: &str) -> bool {
    part.len() > 2 && part.starts_with('{') && part.ends_with('}')
}

/// A segment a server cannot read as a step elsewhere: not empty, not dots (even encoded),
/// no encoded slash or backslash.
fn is_plain(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    let dots = lower.replace("%2e", ".");
    !segment.is_empty()
        && dots.chars().any(|c| c != '.')
        && !lower.contains("%2f")
        && !lower.contains("%5c")
}

#[cfg(test)]
mod tests {
    use super::follows;

    #[test]
    fn a_path_that_keeps_to_its_template_passes() {
        assert!(follows(
            "/v1/albums/4aawyAB9vmqN3uQ7FjRGTy",
            "/v1",
            "/albums/{id}"
        ));
        assert!(follows("/v1/albums/x/tracks", "/v1", "/albums/{id}/tracks"));
        assert!(follows("/albums/x", "", "/albums/{id}"));
    }

    #[test]
    fn a_path_that_leaves_its_template_is_refused() {
        assert!(!follows("/v1/me/top/tracks", "/v1", "/albums/{id}"));
        assert!(!follows("/v1/albums/a/b", "/v1", "/albums/{id}"));
        assert!(!follows("/v1/albums/", "/v1", "/albums/{id}"));
        assert!(!follows("/v2/albums/x", "/v1", "/albums/{id}"));
        assert!(!follows("/v1/albums/x/tracks", "/v1", "/albums/{id}"));
    }

    #[test]
    fn encoded_steps_are_refused_in_a_placeholder() {
        for segment in ["..", ".", "%2e%2E", ".%2e", "a%2Fb", "a%5cb"] {
            let path = format!("/v1/albums/{segment}");
            assert!(!follows(&path, "/v1", "/albums/{id}"), "{segment}");
        }
        assert!(follows("/v1/albums/a.b", "/v1", "/albums/{id}"));
    }
}
