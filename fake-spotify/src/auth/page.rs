//! The HTML of the accounts service: the consent page and its error page. Plain, with stable
//! element ids, so a headless browser (or a test reading the HTML) can drive it.

use super::authorize::AuthRequest;
use crate::state::FakeUser;

/// `text` safe inside HTML text and double-quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{}</title></head>\n<body>\n{body}</body></html>\n",
        escape(title)
    )
}

/// "Allow this app?": a radio button per user (the login hint, else the first, checked), the
/// scopes asked for, and Agree / Cancel buttons that submit the form.
pub(crate) fn consent(request: &AuthRequest, users: &[FakeUser]) -> String {
    let chosen = request
        .login_hint
        .as_deref()
        .filter(|hint| users.iter().any(|u| u.id == *hint))
        .or(users.first().map(|u| u.id.as_str()))
        .unwrap_or_default();
    let hidden: String = request
        .carried
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
                escape(name),
                escape(value)
            )
        })
        .collect();
    let accounts: String = users
        .iter()
        .map(|u| {
            format!(
                "<label><input type=\"radio\" name=\"user\" id=\"user-{id}\" value=\"{id}\"{checked}> \
                 {name} ({id})</label><br>\n",
                id = escape(&u.id),
                name = escape(&u.display_name),
                checked = if u.id == chosen { " checked" } else { "" },
            )
        })
        .collect();
    let scopes: String = request
        .scope
        .split_whitespace()
        .map(|s| format!("<li>{}</li>\n", escape(s)))
        .collect();
    let body = format!(
        "<h1>Allow {client} to access your Spotify account?</h1>\n\
         <p>This is the fake Spotify: choose the account that signs in.</p>\n\
         <form id=\"consent\" method=\"post\" action=\"/authorize\">\n{hidden}\
         <fieldset><legend>Sign in as</legend>\n{accounts}</fieldset>\n\
         <ul id=\"scopes\">\n{scopes}</ul>\n\
         <button type=\"submit\" id=\"agree\" name=\"action\" value=\"agree\">Agree</button>\n\
         <button type=\"submit\" id=\"cancel\" name=\"action\" value=\"cancel\">Cancel</button>\n\
         </form>\n",
        client = escape(&request.client_id),
    );
    document("Authorize - Fake Spotify", &body)
}

/// A refused request whose redirect URI cannot be trusted: shown, never redirected.
pub(crate) fn error(message: &str) -> String {
    let body = format!(
        "<h1>Something went wrong</h1>\n<p id=\"error\">{}</p>\n",
        escape(message)
    );
    document("Error - Fake Spotify", &body)
}
