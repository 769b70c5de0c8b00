//! Errors a tool call can end in. Each message says what went wrong and what to do, because the
//! assistant reads it and acts on it.

use crate::middleware::call::CallFailure;
use reqwest::StatusCode;

#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("invalid arguments: {0}")]
    InvalidArguments(String),
    #[error("invalid argument `{field}`: {problem}")]
    InvalidArgument { field: String, problem: String },
    /// No token could be had, or Spotify refused the grant for good.
    #[error("{0}")]
    Auth(String),
    /// Spotify's answer was over the size cap and was not read.
    #[error("{0}")]
    TooLarge(String),
    #[error("{}", spotify_message(*.status, .message, .reason.as_deref(), *.retry_after))]
    Spotify {
        status: StatusCode,
        message: String,
        reason: Option<String>,
        retry_after: Option<u64>,
    },
    #[error(
        "could not reach Spotify: {0}. Check the network (and SPOTIFY_API_BASE_URL), then try again; if the connection broke after a change was sent, it may already be made: check before repeating it"
    )]
    Unreachable(String),
    /// The answer arrived but is not JSON: garbled or cut off on the way, not a spec problem.
    #[error(
        "Spotify's answer was not valid JSON ({0}); it was garbled or cut off on the way. A read can be tried again; a change may already be made: check before repeating it"
    )]
    GarbledAnswer(String),
    #[error(
        "Spotify's answer did not have the expected shape ({0}); this is a bug in spotify-mcp's spec, please report it"
    )]
    UnexpectedAnswer(String),
    #[error("the request could not be built: {0}")]
    BadRequest(String),
    /// The caller cancelled the call (`tasks/cancel`) before it finished.
    #[error("cancelled at the caller's request before it finished; call again to start over")]
    Cancelled,
}

fn spotify_message(
    status: StatusCode,
    message: &str,
    reason: Option<&str>,
    retry_after: Option<u64>,
) -> String {
    let mut text = format!("Spotify answered {status}");
    if !message.is_empty() {
        text.push_str(&format!(": {message}"));
    }
    if let Some(reason) = reason {
        text.push_str(&format!(" (reason: {reason})"));
    }
    let hint = match (status.as_u16(), reason) {
        (_, Some("PREMIUM_REQUIRED")) => Some("This needs a Spotify Premium account.".to_string()),
        (_, Some("NO_ACTIVE_DEVICE")) => Some(
            "No device is active: open Spotify on a device, or list devices with get_devices and move playback there with transfer_playback."
                .to_string(),
        ),
        (_, Some("QUOTA_EXCEEDED")) => Some(
            "The app's request quota is used up; retrying soon makes it worse.".to_string(),
        ),
        (401, _) => Some(
            "The access token is missing, expired or revoked: provide a fresh one (tokens last an hour).".to_string(),
        ),
        (403, _) => Some(
            "The token may lack a scope this tool lists, or Spotify withholds this endpoint from the app.".to_string(),
        ),
        (429, _) => Some("Rate limited by Spotify.".to_string()),
        _ => None,
    };
    if let Some(hint) = hint {
        text.push_str(". ");
        text.push_str(&hint);
    }
    if let Some(seconds) = retry_after {
        text.push_str(&format!(" Retry after {seconds} seconds."));
    }
    text
}

impl From<CallFailure> for CallError {
    fn from(failure: CallFailure) -> Self {
        let message = failure.to_string();
        match failure {
            CallFailure::AnswerTooLarge { .. } => CallError::TooLarge(message),
            CallFailure::PathOutsideTemplate { .. } => CallError::BadRequest(message),
            CallFailure::Credentials(_)
            | CallFailure::GrantRefused(_)
            | CallFailure::UnsendableToken => CallError::Auth(message),
        }
    }
}
