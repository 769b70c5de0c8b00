//! What the sign-in hands the browser: small HTML pages (escaped text, one inline stylesheet
//! allowed by its hash, no script) and redirects, every one with headers that keep it out of
//! frames, caches and `Referer` headers.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// The only style the pages have; the CSP allows exactly this text by its hash.
const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;\
padding:0 1rem;color:#111;line-height:1.5}h1{font-size:1.4rem}code{word-break:break-all;\
background:#f2f2f2;padding:0 .2rem}.who{border:1px solid #ccc;border-radius:.5rem;padding:.5rem 1rem}\
.note{color:#555;font-size:.9rem}form{display:inline}button{font-size:1rem;padding:.5rem 1.2rem;\
margin:.5rem .5rem 0 0;border-radius:.4rem;border:1px solid #888;cursor:pointer}\
button.allow{background:#1db954;color:#fff;border-color:#1db954}";

static STYLE_HASH: LazyLock<String> = LazyLock::new(|| {
    let digest = Sha256::digest(STYLE.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
});

/// `text` safe to put in HTML text and in double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// A page: `title` (escaped here) and `body`, HTML its caller built with [`escape`].
/// `form_targets` are the CSP `form-action` sources besides `'self'`: Chromium also checks the
/// redirect that follows a form's POST against them.
pub fn page(status: StatusCode, title: &str, body: &str, form_targets: &[String]) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body><h1>{title}</h1>{body}</body></html>",
        title = escape(title),
    );
    let mut form_action = String::from("'self'");
    for target in form_targets {
        form_action.push(' ');
        form_action.push_str(target);
    }
    let policy = format!(
        "default-src 'none'; style-src {}; form-action {form_action}; frame-ancestors 'none'; \
         base-uri 'none'",
        *STYLE_HASH
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    protect(headers);
    response
}

/// A page that says what went wrong and what to do; never a redirect.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!("<p>{}</p>", escape(message));
    page(status, title, &body, &[])
}

/// `303 See Other` to `location`.
pub fn redirect(location: &str) -> Response {
    let Ok(value) = HeaderValue::from_str(location) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Cannot continue",
            "The address to return to is not a valid URL.",
        );
    };
    let mut response = StatusCode::SEE_OTHER.into_response();
    response.headers_mut().insert(header::LOCATION, value);
    protect(response.headers_mut());
    response
}

/// The authorization response (RFC 6749 §4.1.2, RFC 9207's `iss`): `pairs`, `state` when the
/// client sent one, and `iss`, added to the client's redirect URI.
pub fn client_redirect(
    redirect_uri: &str,
    pairs: &[(&str, &str)],
    state: Option<&str>,
    issuer: &str,
) -> Response {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        return redirect(redirect_uri);
    };
    {
        let mut query = url.query_pairs_mut();
        query.extend_pairs(pairs);
        if let Some(state) = state {
            query.append_pair("state", state);
        }
        query.append_pair("iss", issuer);
    }
    redirect(url.as_str())
}

/// The CSP source that lets a form's redirect reach `redirect_uri`: its origin for http(s),
/// its scheme for an app's own (`myapp:`).
pub fn form_target(redirect_uri: &str) -> Option<String> {
    let url = url::Url::parse(redirect_uri).ok()?;
    match url.scheme() {
        "http" | "https" => Some(url.origin().ascii_serialization()),
        scheme => Some(format!("{scheme}:")),
    }
}

/// Headers every answer of the sign-in carries: not framed, not cached, no `Referer` leaks
/// a code or a state onwards.
fn protect(headers: &mut HeaderMap) {
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_leaves_no_markup() {
        let hostile = "<script>alert(\"x\")</script>' onload='x' &amp;";
        let escaped = escape(hostile);
        for forbidden in ['<', '>', '"', '\''] {
            assert!(!escaped.contains(forbidden), "{escaped}");
        }
        assert_eq!(
            escaped,
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onload=&#39;x&#39; &amp;amp;"
        );
        assert_eq!(escape("Ada Lovelace – ♫"), "Ada Lovelace – ♫");
    }

    #[test]
    fn pages_carry_the_anti_framing_headers_and_escape_the_title() {
        let response = page(StatusCode::OK, "<b>", "", &["myapp:".into()]);
        let headers = response.headers();
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(policy.contains("default-src 'none'"), "{policy}");
        assert!(policy.contains("form-action 'self' myapp:"), "{policy}");
    }

    #[test]
    fn the_client_redirect_keeps_the_uri_s_own_query_and_adds_state_and_iss() {
        let response = client_redirect(
            "http://127.0.0.1:9/cb?app=1",
            &[("code", "c&d")],
            Some("s t"),
            "https://mcp.example",
        );
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()[header::LOCATION],
            "http://127.0.0.1:9/cb?app=1&code=c%26d&state=s+t&iss=https%3A%2F%2Fmcp.example"
        );
        assert_eq!(
            form_target("http://127.0.0.1:9/cb").as_deref(),
            Some("http://127.0.0.1:9")
        );
        assert_eq!(form_target("cursor://x/cb").as_deref(), Some("cursor:"));
    }
}
