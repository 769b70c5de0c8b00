//! Helpers the generated dispatch code uses: reading arguments into the client's types, and
//! turning the client's answer into JSON or a [`CallError`].

use super::errors::CallError;
use crate::foundation::excerpt::excerpt;
use crate::spotify::Client;
use progenitor_client::{Error as ClientError, ResponseValue};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Map, Value};

/// The arguments of one call (already validated against the tool's input schema).
pub struct Args(Map<String, Value>);

impl Args {
    pub fn new(arguments: Map<String, Value>) -> Self {
        Self(arguments)
    }

    fn take(&mut self, name: &str) -> Option<Value> {
        self.0.remove(name).filter(|v| !v.is_null())
    }

    fn missing(name: &str) -> CallError {
        CallError::InvalidArgument {
            field: name.into(),
            problem: "is required".into(),
        }
    }

    /// An optional argument of any type the client method takes by value.
    pub fn opt_value<T: DeserializeOwned>(&mut self, name: &str) -> Result<Option<T>, CallError> {
        self.take(name)
            .map(|value| {
                serde_json::from_value(value).map_err(|e| CallError::InvalidArgument {
                    field: name.into(),
                    problem: excerpt(&e.to_string()).into_owned(),
                })
            })
            .transpose()
    }

    pub fn value<T: DeserializeOwned>(&mut self, name: &str) -> Result<T, CallError> {
        self.opt_value(name)?.ok_or_else(|| Self::missing(name))
    }

    pub fn opt_string(&mut self, name: &str) -> Result<Option<String>, CallError> {
        self.take(name)
            .map(|value| scalar_text(name, value))
            .transpose()
    }

    pub fn string(&mut self, name: &str) -> Result<String, CallError> {
        self.opt_string(name)?.ok_or_else(|| Self::missing(name))
    }

    /// A list argument sent as one comma-separated value (Spotify's `ids=a,b,c`).
    pub fn opt_joined(&mut self, name: &str) -> Result<Option<String>, CallError> {
        let Some(value) = self.take(name) else {
            return Ok(None);
        };
        let items = match value {
            Value::Array(items) => items,
            single => vec![single],
        };
        let parts = items
            .into_iter()
            .map(|item| scalar_text(name, item))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(parts.join(",")))
    }

    pub fn joined(&mut self, name: &str) -> Result<String, CallError> {
        self.opt_joined(name)?.ok_or_else(|| Self::missing(name))
    }

    /// The JSON request body, assembled from `(input name, body property)` pairs.
    pub fn body<T: DeserializeOwned>(
        &mut self,
        properties: &[(&str, &str)],
    ) -> Result<T, CallError> {
        let mut body = Map::new();
        for (input, property) in properties {
            if let Some(value) = self.take(input) {
                body.insert((*property).to_string(), value);
            }
        }
        serde_json::from_value(Value::Object(body))
            .map_err(|e| CallError::InvalidArguments(excerpt(&e.to_string()).into_owned()))
    }
}

fn scalar_text(name: &str, value: Value) -> Result<String, CallError> {
    match value {
        Value::String(text) => Ok(text),
        Value::Number(number) => Ok(number.to_string()),
        Value::Bool(flag) => Ok(flag.to_string()),
        other => Err(CallError::InvalidArgument {
            field: name.into(),
            problem: format!("expected text, got {}", excerpt(&other.to_string())),
        }),
    }
}

/// The JSON answer of a call (`None` when Spotify answered without a body), or the error.
/// `empty_success` lists statuses the spec allows without a body beside the typed one.
/// `client` is the one that made the call: it knows why a call failed before reaching Spotify.
pub async fn finish<T: Serialize, E: Serialize>(
    client: &Client,
    result: Result<ResponseValue<T>, ClientError<E>>,
    empty_success: &[u16],
) -> Result<Option<Value>, CallError> {
    match result {
        Ok(response) => {
            let value = serde_json::to_value(response.into_inner())
                .map_err(|e| CallError::UnexpectedAnswer(e.to_string()))?;
            Ok((!value.is_null()).then_some(value))
        }
        Err(ClientError::ErrorResponse(response)) => {
            let status = response.status();
            let retry_after = retry_after(response.headers());
            let body = serde_json::to_value(response.into_inner()).unwrap_or(Value::Null);
            Err(spotify_error(status, &body, retry_after))
        }
        Err(ClientError::UnexpectedResponse(response)) => {
            let status = response.status();
            let retry_after = retry_after(response.headers());
            let bytes = response
                .bytes()
                .await
                .map_err(|e| CallError::Unreachable(e.without_url().to_string()))?;
            if empty_success.contains(&status.as_u16()) || (status.is_success() && bytes.is_empty())
            {
                return Ok(None);
            }
            let body = serde_json::from_slice::<Value>(&bytes);
            if status.is_success() {
                return body
                    .map(Some)
                    .map_err(|e| CallError::GarbledAnswer(e.to_string()));
            }
            let body = body.unwrap_or(Value::Null);
            Err(spotify_error(status, &body, retry_after))
        }
        Err(ClientError::Custom(message)) => Err(match client.take_failure() {
            Some(failure) => failure.into(),
            None => CallError::BadRequest(message),
        }),
        Err(
            ClientError::CommunicationError(e)
            | ClientError::ResponseBodyError(e)
            | ClientError::InvalidUpgrade(e),
        ) => Err(CallError::Unreachable(describe_transport(&e))),
        Err(ClientError::InvalidResponsePayload(_, e)) => Err(match e.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                CallError::GarbledAnswer(e.to_string())
            }
            _ => CallError::UnexpectedAnswer(e.to_string()),
        }),
        Err(ClientError::InvalidRequest(message)) => Err(CallError::BadRequest(message)),
    }
}

fn describe_transport(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<u64> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Spotify's error body is `{"error": {"status": 404, "message": "...", "reason": "..."}}`;
/// the accounts service uses `{"error": "...", "error_description": "..."}`.
fn spotify_error(status: reqwest::StatusCode, body: &Value, retry_after: Option<u64>) -> CallError {
    let error = body.get("error").unwrap_or(&Value::Null);
    let message = error
        .get("message")
        .or_else(|| body.get("error_description"))
        .and_then(Value::as_str)
        .or_else(|| error.as_str())
        .unwrap_or_default()
        .to_string();
    let reason = error
        .get("reason")
        .and_then(Value::as_str)
        .map(String::from);
    CallError::Spotify {
        status,
        message,
        reason,
        retry_after,
    }
}
