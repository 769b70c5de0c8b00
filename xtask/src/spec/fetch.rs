//! Reading the upstream document from a file or an `http(s)://` URL.

use serde_json::Value;
use std::time::Duration;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The published document is a few hundred kilobytes; a minute is generous on a slow link.
const TOTAL_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot fetch {url}: {detail}")]
    Fetch { url: String, detail: String },
    #[error("{url} answered HTTP {status}; check the address")]
    Status { url: String, status: u16 },
    #[error("{source_name} is not valid YAML or JSON: {error}")]
    Parse {
        source_name: String,
        error: serde_yaml_ng::Error,
    },
    #[error("{0} is not an OpenAPI document: it has no `paths` object")]
    NotOpenApi(String),
}

pub fn is_url(source: &str) -> bool {
    source.starts_with("http://") || source.starts_with("https://")
}

/// The text of `source`: a URL is fetched, anything else is a file path.
pub fn read_text(source: &str) -> Result<String, ReadError> {
    if is_url(source) {
        fetch(source)
    } else {
        std::fs::read_to_string(source).map_err(|error| ReadError::File {
            path: source.to_string(),
            source: error,
        })
    }
}

/// `source` parsed as an OpenAPI document.
pub fn read_document(source: &str) -> Result<Value, ReadError> {
    parse(&read_text(source)?, source)
}

pub fn parse(text: &str, source_name: &str) -> Result<Value, ReadError> {
    let doc: Value = serde_yaml_ng::from_str(text).map_err(|error| ReadError::Parse {
        source_name: source_name.to_string(),
        error,
    })?;
    if !doc.get("paths").is_some_and(Value::is_object) {
        return Err(ReadError::NotOpenApi(source_name.to_string()));
    }
    Ok(doc)
}

fn fetch(url: &str) -> Result<String, ReadError> {
    let failed = |detail: String| ReadError::Fetch {
        url: url.to_string(),
        detail,
    };
    // One request: a current-thread runtime is enough and starts no worker threads.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| failed(format!("cannot start the HTTP runtime: {e}")))?;
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(TOTAL_TIMEOUT)
            .user_agent(concat!("spotify-mcp-xtask/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| failed(e.to_string()))?;
        let response = client.get(url).send().await.map_err(|e| {
            failed(if e.is_timeout() {
                format!("no answer within {} s", TOTAL_TIMEOUT.as_secs())
            } else {
                error_chain(&e)
            })
        })?;
        let status = response.status();
        if !status.is_success() {
            return Err(ReadError::Status {
                url: url.to_string(),
                status: status.as_u16(),
            });
        }
        response.text().await.map_err(|e| failed(error_chain(&e)))
    })
}

/// reqwest's top-level message is terse ("error sending request"); the causes say why.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
