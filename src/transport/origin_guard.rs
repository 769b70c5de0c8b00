//! DNS-rebinding defence, as the MCP spec asks: the `Host` and `Origin` headers must be on
//! allow-lists. Browsers send `Origin`; other clients usually do not, and pass. The same lists
//! configure rmcp's own check, which stays on as a second line.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header, uri::Authority};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error(
        "invalid --allowed-origins entry `{0}`: write scheme://host[:port] (e.g. https://app.example.com, \
         http://localhost:*), or `null`"
    )]
    Origin(String),
    #[error(
        "invalid --allowed-hosts entry `{0}`: write host or host:port (e.g. mcp.example.com:443), or `*`"
    )]
    Host(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct HostRule {
    host: String,
    /// `None`: any port.
    port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum OriginRule {
    Null,
    Site {
        scheme: String,
        host: String,
        /// `None`: any port (`:*`).
        port: Option<u16>,
    },
}

/// Who may call, by `Host` and `Origin`.
#[derive(Debug, Clone)]
pub struct HostOriginPolicy {
    /// `None`: any host (`*`).
    hosts: Option<Vec<HostRule>>,
    origins: Vec<OriginRule>,
}

fn normalize_host(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

fn parse_host(entry: &str) -> Option<HostRule> {
    let authority = Authority::try_from(entry.trim()).ok()?;
    Some(HostRule {
        host: normalize_host(authority.host()),
        port: authority.port_u16(),
    })
}

fn parse_origin(entry: &str) -> Option<OriginRule> {
    let entry = entry.trim();
    if entry == "null" {
        return Some(OriginRule::Null);
    }
    let (base, any_port) = match entry.strip_suffix(":*") {
        Some(base) => (base, true),
        None => (entry, false),
    };
    let url = url::Url::parse(base).ok()?;
    let host = url.host_str()?;
    // An origin is scheme, host and port only.
    if url.path() != "/" || url.query().is_some() || !url.username().is_empty() {
        return None;
    }
    Some(OriginRule::Site {
        scheme: url.scheme().to_string(),
        host: normalize_host(host),
        port: if any_port {
            None
        } else {
            Some(url.port_or_known_default()?)
        },
    })
}

fn bracketed(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

impl HostOriginPolicy {
    /// The lists from the flags, or the defaults for the address actually bound.
    pub fn new(
        hosts: &[String],
        origins: &[String],
        bound: SocketAddr,
    ) -> Result<Self, PolicyError> {
        let port = bound.port();
        let loopback = ["localhost", "127.0.0.1", "::1"];
        let hosts = if hosts.iter().any(|h| h.trim() == "*") {
            None
        } else if hosts.is_empty() {
            let mut rules: Vec<HostRule> = loopback
                .iter()
                .map(|host| HostRule {
                    host: host.to_string(),
                    port: Some(port),
                })
                .collect();
            if !bound.ip().is_loopback() && !bound.ip().is_unspecified() {
                rules.push(HostRule {
                    host: bound.ip().to_string(),
                    port: Some(port),
                });
            }
            Some(rules)
        } else {
            Some(
                hosts
                    .iter()
                    .map(|h| parse_host(h).ok_or_else(|| PolicyError::Host(h.clone())))
                    .collect::<Result<_, _>>()?,
            )
        };
        let origins = if !origins.is_empty() {
            origins
                .iter()
                .map(|o| parse_origin(o).ok_or_else(|| PolicyError::Origin(o.clone())))
                .collect::<Result<_, _>>()?
        } else if bound.ip().is_loopback() {
            loopback
                .iter()
                .map(|host| OriginRule::Site {
                    scheme: "http".into(),
                    host: host.to_string(),
                    port: Some(port),
                })
                .collect()
        } else {
            // A public listener lets no browser page in unless told which.
            Vec::new()
        };
        Ok(Self { hosts, origins })
    }

    /// Also allows the host of `url` (the public URL of multi-user mode), at its port, or at
    /// any port when the URL leaves it to the scheme's default (clients then send no port).
    pub fn allow_host_of(&mut self, url: &str) {
        let Some(rules) = &mut self.hosts else {
            return;
        };
        let Ok(url) = url::Url::parse(url) else {
            return;
        };
        if let Some(host) = url.host_str() {
            let rule = HostRule {
                host: normalize_host(host),
                port: url.port(),
            };
            if !rules.contains(&rule) {
                rules.push(rule);
            }
        }
    }

    /// The Host allow-list in the form rmcp takes (empty: any host).
    pub fn rmcp_hosts(&self) -> Vec<String> {
        self.hosts
            .iter()
            .flatten()
            .map(|rule| match rule.port {
                Some(port) => format!("{}:{port}", bracketed(&rule.host)),
                None => bracketed(&rule.host),
            })
            .collect()
    }

    /// The Origin allow-list in the form rmcp takes (always with an explicit port rule).
    pub fn rmcp_origins(&self) -> Vec<String> {
        self.origins
            .iter()
            .map(|rule| match rule {
                OriginRule::Null => "null".to_string(),
                OriginRule::Site {
                    scheme,
                    host,
                    port: Some(port),
                } => {
                    format!("{scheme}://{}:{port}", bracketed(host))
                }
                OriginRule::Site {
                    scheme,
                    host,
                    port: None,
                } => {
                    format!("{scheme}://{}:*", bracketed(host))
                }
            })
            .collect()
    }

    fn host_allowed(&self, request: &Request) -> Result<(), String> {
        let Some(rules) = &self.hosts else {
            return Ok(());
        };
        let value = match request.headers().get(header::HOST) {
            Some(value) => value
                .to_str()
                .map_err(|_| "the Host header is not text".to_string())?,
            None => request
                .uri()
                .authority()
                .map(Authority::as_str)
                .ok_or_else(|| "the request has no Host header".to_string())?,
        };
        let host =
            parse_host(value).ok_or_else(|| format!("the Host header `{value}` is malformed"))?;
        let allowed = rules.iter().any(|rule| {
            rule.host == host.host && rule.port.is_none_or(|port| host.port == Some(port))
        });
        if allowed {
            Ok(())
        } else {
            Err(format!(
                "Host `{value}` is not allowed; the server's --allowed-hosts (SPOTIFY_MCP_ALLOWED_HOSTS) must name it"
            ))
        }
    }

    fn origin_allowed(&self, request: &Request) -> Result<(), String> {
        let Some(value) = request.headers().get(header::ORIGIN) else {
            return Ok(());
        };
        let value = value
            .to_str()
            .map_err(|_| "the Origin header is not text".to_string())?;
        let origin = parse_origin(value)
            .ok_or_else(|| format!("the Origin header `{value}` is malformed"))?;
        let allowed = self.origins.iter().any(|rule| match (rule, &origin) {
            (OriginRule::Null, OriginRule::Null) => true,
            (
                OriginRule::Site { scheme, host, port },
                OriginRule::Site {
                    scheme: s,
                    host: h,
                    port: p,
                },
            ) => scheme == s && host == h && port.is_none_or(|port| *p == Some(port)),
            _ => false,
        });
        if allowed {
            Ok(())
        } else {
            Err(format!(
                "Origin `{value}` is not allowed; the server's --allowed-origins (SPOTIFY_MCP_ALLOWED_ORIGINS) must name it"
            ))
        }
    }
}

/// The Host check alone, for the authorization server's pages: browsers post their forms
/// with an `Origin`, which the Host check (against DNS rebinding) does not need.
pub async fn check_host(
    State(policy): State<Arc<HostOriginPolicy>>,
    request: Request,
    next: Next,
) -> Response {
    match policy.host_allowed(&request) {
        Ok(()) => next.run(request).await,
        Err(reason) => {
            tracing::warn!(%reason, "request refused (possible DNS rebinding)");
            crate::foundation::metrics::http_refusal("forbidden");
            (StatusCode::FORBIDDEN, format!("Forbidden: {reason}")).into_response()
        }
    }
}

pub async fn check_host_and_origin(
    State(policy): State<Arc<HostOriginPolicy>>,
    request: Request,
    next: Next,
) -> Response {
    match policy
        .host_allowed(&request)
        .and_then(|()| policy.origin_allowed(&request))
    {
        Ok(()) => next.run(request).await,
        Err(reason) => {
            tracing::warn!(%reason, "request refused (possible DNS rebinding or cross-site call)");
            crate::foundation::metrics::http_refusal("forbidden");
            (StatusCode::FORBIDDEN, format!("Forbidden: {reason}")).into_response()
        }
    }
}
