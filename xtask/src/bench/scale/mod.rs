//! The scale rows (issue 17): two replicas of `serve --transport http --multi-user` sharing one
//! database and one Redis, on SQLite and on PostgreSQL in the same run. For 100, 1,000 and
//! 10,000 users with grants in the store (seeded through the store API by `bench-scale-seed`),
//! 1,000 sessions spread over the active people call `get_album` (cache hits) and
//! `get_playback_state` (per person, uncached) against the fake Spotify; with the resolver's
//! cold and warm cost, and each replica's RSS after every step.

pub mod backends;
pub mod load;
pub mod report;
mod seed;

use super::binaries::Binaries;
use super::error::BenchError;
use super::measure::Call;
use super::process::{Launch, Memory};
use fake_spotify::{FakeSpotify, Kind, Knobs};
use load::Run;
use seed::Active;
use serde_json::json;
use std::net::SocketAddr;
use std::time::Duration;

/// How much the scale rows measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScalePlan {
    /// Users in the store at each step (each step adds to the last).
    pub steps: &'static [usize],
    /// Sessions open during each step's calls, spread over the active people and both replicas.
    pub sessions: usize,
    /// Calls in flight at once, each worker taking turns over its share of the sessions.
    pub workers: usize,
    /// Calls per tool and step.
    pub calls: usize,
    /// Tokens the resolver is timed on, cold then warm.
    pub samples: usize,
    /// Longest one timed loop may run.
    pub budget: Duration,
}

impl ScalePlan {
    pub const FULL: ScalePlan = ScalePlan {
        steps: &[100, 1_000, 10_000],
        sessions: 1_000,
        workers: 32,
        calls: 4_000,
        samples: 1_000,
        budget: Duration::from_secs(30),
    };
    pub const QUICK: ScalePlan = ScalePlan {
        steps: &[100, 1_000],
        sessions: 100,
        workers: 8,
        calls: 400,
        samples: 100,
        budget: Duration::from_secs(10),
    };

    /// The people who call: one per session, and no more than the largest step has users.
    fn active(&self) -> usize {
        self.sessions
            .min(self.steps.iter().copied().max().unwrap_or(0))
    }
}

/// One step's figures.
#[derive(Debug, Clone)]
pub struct Step {
    pub users: usize,
    /// Active people the sessions are spread over.
    pub people: usize,
    pub album: Run,
    pub playback: Run,
    /// p50 and p99 of one token's resolution, in nanoseconds.
    pub resolve_cold_ns: [u64; 2],
    pub resolve_warm_ns: [u64; 2],
    pub seed_secs: f64,
    /// VmRSS of replica A and B after the step's calls.
    pub rss_kib: [u64; 2],
}

/// One backend's run: the single-user reference and every step.
#[derive(Debug, Clone)]
pub struct Backend {
    pub name: &'static str,
    pub origin: String,
    /// `get_album` with every session acting for one person (the first step's store).
    pub single_user: Run,
    pub steps: Vec<Step>,
}

/// Every backend measured, and those that could not be.
pub struct Scale {
    pub plan: ScalePlan,
    pub backends: Vec<Backend>,
    pub skipped: Vec<String>,
    pub redis: String,
}

/// The Spotify app the replicas are configured with (the fake accepts any).
const SPOTIFY_CLIENT_ID: &str = "bench-app";
/// 32 bytes as hex: seals the grants.
const ENCRYPTION_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

pub async fn measure(binaries: &Binaries, plan: ScalePlan) -> Result<Scale, BenchError> {
    eprintln!("bench: scale rows (two replicas; SQLite, then PostgreSQL)");
    let redis = backends::redis()?;
    let fake = FakeSpotify::start(Knobs::default())
        .await
        .map_err(BenchError::Fake)?;
    let active = people(&fake, plan.active());
    let album = fake
        .ids(Kind::Album)
        .into_iter()
        .next()
        .ok_or_else(|| BenchError::Protocol("the fake Spotify has no album".into()))?;
    let setting = Setting {
        binaries,
        fake: &fake,
        active: &active,
        album: Call::new("get_album", json!({ "id": album })),
        plan,
    };
    let dir = tempfile::tempdir().map_err(|e| BenchError::Io("a temp dir".into(), e))?;
    let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
    let redis_db = |db: u8| format!("{}/{db}", redis.url.trim_end_matches('/'));
    let mut measured = vec![
        setting
            .backend("SQLite", "a file in a temp dir", &sqlite, &redis_db(1))
            .await?,
    ];
    let mut skipped = Vec::new();
    match backends::postgres()? {
        Some(postgres) => {
            let url = postgres.new_database("spotify_mcp_bench")?;
            let origin = postgres.origin.clone();
            measured.push(
                setting
                    .backend("PostgreSQL", &origin, &url, &redis_db(2))
                    .await?,
            );
        }
        None => skipped.push(format!(
            "PostgreSQL: set ${} or install the OS package (initdb under /usr/lib/postgresql)",
            backends::POSTGRES_VARIABLE
        )),
    }
    Ok(Scale {
        plan,
        backends: measured,
        skipped,
        redis: redis.origin.clone(),
    })
}

/// `count` people of the fake, each signed in to the bench's Spotify app.
fn people(fake: &FakeSpotify, count: usize) -> Vec<Active> {
    (0..count)
        .map(|i| {
            let user = fake.add_user(&format!("Listener {i}"));
            let issued = fake.issue_token_for_client(&user, SPOTIFY_CLIENT_ID);
            Active {
                user,
                access_token: issued.access_token,
                refresh_token: issued.refresh_token,
                scope: issued.scope,
            }
        })
        .collect()
}

/// What every backend's run shares.
struct Setting<'a> {
    binaries: &'a Binaries,
    fake: &'a FakeSpotify,
    active: &'a [Active],
    album: Call,
    plan: ScalePlan,
}

/// A running replica: its process (killed when dropped) and address.
struct Replica {
    child: tokio::process::Child,
    addr: SocketAddr,
}

impl Replica {
    fn memory(&self) -> Result<Memory, BenchError> {
        let pid = self
            .child
            .id()
            .ok_or_else(|| BenchError::Protocol("a replica exited".into()))?;
        Memory::of(pid)
    }
}

impl Setting<'_> {
    /// The replicas' configuration (the seeder gets the same, plus the public URL).
    fn env(&self, database: &str, redis: &str) -> Vec<(String, String)> {
        [
            ("SPOTIFY_API_BASE_URL", self.fake.api_url()),
            ("SPOTIFY_ACCOUNTS_BASE_URL", self.fake.url()),
            ("SPOTIFY_CLIENT_ID", SPOTIFY_CLIENT_ID.into()),
            ("SPOTIFY_MCP_ENCRYPTION_KEY", ENCRYPTION_KEY.into()),
            ("SPOTIFY_MCP_DATABASE_URL", database.into()),
            ("SPOTIFY_MCP_REDIS_URL", redis.into()),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect()
    }

    async fn replica(&self, env: &[(String, String)]) -> Result<Replica, BenchError> {
        let mut launch = Launch::new("spotify-mcp", self.binaries.server.clone());
        for (name, value) in env {
            launch = launch.env(name, value.clone());
        }
        let sessions = (self.plan.sessions + 64).to_string();
        let flags: Vec<String> = [
            "serve",
            "--transport",
            "http",
            "--multi-user",
            "--bind",
            "127.0.0.1:0",
            "--max-sessions",
            &sessions,
            "--max-connections",
            &sessions,
            "--max-inflight",
            "1024",
            // The single-user reference has every worker acting for one person.
            "--max-inflight-per-user",
            "256",
        ]
        .iter()
        .map(|f| f.to_string())
        .collect();
        let (child, addr) = launch.spawn_http(&flags).await?;
        Ok(Replica { child, addr })
    }

    async fn backend(
        &self,
        name: &'static str,
        origin: &str,
        database: &str,
        redis: &str,
    ) -> Result<Backend, BenchError> {
        eprintln!("bench: scale on {name}");
        let env = self.env(database, redis);
        let a = self.replica(&env).await?;
        let mut env = env;
        env.push((
            "SPOTIFY_MCP_PUBLIC_URL".into(),
            format!("http://{}", a.addr),
        ));
        let b = self.replica(&env).await?;
        let replicas = [a, b];
        let addrs = [replicas[0].addr, replicas[1].addr];
        let (mut steps, mut tokens, mut from) = (Vec::new(), Vec::new(), 0);
        let mut single_user = None;
        for &users in self.plan.steps {
            let seeded = seed::seed(
                &self.binaries.seeder,
                &env,
                from..users,
                self.active,
                self.plan.samples,
            )
            .await?;
            tokens.extend(seeded.tokens.iter().cloned());
            if single_user.is_none() {
                single_user = Some(self.calls(&addrs, &tokens[..1], &self.album).await?);
            }
            eprintln!("bench: {name}, {users} users");
            let album = self.calls(&addrs, &tokens, &self.album).await?;
            let playback = Call::new("get_playback_state", json!({}));
            let playback = self.calls(&addrs, &tokens, &playback).await?;
            let rss_kib = [replicas[0].memory()?.rss_kib, replicas[1].memory()?.rss_kib];
            steps.push(Step {
                users,
                people: tokens.len().min(self.plan.sessions),
                album,
                playback,
                resolve_cold_ns: seeded.resolve_cold_ns,
                resolve_warm_ns: seeded.resolve_warm_ns,
                seed_secs: seeded.seed_secs,
                rss_kib,
            });
            from = users;
        }
        Ok(Backend {
            name,
            origin: origin.to_string(),
            single_user: single_user
                .ok_or_else(|| BenchError::Protocol("the scale plan has no step".into()))?,
            steps,
        })
    }

    /// The plan's sessions over `addrs` acting for `tokens` in turn: `call`, once to warm each
    /// replica's cache, then timed.
    async fn calls(
        &self,
        addrs: &[SocketAddr],
        tokens: &[String],
        call: &Call,
    ) -> Result<Run, BenchError> {
        let connections = load::open(addrs, tokens, self.plan.sessions).await?;
        let (_, connections) = load::run(connections, call, 2, 2, self.plan.budget).await?;
        let timed = load::run(
            connections,
            call,
            self.plan.workers,
            self.plan.calls,
            self.plan.budget,
        )
        .await;
        let (run, connections) = timed?;
        load::close(connections).await;
        Ok(run)
    }
}
