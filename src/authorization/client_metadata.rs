//! Client metadata (RFC 7591 §2) as this server accepts it, whether sent to `/register` or
//! fetched as a Client ID Metadata Document: public clients only (no secret), the
//! authorization-code grant with refresh, and redirect URIs that are safe to send a code to.
//!
//! Redirect URIs: absolute, no fragment, and one of
//! - `https` to any host;
//! - `http` to a loopback host only (`127.0.0.1`, `[::1]`, `localhost`): native and command-line
//!   clients listen there (OAuth 2.1 §8.4.2; RFC 8252 §7.3);
//! - a private-use scheme of a native app (`com.example.app:/cb`, `cursor://…`, RFC 8252 §7.1),
//!   except schemes a browser would run or read locally (`javascript`, `data`, `file`, …).

use crate::store::Scopes;
use serde_json::{Map, Value};

/// Most redirect URIs one client may register, and the longest one accepted.
const MAX_REDIRECT_URIS: usize = 20;
const MAX_REDIRECT_URI_LEN: usize = 2048;
/// Longest `client_name` kept; the consent page shows it.
const MAX_CLIENT_NAME_CHARS: usize = 200;

/// Schemes that are not a place to send a person with a code.
const REFUSED_SCHEMES: &[&str] = &[
    "javascript",
    "data",
    "vbscript",
    "file",
    "blob",
    "about",
    "filesystem",
    "ftp",
    "ws",
    "wss",
];

/// Why client metadata is refused (RFC 7591's `invalid_redirect_uri` or
/// `invalid_client_metadata`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    #[error("redirect_uris: {0}")]
    RedirectUri(String),
    #[error("{0}")]
    Field(String),
}

impl MetadataError {
    /// The RFC 7591 error code.
    pub fn code(&self) -> &'static str {
        match self {
            MetadataError::RedirectUri(_) => "invalid_redirect_uri",
            MetadataError::Field(_) => "invalid_client_metadata",
        }
    }
}

/// Metadata this server accepted: what it stores and answers with.
#[derive(Debug, Clone, PartialEq)]
pub struct AcceptedMetadata {
    /// The accepted fields, defaults filled in (RFC 7591 §3.2.1 echoes them).
    pub metadata: Map<String, Value>,
    pub redirect_uris: Vec<String>,
}

/// Checks client metadata; unknown scopes are dropped (RFC 7591 lets the server narrow them).
pub fn accept(metadata: &Value, supported: &Scopes) -> Result<AcceptedMetadata, MetadataError> {
    let Value::Object(fields) = metadata else {
        return Err(field("client metadata must be a JSON object"));
    };
    if fields.contains_key("client_secret") {
        return Err(field("a public client has no client_secret; leave it out"));
    }
    let redirect_uris = redirect_uris(fields.get("redirect_uris"))?;
    let auth_method = one_of(fields, "token_endpoint_auth_method", &["none"], "none")?;
    let grant_types = subset_of(
        fields,
        "grant_types",
        &["authorization_code", "refresh_token"],
        &["authorization_code"],
    )?;
    let response_types = subset_of(fields, "response_types", &["code"], &["code"])?;
    let mut accepted = Map::new();
    accepted.insert("redirect_uris".into(), strings(&redirect_uris));
    accepted.insert("token_endpoint_auth_method".into(), auth_method.into());
    accepted.insert("grant_types".into(), strings(&grant_types));
    accepted.insert("response_types".into(), strings(&response_types));
    if let Some(name) = client_name(fields)? {
        accepted.insert("client_name".into(), name.into());
    }
    if let Some(scope) = scope(fields, supported)? {
        accepted.insert("scope".into(), scope.into());
    }
    for key in ["client_uri", "logo_uri", "software_id", "software_version"] {
        if let Some(Value::String(text)) = fields.get(key) {
            accepted.insert(
                key.into(),
                text.chars()
                    .take(MAX_REDIRECT_URI_LEN)
                    .collect::<String>()
                    .into(),
            );
        }
    }
    Ok(AcceptedMetadata {
        metadata: accepted,
        redirect_uris,
    })
}

/// Checks one redirect URI against the rules of this module's documentation.
pub fn check_redirect_uri(uri: &str) -> Result<(), String> {
    if uri.len() > MAX_REDIRECT_URI_LEN {
        return Err(format!("longer than {MAX_REDIRECT_URI_LEN} characters"));
    }
    let parsed =
        url::Url::parse(uri).map_err(|e| format!("{uri:?} is not an absolute URI: {e}"))?;
    if parsed.fragment().is_some() {
        return Err(format!("{uri:?} has a fragment; redirect URIs must not"));
    }
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if is_loopback_host(&parsed) => Ok(()),
        "http" => Err(format!(
            "{uri:?} uses http to a host that is not loopback; use https, or http://127.0.0.1, \
             http://[::1] or http://localhost"
        )),
        scheme if REFUSED_SCHEMES.contains(&scheme) => Err(format!(
            "{uri:?}: the scheme {scheme:?} is not a place to send a code"
        )),
        _ => Ok(()),
    }
}

fn is_loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fn redirect_uris(value: Option<&Value>) -> Result<Vec<String>, MetadataError> {
    let refuse = |why: String| MetadataError::RedirectUri(why);
    let Some(Value::Array(items)) = value else {
        return Err(refuse("required: an array of at least one URI".into()));
    };
    if items.is_empty() || items.len() > MAX_REDIRECT_URIS {
        return Err(refuse(format!(
            "give between 1 and {MAX_REDIRECT_URIS} URIs"
        )));
    }
    let mut uris = Vec::with_capacity(items.len());
    for item in items {
        let Value::String(uri) = item else {
            return Err(refuse("every entry must be a string".into()));
        };
        check_redirect_uri(uri).map_err(refuse)?;
        if !uris.contains(uri) {
            uris.push(uri.clone());
        }
    }
    Ok(uris)
}

/// A string field that must be one of `allowed` (`default` when absent).
fn one_of(
    fields: &Map<String, Value>,
    key: &str,
    allowed: &[&'static str],
    default: &'static str,
) -> Result<&'static str, MetadataError> {
    match fields.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::String(value)) => allowed
            .iter()
            .find(|a| **a == value.as_str())
            .copied()
            .ok_or_else(|| {
                field(format!(
                    "{key} {value:?} is not supported; this server takes only {allowed:?}"
                ))
            }),
        Some(_) => Err(field(format!("{key} must be a string"))),
    }
}

/// An array field whose entries must all be in `allowed` (`default` when absent).
fn subset_of(
    fields: &Map<String, Value>,
    key: &str,
    allowed: &[&str],
    default: &[&str],
) -> Result<Vec<String>, MetadataError> {
    let Some(value) = fields.get(key).filter(|v| !v.is_null()) else {
        return Ok(default.iter().map(|s| s.to_string()).collect());
    };
    let Value::Array(items) = value else {
        return Err(field(format!("{key} must be an array of strings")));
    };
    let mut chosen = Vec::new();
    for item in items {
        match item.as_str() {
            Some(s) if allowed.contains(&s) => {
                if !chosen.iter().any(|c: &String| c == s) {
                    chosen.push(s.to_string());
                }
            }
            Some(s) => {
                return Err(field(format!(
                    "{key}: {s:?} is not supported; this server takes only {allowed:?}"
                )));
            }
            None => return Err(field(format!("{key} must be an array of strings"))),
        }
    }
    if chosen.is_empty() {
        return Err(field(format!("{key} must not be empty")));
    }
    Ok(chosen)
}

fn client_name(fields: &Map<String, Value>) -> Result<Option<String>, MetadataError> {
    match fields.get("client_name") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(name)) => Ok(Some(name.chars().take(MAX_CLIENT_NAME_CHARS).collect())),
        Some(_) => Err(field("client_name must be a string")),
    }
}

/// The requested scopes this server knows, if the client named any.
fn scope(fields: &Map<String, Value>, supported: &Scopes) -> Result<Option<String>, MetadataError> {
    match fields.get("scope") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => {
            let known: Scopes = Scopes::parse(text)
                .iter()
                .filter(|s| supported.iter().any(|k| k == *s))
                .collect();
            Ok(Some(known.to_string()).filter(|s| !s.is_empty()))
        }
        Some(_) => Err(field("scope must be a space-separated string")),
    }
}

fn strings(items: &[String]) -> Value {
    Value::Array(items.iter().cloned().map(Value::String).collect())
}

fn field(why: impl Into<String>) -> MetadataError {
    MetadataError::Field(why.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scopes() -> Scopes {
        Scopes::parse("user-read-private playlist-read-private")
    }

    #[test]
    fn redirect_uris_follow_the_documented_rules() {
        for ok in [
            "https://client.example/cb",
            "http://127.0.0.1:33418/cb",
            "http://[::1]/cb",
            "http://localhost:6274/oauth/callback",
            "com.example.app:/oauth",
            "cursor://anysphere.cursor-retrieval/oauth/callback",
        ] {
            assert_eq!(check_redirect_uri(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://client.example/cb",
            "http://10.0.0.1/cb",
            "https://client.example/cb#frag",
            "/relative/cb",
            "javascript:alert(1)",
            "data:text/html,hi",
            "file:///etc/passwd",
        ] {
            assert!(check_redirect_uri(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn defaults_are_filled_in_and_unknown_scopes_dropped() {
        let accepted = accept(
            &json!({ "redirect_uris": ["https://c.example/cb"], "client_name": "C",
                     "scope": "user-read-private openid" }),
            &scopes(),
        )
        .unwrap();
        let m = Value::Object(accepted.metadata);
        assert_eq!(m["token_endpoint_auth_method"], "none");
        assert_eq!(m["grant_types"], json!(["authorization_code"]));
        assert_eq!(m["response_types"], json!(["code"]));
        assert_eq!(m["scope"], "user-read-private");
        assert_eq!(accepted.redirect_uris, vec!["https://c.example/cb"]);
    }

    #[test]
    fn confidential_clients_and_other_grants_are_refused() {
        let base = |extra: Value| {
            let mut m = json!({ "redirect_uris": ["https://c.example/cb"] });
            m.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            accept(&m, &scopes())
        };
        let refused = [
            json!({ "token_endpoint_auth_method": "client_secret_basic" }),
            json!({ "client_secret": "s" }),
            json!({ "grant_types": ["client_credentials"] }),
            json!({ "grant_types": ["implicit"] }),
            json!({ "response_types": ["token"] }),
            json!({ "grant_types": [] }),
        ];
        for extra in refused {
            let err = base(extra.clone()).unwrap_err();
            assert_eq!(err.code(), "invalid_client_metadata", "{extra}");
        }
        assert_eq!(
            accept(&json!({}), &scopes()).unwrap_err().code(),
            "invalid_redirect_uri"
        );
        assert_eq!(
            accept(&json!({ "redirect_uris": [] }), &scopes())
                .unwrap_err()
                .code(),
            "invalid_redirect_uri"
        );
    }
}
