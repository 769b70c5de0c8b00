//! The sign-in's cookies: HttpOnly, `SameSite=Lax` (sent on the top-level navigation back from
//! Spotify, never on another site's POST), `Secure` when the server's public URL is https, and
//! scoped to the server's public path.

use super::state::Settings;
use axum::http::{HeaderMap, HeaderValue, header};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The browser's nonce: the sealed consent request and the `/account` session name its hash.
pub const BROWSER: &str = "spotify_mcp_browser";
/// Who is signed in to `/account`.
pub const SESSION: &str = "spotify_mcp_session";

/// The cookie that carries the sign-in whose Spotify `state` this is.
pub fn sign_in_name(spotify_state: &str) -> String {
    let digest = Sha256::digest(spotify_state.as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("spotify_mcp_sign_in_{hex}")
}

/// The value of the cookie `name` the request carries, if any.
pub fn read<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
        .filter(|value| !value.is_empty())
}

/// A `Set-Cookie` value for `name=value` under the server's `path`, living `max_age` (or the
/// browser session when `None`).
pub fn set(
    settings: &Settings,
    name: &str,
    value: &str,
    path: &str,
    max_age: Option<Duration>,
) -> HeaderValue {
    let mut cookie = format!(
        "{name}={value}; Path={}; HttpOnly; SameSite=Lax",
        public_path(settings, path)
    );
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={}", age.as_secs()));
    }
    if settings.issuer.starts_with("https://") {
        cookie.push_str("; Secure");
    }
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// A `Set-Cookie` value that removes the cookie `name` set with this `path`.
pub fn clear(settings: &Settings, name: &str, path: &str) -> HeaderValue {
    set(settings, name, "", path, Some(Duration::ZERO))
}

/// `path` as the browser sees it: under the public URL's own path, when it has one.
fn public_path(settings: &Settings, path: &str) -> String {
    let base = url::Url::parse(&settings.issuer)
        .map(|url| url.path().trim_end_matches('/').to_string())
        .unwrap_or_default();
    let joined = format!("{base}{path}");
    if joined.is_empty() {
        "/".into()
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Scopes, TokenLifetimes};

    fn settings(issuer: &str) -> Settings {
        Settings {
            issuer: issuer.into(),
            scopes: Scopes::default(),
            lifetimes: TokenLifetimes {
                access: Duration::from_secs(1),
                refresh: Duration::from_secs(1),
            },
            allow_private_client_metadata: false,
            api_base_url: String::new(),
        }
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_over_https_under_the_public_path() {
        let plain = set(
            &settings("http://127.0.0.1:8080"),
            "a",
            "b",
            "/callback",
            None,
        );
        assert_eq!(plain, "a=b; Path=/callback; HttpOnly; SameSite=Lax");
        let secure = set(
            &settings("https://example.com/spotify"),
            "a",
            "b",
            "",
            Some(Duration::from_secs(60)),
        );
        assert_eq!(
            secure,
            "a=b; Path=/spotify; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
    }

    #[test]
    fn read_finds_one_cookie_among_several() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("x=1; spotify_mcp_browser=n"),
        );
        headers.append(header::COOKIE, HeaderValue::from_static("y=2"));
        assert_eq!(read(&headers, BROWSER), Some("n"));
        assert_eq!(read(&headers, "y"), Some("2"));
        assert_eq!(read(&headers, "spotify_mcp"), None);
        assert_ne!(sign_in_name("a"), sign_in_name("b"));
    }
}
