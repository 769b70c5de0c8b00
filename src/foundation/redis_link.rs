//! The one Redis connection the middleware shares (cache, rate-limit cooldown, route memory,
//! token store). Every command has a short timeout; while Redis is down, callers fall back to
//! memory, a warning is logged once, commands fail at once but for one try a second, and Redis
//! is used again as soon as it answers. `rediss://` URLs speak TLS (rustls), trusting the
//! system's roots or the CA file given.

use crate::foundation::secret::Secret;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{ConnectionAddr, TlsCertificates};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

pub struct RedisLink {
    client: redis::Client,
    timeout: Duration,
    connection: Mutex<Option<ConnectionManager>>,
    /// When the last failed connection attempt was: attempts are spaced out while Redis is down.
    last_attempt: Mutex<Option<Instant>>,
    down: AtomicBool,
    /// When a command last failed: for a moment after, commands fail at once instead of each
    /// waiting for its timeout (one call makes several), then one is tried again.
    last_failure: std::sync::Mutex<Option<Instant>>,
}

impl std::fmt::Debug for RedisLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLink")
            .field("down", &self.down.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("Redis: {0}")]
pub struct RedisError(String);

const RECONNECT_EVERY: Duration = Duration::from_secs(1);

/// How a link reaches its Redis: what an eavesdropper on the network could read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedisTransport {
    /// `rediss://`: TLS.
    Tls,
    /// Plain TCP to a loopback address, or a Unix socket: never leaves the machine.
    Local,
    /// Plain TCP to another machine.
    Plaintext,
}

impl RedisLink {
    pub fn new(url: &Secret, timeout: Duration) -> Result<Self, RedisError> {
        Self::with_ca(url, timeout, None)
    }

    /// A link whose `rediss://` connections trust the CA certificates (PEM) in `ca_file`
    /// instead of the system's roots.
    pub fn with_ca(
        url: &Secret,
        timeout: Duration,
        ca_file: Option<&Path>,
    ) -> Result<Self, RedisError> {
        // The URL may hold a password: errors name no URL.
        let invalid =
            |e: redis::RedisError| RedisError(format!("invalid Redis URL: {}", e.category()));
        let client = match ca_file {
            None => redis::Client::open(url.expose()).map_err(invalid)?,
            Some(path) => {
                let pem = std::fs::read(path).map_err(|e| {
                    RedisError(format!(
                        "cannot read the Redis CA file {}: {e}",
                        path.display()
                    ))
                })?;
                if !url.expose().starts_with("rediss://") {
                    return Err(RedisError(
                        "a Redis CA file needs a rediss:// URL (TLS); drop --redis-ca-file or use rediss://".into(),
                    ));
                }
                let certificates = TlsCertificates {
                    client_tls: None,
                    root_cert: Some(pem),
                };
                redis::Client::build_with_tls(url.expose(), certificates).map_err(|e| {
                    RedisError(format!(
                        "cannot use the Redis CA file {}: {}",
                        path.display(),
                        e.category()
                    ))
                })?
            }
        };
        Ok(Self {
            client,
            timeout,
            connection: Mutex::new(None),
            last_attempt: Mutex::new(None),
            down: AtomicBool::new(false),
            last_failure: std::sync::Mutex::new(None),
        })
    }

    async fn connection(&self) -> Result<ConnectionManager, RedisError> {
        let mut connection = self.connection.lock().await;
        if let Some(existing) = connection.as_ref() {
            return Ok(existing.clone());
        }
        let mut last = self.last_attempt.lock().await;
        if last.is_some_and(|at| at.elapsed() < RECONNECT_EVERY) {
            return Err(RedisError("not connected".into()));
        }
        *last = Some(Instant::now());
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let manager = tokio::time::timeout(
            self.timeout * 2,
            ConnectionManager::new_with_config(self.client.clone(), config),
        )
        .await
        .map_err(|_| RedisError("connection timed out".into()))?
        .map_err(|e| RedisError(e.to_string()))?;
        *connection = Some(manager.clone());
        Ok(manager)
    }

    /// Runs one command (or pipeline) with the timeout; failures are logged once per outage.
    pub async fn run<'a, T: redis::FromRedisValue>(
        &self,
        command: impl Into<Command<'a>>,
    ) -> Result<T, RedisError> {
        let command = command.into();
        let recently_failed = self
            .last_failure
            .lock()
            .expect("redis failure time")
            .is_some_and(|at| at.elapsed() < RECONNECT_EVERY);
        if recently_failed {
            return Err(RedisError("unavailable".into()));
        }
        let result = async {
            let mut connection = self.connection().await?;
            let query = async {
                match command {
                    Command::One(command) => command.query_async(&mut connection).await,
                    Command::Pipeline(pipeline) => pipeline.query_async(&mut connection).await,
                }
            };
            tokio::time::timeout(self.timeout, query)
                .await
                .map_err(|_| RedisError("timed out".into()))?
                .map_err(|e| RedisError(e.to_string()))
        }
        .await;
        match &result {
            Ok(_) => {
                if self.down.swap(false, Ordering::Relaxed) {
                    tracing::info!("Redis answers again; using it");
                }
            }
            Err(error) => {
                *self.last_failure.lock().expect("redis failure time") = Some(Instant::now());
                if !self.down.swap(true, Ordering::Relaxed) {
                    tracing::warn!(error = %error, "Redis is unavailable; going on without it until it answers again");
                }
            }
        }
        result
    }

    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::Relaxed)
    }

    pub fn transport(&self) -> RedisTransport {
        match self.client.get_connection_info().addr() {
            ConnectionAddr::TcpTls { .. } => RedisTransport::Tls,
            ConnectionAddr::Tcp(host, _) if is_loopback(host) => RedisTransport::Local,
            ConnectionAddr::Unix(_) => RedisTransport::Local,
            _ => RedisTransport::Plaintext,
        }
    }
}

/// A single command or a pipeline.
pub enum Command<'a> {
    One(&'a redis::Cmd),
    Pipeline(&'a redis::Pipeline),
}

impl<'a> From<&'a redis::Cmd> for Command<'a> {
    fn from(command: &'a redis::Cmd) -> Self {
        Command::One(command)
    }
}

impl<'a> From<&'a redis::Pipeline> for Command<'a> {
    fn from(pipeline: &'a redis::Pipeline) -> Self {
        Command::Pipeline(pipeline)
    }
}

/// `localhost` or a loopback IP literal (IPv6 with or without brackets).
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transport(url: &str) -> RedisTransport {
        RedisLink::new(&Secret::new(url), Duration::from_millis(100))
            .unwrap()
            .transport()
    }

    #[test]
    fn only_plain_tcp_to_another_machine_counts_as_plaintext() {
        assert_eq!(
            transport("rediss://cache.example:6380/"),
            RedisTransport::Tls
        );
        assert_eq!(transport("redis://127.0.0.1:6379/"), RedisTransport::Local);
        assert_eq!(transport("redis://localhost/"), RedisTransport::Local);
        assert_eq!(transport("redis://[::1]:6379/"), RedisTransport::Local);
        assert_eq!(
            transport("redis+unix:///run/redis.sock"),
            RedisTransport::Local
        );
        assert_eq!(
            transport("redis://10.0.0.5:6379/"),
            RedisTransport::Plaintext
        );
        assert_eq!(
            transport("redis://cache.example/"),
            RedisTransport::Plaintext
        );
    }
}
