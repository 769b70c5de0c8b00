//! The bench's one error type, in its own file so every part can use it without a circle.

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("`{0}` failed; fix the build first")]
    Build(String),
    #[error("cannot start {0}: {1}")]
    Spawn(String, std::io::Error),
    #[error("cannot start the fake Spotify: {0}")]
    Fake(std::io::Error),
    #[error("{0} (timed out)")]
    Timeout(String),
    #[error("{0}")]
    Protocol(String),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
}
