//! Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document; MCP 2025-11-25
//! "Client Registration"): a client id that is an HTTPS URL names a JSON document of the
//! client's metadata, which this server fetches.
//!
//! Fetching a URL a stranger chose is a request forgery risk, so the fetch is fenced: `https`
//! only; the host is resolved first and refused if any address is loopback, private,
//! link-local, unique-local, unspecified, multicast or otherwise not public, and the connection
//! then goes to exactly the checked addresses (no second lookup a rebinding DNS server could
//! answer differently); no proxy, no redirect; [`FETCH_TIMEOUT`] for all of it;
//! [`MAX_DOCUMENT_BYTES`] of JSON at most, read incrementally; [`MAX_CONCURRENT_FETCHES`] at a
//! time. `--allow-private-client-metadata` (tests only) lifts the scheme and address checks.

use super::client_metadata::{self, AcceptedMetadata};
use crate::store::Scopes;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio::sync::Semaphore;

/// The whole fetch — resolving, connecting, reading — gives up after this.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest document read (the draft suggests 5 KB).
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024;
/// A stored document older than this is fetched again before use.
pub const REFRESH_AFTER_SECS: i64 = 3600;
/// Fetches in flight at once, so that client ids cannot make the server a crawler.
pub const MAX_CONCURRENT_FETCHES: usize = 8;

static FETCHES: Semaphore = Semaphore::const_new(MAX_CONCURRENT_FETCHES);

/// Why a metadata document cannot be used. Each says what the client's developer must fix.
#[derive(Debug, thiserror::Error)]
pub enum CimdError {
    #[error("the client id {0:?} is not a valid URL")]
    NotAUrl(String),
    #[error(
        "the client id must be an https URL with a path, no fragment, no user or password, and \
         in normal form (no dot segments, lower-case host): {0}"
    )]
    BadUrl(&'static str),
    #[error("cannot resolve the host of the client id: {0}")]
    Resolve(String),
    #[error(
        "the host of the client id resolves to {0}, which is not a public address; metadata \
         documents are fetched only from public addresses"
    )]
    PrivateAddress(&'static str),
    #[error("fetching the document took longer than {}s", FETCH_TIMEOUT.as_secs())]
    Timeout,
    #[error("fetching the document failed: {0}")]
    Fetch(String),
    #[error(
        "the document answered {0}; redirects are not followed, the document must be served at the client id itself with 200"
    )]
    Status(u16),
    #[error("the document must be served as application/json, not {0:?}")]
    ContentType(String),
    #[error("the document is larger than {MAX_DOCUMENT_BYTES} bytes")]
    TooLarge,
    #[error("the document is not a JSON object: {0}")]
    NotJson(String),
    #[error("the document's client_id must equal the URL it is served at")]
    ClientIdMismatch,
    #[error("{0}")]
    Metadata(#[from] client_metadata::MetadataError),
}

impl CimdError {
    /// A short label for metrics.
    pub fn outcome(&self) -> &'static str {
        match self {
            CimdError::NotAUrl(_) | CimdError::BadUrl(_) => "bad_url",
            CimdError::Resolve(_) => "unresolvable",
            CimdError::PrivateAddress(_) => "private_address",
            CimdError::Timeout => "timeout",
            CimdError::Fetch(_) | CimdError::Status(_) => "fetch_failed",
            CimdError::ContentType(_) | CimdError::NotJson(_) => "not_json",
            CimdError::TooLarge => "too_large",
            CimdError::ClientIdMismatch => "client_id_mismatch",
            CimdError::Metadata(_) => "bad_metadata",
        }
    }
}

/// Whether a client id names a metadata document rather than a registered client (registered
/// ids are random and never contain `:`).
pub fn is_document_url(client_id: &str) -> bool {
    client_id.starts_with("https://") || client_id.starts_with("http://")
}

/// Fetches and checks the document at `url`.
pub async fn fetch(
    url: &str,
    allow_private: bool,
    supported: &Scopes,
) -> Result<AcceptedMetadata, CimdError> {
    let parsed = check_url(url, allow_private)?;
    let _permit = FETCHES.acquire().await.map_err(|_| CimdError::Timeout)?;
    let body = tokio::time::timeout(FETCH_TIMEOUT, fetch_body(&parsed, allow_private))
        .await
        .map_err(|_| CimdError::Timeout)??;
    let document: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| CimdError::NotJson(e.to_string()))?;
    if document.get("client_id").and_then(|id| id.as_str()) != Some(url) {
        return Err(CimdError::ClientIdMismatch);
    }
    let mut accepted = client_metadata::accept(&document, supported)?;
    accepted
        .metadata
        .insert("client_id".into(), url.to_string().into());
    Ok(accepted)
}

/// The draft's rules for the URL itself (§3), before anything is sent.
fn check_url(url: &str, allow_private: bool) -> Result<url::Url, CimdError> {
    let parsed = url::Url::parse(url).map_err(|_| CimdError::NotAUrl(url.to_string()))?;
    let scheme_ok = parsed.scheme() == "https" || (allow_private && parsed.scheme() == "http");
    let problem = if !scheme_ok {
        Some("the scheme must be https")
    } else if parsed.path() == "/" || parsed.path().is_empty() {
        Some("a path is required")
    } else if parsed.fragment().is_some() {
        Some("a fragment is not allowed")
    } else if !parsed.username().is_empty() || parsed.password().is_some() {
        Some("a user or password is not allowed")
    } else if parsed.as_str() != url {
        Some("the URL is not in normal form")
    } else {
        None
    };
    match problem {
        Some(why) => Err(CimdError::BadUrl(why)),
        None => Ok(parsed),
    }
}

/// Resolves, checks the addresses, and reads the body from exactly those addresses.
async fn fetch_body(url: &url::Url, allow_private: bool) -> Result<Vec<u8>, CimdError> {
    let host = url
        .host_str()
        .ok_or(CimdError::BadUrl("a host is required"))?;
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses = resolve(url, port).await?;
    let refused = addresses.iter().find_map(|a| not_public(a.ip()));
    if let Some(kind) = refused.filter(|_| !allow_private) {
        return Err(CimdError::PrivateAddress(kind));
    }
    let mut builder = crate::foundation::tls::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(FETCH_TIMEOUT)
        .timeout(FETCH_TIMEOUT);
    if let Some(url::Host::Domain(_)) = url.host() {
        builder = builder.resolve_to_addrs(host, &addresses);
    }
    let client = builder
        .build()
        .map_err(|e| CimdError::Fetch(e.to_string()))?;
    let response = client
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(fetch_failed)?;
    if response.status() != reqwest::StatusCode::OK {
        return Err(CimdError::Status(response.status().as_u16()));
    }
    check_content_type(&response)?;
    read_capped(response).await
}

/// A reqwest error in words (with its causes, never the URL's query), or the timeout it was.
fn fetch_failed(error: reqwest::Error) -> CimdError {
    if error.is_timeout() {
        return CimdError::Timeout;
    }
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    CimdError::Fetch(text)
}

/// Every address the host has (an IP literal is its own).
async fn resolve(url: &url::Url, port: u16) -> Result<Vec<SocketAddr>, CimdError> {
    let addresses: Vec<SocketAddr> = match url.host() {
        Some(url::Host::Ipv4(ip)) => vec![SocketAddr::new(ip.into(), port)],
        Some(url::Host::Ipv6(ip)) => vec![SocketAddr::new(ip.into(), port)],
        Some(url::Host::Domain(name)) => tokio::net::lookup_host((name, port))
            .await
            .map_err(|e| CimdError::Resolve(e.to_string()))?
            .collect(),
        None => Vec::new(),
    };
    if addresses.is_empty() {
        return Err(CimdError::Resolve("no address".into()));
    }
    Ok(addresses)
}

fn check_content_type(response: &reqwest::Response) -> Result<(), CimdError> {
    let value = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let json = essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"));
    if json {
        Ok(())
    } else {
        Err(CimdError::ContentType(value.chars().take(100).collect()))
    }
}

/// The body, refused as soon as it passes [`MAX_DOCUMENT_BYTES`] (a declared length first).
async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, CimdError> {
    if response.content_length().unwrap_or(0) > MAX_DOCUMENT_BYTES as u64 {
        return Err(CimdError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(fetch_failed)? {
        if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
            return Err(CimdError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// What kind of non-public address this is, or `None` for a public one.
pub fn not_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => not_public_v4(v4),
        IpAddr::V6(v6) => not_public_v6(v6),
    }
}

fn not_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        _ if ip.is_unspecified() || a == 0 => "an unspecified address",
        _ if ip.is_loopback() => "a loopback address",
        _ if ip.is_private() => "a private address",
        _ if ip.is_link_local() => "a link-local address",
        (100, 64..=127, _) => "a shared (carrier-grade NAT) address",
        (192, 0, 0) | (198, 18..=19, _) => "a reserved address",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "a documentation address",
        _ if ip.is_multicast() => "a multicast address",
        _ if a >= 240 => "a reserved or broadcast address",
        _ => return None,
    })
}

fn not_public_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = embedded_v4(ip) {
        return not_public_v4(v4);
    }
    let first = ip.segments()[0];
    Some(match first {
        _ if ip.is_unspecified() => "an unspecified address",
        _ if ip.is_loopback() => "a loopback address",
        _ if ip.is_multicast() => "a multicast address",
        _ if first & 0xfe00 == 0xfc00 => "a unique-local address",
        _ if first & 0xffc0 == 0xfe80 || first & 0xffc0 == 0xfec0 => "a link-local address",
        0x2001 if ip.segments()[1] == 0x0db8 => "a documentation address",
        // Teredo tunnels reach an IPv4 address this check cannot see.
        0x2001 if ip.segments()[1] == 0 => "a tunnelled address",
        _ if first & 0xe000 != 0x2000 => "an address outside the global unicast range",
        _ => return None,
    })
}

/// The IPv4 address inside an IPv4-mapped, NAT64 or 6to4 IPv6 address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let from = |hi: u16, lo: u16| Ipv4Addr::from(((hi as u32) << 16) | lo as u32);
    match s {
        [0, 0, 0, 0, 0, 0xffff, hi, lo] => Some(from(hi, lo)),
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(from(hi, lo)),
        [0x2002, hi, lo, ..] => Some(from(hi, lo)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_pass() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "2001:db8::1",
        ] {
            let ip: IpAddr = private.parse().unwrap();
            assert!(not_public(ip).is_some(), "{private} passed as public");
        }
        for public in [
            "1.1.1.1",
            "8.8.8.8",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = public.parse().unwrap();
            assert_eq!(not_public(ip), None, "{public}");
        }
    }

    #[test]
    fn the_url_rules_of_the_draft() {
        assert!(check_url("https://client.example/oauth/metadata.json", false).is_ok());
        for bad in [
            "http://client.example/metadata.json",
            "https://client.example/",
            "https://client.example",
            "https://client.example/a#frag",
            "https://user:pw@client.example/a",
            "https://client.example/a/../b",
            "https://Client.Example/a",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad} accepted");
        }
        assert!(check_url("http://127.0.0.1:8/m.json", true).is_ok());
    }
}
