//! The store side of `cargo xtask bench`'s scale rows, run by the bench (not by people): seeds
//! users with sealed Spotify grants straight through the store API, issues MCP access tokens
//! for the active ones, and times the bearer-token resolver of a fresh replica, cold (first
//! sight of each token: the store) and warm (its cache).
//!
//! Configured like `serve --transport http --multi-user` (the same environment the replicas
//! get: database URL, public URL, client id, encryption key); the plan is JSON on stdin:
//! `{"from": 0, "to": 1000, "active": [{"account_id", "id", "display_name", "access_token",
//! "refresh_token", "scope"}], "samples": 500}`. Users `from..to` are seeded; user `i` takes
//! `active[i]`'s Spotify login when there is one, else an idle grant. The answer, on stdout:
//! `{"tokens": [...], "seed_secs", "resolve_cold_ns": [p50, p99], "resolve_warm_ns": [...]}`.

use clap::Parser;
use futures::{StreamExt, TryStreamExt};
use serde::Deserialize;
use serde_json::json;
use spotify_mcp::app::multi_user;
use spotify_mcp::foundation::config::{Cli, Command};
use spotify_mcp::foundation::secret::Secret;
use spotify_mcp::store::{
    AccountKey, ClientRegistration, NewGrant, Redeemed, Scopes, Store, TokenLifetimes,
};
use spotify_mcp::transport::user_bearer::UserBearer;
use std::io::Read;
use std::time::{Duration, Instant};

/// Store writes in flight at once: enough to keep a pool busy, few enough for SQLite's lock.
const IN_FLIGHT: usize = 16;
const HOUR: Duration = Duration::from_secs(3600);

#[derive(Deserialize)]
struct Plan {
    from: usize,
    to: usize,
    #[serde(default)]
    active: Vec<Login>,
    #[serde(default)]
    samples: usize,
}

/// A person of the fake Spotify and the login it issued them.
#[derive(Deserialize, Clone)]
struct Login {
    account_id: String,
    id: String,
    display_name: String,
    access_token: String,
    refresh_token: Option<String>,
    scope: String,
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let plan: Plan = serde_json::from_str(&input)?;
    let Command::Serve(args) = Cli::parse_from([
        "spotify-mcp",
        "serve",
        "--transport",
        "http",
        "--multi-user",
    ])
    .command
    else {
        unreachable!("serve parses")
    };
    let bound = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let prepared = multi_user::prepare(&args, bound).await?;
    let store = prepared.store.clone();
    let resource = prepared.multi_user.authorization.settings.resource();
    let client = store
        .register_client(
            &ClientRegistration::Dynamic,
            &json!({ "client_name": "bench client" }),
            &["http://127.0.0.1:9/callback".to_string()],
        )
        .await?
        .client_id;
    let seeding = Instant::now();
    let ids = seed(&store, &plan).await?;
    let active = ids.iter().take(plan.active.len().saturating_sub(plan.from));
    let tokens = issue(&store, &client, &resource, active).await?;
    let seed_secs = seeding.elapsed().as_secs_f64();
    let sampled = ids.iter().step_by((ids.len() / plan.samples.max(1)).max(1));
    let samples = issue(&store, &client, &resource, sampled.take(plan.samples)).await?;
    let bearer = UserBearer::new(prepared.multi_user);
    let cold = time_each(&bearer, &samples).await?;
    let warm = time_each(&bearer, &samples).await?;
    let answer = json!({
        "tokens": tokens,
        "seed_secs": seed_secs,
        "resolve_cold_ns": percentiles(cold),
        "resolve_warm_ns": percentiles(warm),
    });
    println!("{answer}");
    prepared.audit.flush(Duration::from_secs(5)).await;
    store.close().await;
    Ok(())
}

/// Users `plan.from..plan.to`, each with a grant; their store ids in order.
async fn seed(store: &Store, plan: &Plan) -> Result<Vec<String>, Failure> {
    let scopes = all_scopes();
    futures::stream::iter(plan.from..plan.to)
        .map(|i| {
            let login = plan
                .active
                .get(i)
                .cloned()
                .unwrap_or_else(|| idle(i, &scopes));
            seed_one(store, login)
        })
        .buffered(IN_FLIGHT)
        .try_collect()
        .await
}

async fn seed_one(store: &Store, login: Login) -> Result<String, Failure> {
    let account = AccountKey::from_profile(Some(&login.account_id), &login.id);
    let user = store
        .upsert_user(&account, Some(&login.display_name))
        .await?;
    let now = now();
    let grant = NewGrant {
        access_token: Secret::new(login.access_token),
        refresh_token: login.refresh_token.map(Secret::new),
        scopes: Scopes::parse(&login.scope),
        expires_at: now + 3600,
        authorized_at: now,
    };
    store.save_grant(&user.id, &grant, None).await?;
    Ok(user.id)
}

/// A person who signed in once and is not using the server now.
fn idle(i: usize, scopes: &str) -> Login {
    Login {
        account_id: format!("idle-account-{i}"),
        id: format!("idle{i}"),
        display_name: format!("Idle {i}"),
        access_token: format!("idle-access-{i}"),
        refresh_token: Some(format!("idle-refresh-{i}")),
        scope: scopes.to_string(),
    }
}

fn all_scopes() -> String {
    let selection = spotify_mcp::mcp::selection::Selection::from_args(
        &Default::default(),
        spotify_mcp::mcp::all_tools(),
    )
    .expect("the default selection");
    let scopes: Scopes = spotify_mcp::app::auth_commands::default_scopes(&selection)
        .into_iter()
        .collect();
    scopes.to_string()
}

/// An MCP access token (every scope, an hour) for each of `users`.
async fn issue<'a>(
    store: &Store,
    client: &str,
    resource: &str,
    users: impl Iterator<Item = &'a String>,
) -> Result<Vec<String>, Failure> {
    let scopes = Scopes::parse(&all_scopes());
    let lifetimes = TokenLifetimes {
        access: HOUR,
        refresh: HOUR,
    };
    let pending: Vec<Redeemed> = users
        .map(|user_id| Redeemed {
            user_id: user_id.clone(),
            client_id: client.to_string(),
            scopes: scopes.clone(),
            resource: resource.to_string(),
            family_id: format!("bench-{:016x}", fastrand::u64(..)),
        })
        .collect();
    futures::stream::iter(pending)
        .map(|redeemed| async move {
            let issued = store.issue_tokens(&redeemed, lifetimes).await?;
            Ok::<_, Failure>(issued.access_token.expose().to_string())
        })
        .buffered(IN_FLIGHT)
        .try_collect()
        .await
}

/// How long resolving each token takes, one after another.
async fn time_each(bearer: &UserBearer, tokens: &[String]) -> Result<Vec<u64>, Failure> {
    let mut samples = Vec::with_capacity(tokens.len());
    for token in tokens {
        let started = Instant::now();
        let user = bearer.user_of(token).await;
        samples.push(started.elapsed().as_nanos() as u64);
        if user.is_none() {
            return Err("a token the bench issued did not resolve".into());
        }
    }
    Ok(samples)
}

/// p50 and p99 by nearest rank (0 without samples).
fn percentiles(mut samples: Vec<u64>) -> [u64; 2] {
    samples.sort_unstable();
    let rank = |p: f64| {
        let i = ((p * samples.len() as f64).ceil() as usize).saturating_sub(1);
        samples.get(i).copied().unwrap_or(0)
    };
    [rank(0.50), rank(0.99)]
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
