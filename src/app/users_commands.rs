//! The `spotify-mcp users list | show | revoke | delete` commands: multi-user mode's people, as
//! the store knows them.

use crate::credentials::per_user::user_identity;
use crate::foundation::config::{UserArgs, UserDeleteArgs, UsersCommand, UsersListArgs};
use crate::foundation::redis_link::{RedisError, RedisLink};
use crate::foundation::sealed::GrantKeys;
use crate::foundation::secret::Secret;
use crate::middleware::cache::{self, redis::RedisStore};
use crate::store::{Scopes, Store, StoreError, User, UserDetails, UserSummary};
use serde_json::{Value, json};
use std::fmt::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// How long a Redis command of `users delete` may take.
const REDIS_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a moved cache generation is kept: longer than any entry it retires can live (the
/// server's own bumps keep theirs for the longest cache TTL plus a minute).
const RETIRED_GENERATION_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

#[derive(Debug, thiserror::Error)]
pub enum UsersError {
    #[error(
        "no user `{0}` (neither a user id nor a Spotify account); `spotify-mcp users list` shows who is known"
    )]
    UnknownUser(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "user {user} is deleted from the database, but their cached answers in Redis could not be \
         retired ({source}); they expire within the cache TTL, or run `users delete` again once \
         Redis answers"
    )]
    Cache { user: String, source: RedisError },
}

type CommandResult = Result<(), Box<dyn std::error::Error>>;

pub async fn run(command: UsersCommand) -> CommandResult {
    match command {
        UsersCommand::List(args) => run_list(args).await,
        UsersCommand::Show(args) => run_show(args).await,
        UsersCommand::Revoke(args) => run_revoke(args).await,
        UsersCommand::Delete(args) => run_delete(args).await,
    }
}

/// The store, opened with a throwaway key: these commands read and delete rows but never open
/// a sealed grant, so the operator need not hand them the encryption key.
pub(crate) async fn open(
    database: &crate::foundation::config::DatabaseArgs,
) -> Result<Store, StoreError> {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).expect("the system's random source works");
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let keys = GrantKeys::new(&Secret::new(hex), &[]).expect("64 hex digits are a key");
    Store::open(database, Arc::new(keys)).await
}

/// The user `who` names: a user id, else a Spotify account key.
pub(crate) async fn find(store: &Store, who: &str) -> Result<User, UsersError> {
    if let Some(user) = store.find_user(who).await? {
        return Ok(user);
    }
    store
        .list_users()
        .await?
        .into_iter()
        .map(|summary| summary.user)
        .find(|user| user.account_key == who)
        .ok_or_else(|| UsersError::UnknownUser(who.to_string()))
}

async fn run_list(args: UsersListArgs) -> CommandResult {
    let store = open(&args.database).await?;
    let users = store.list_users().await;
    store.close().await;
    let users = users?;
    if args.json {
        let list: Vec<Value> = users.iter().map(summary_json).collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
    } else {
        print!("{}", list_table(&users));
    }
    Ok(())
}

async fn run_show(args: UserArgs) -> CommandResult {
    let store = open(&args.database).await?;
    let details = show(&store, &args.user).await;
    store.close().await;
    let details = details?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&details_json(&details))?);
    } else {
        print!("{}", details_text(&details));
    }
    Ok(())
}

async fn show(store: &Store, who: &str) -> Result<UserDetails, UsersError> {
    let user = find(store, who).await?;
    // Deleted between the two reads: as unknown as never known.
    store
        .user_details(&user.id)
        .await?
        .ok_or_else(|| UsersError::UnknownUser(who.to_string()))
}

async fn run_revoke(args: UserArgs) -> CommandResult {
    let store = open(&args.database).await?;
    let revoked = revoke(&store, &args.user).await;
    store.close().await;
    let (user, count) = revoked?;
    if args.json {
        let report =
            json!({ "user": user.id, "account": user.account_key, "revoked_tokens": count });
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "Revoked {count} token(s) of {}: every client must have them sign in again. Their \
             Spotify grant and approvals stay (`spotify-mcp users delete` removes them).",
            label(&user)
        );
    }
    Ok(())
}

async fn revoke(store: &Store, who: &str) -> Result<(User, u64), UsersError> {
    let user = find(store, who).await?;
    let count = store.revoke_user_tokens(&user.id).await?;
    Ok((user, count))
}

async fn run_delete(args: UserDeleteArgs) -> CommandResult {
    let store = open(&args.user.database).await?;
    let deleted = delete(&store, &args.user.user).await;
    store.close().await;
    let user = deleted?;
    let cache = match &args.redis_url {
        Some(url) => {
            retire_cache(url, args.redis_ca_file.as_deref(), &user.id)
                .await
                .map_err(|source| UsersError::Cache {
                    user: user.id.clone(),
                    source,
                })?;
            "retired"
        }
        None => "not touched",
    };
    if args.user.json {
        let report =
            json!({ "deleted": user.id, "account": user.account_key, "redis_cache": cache });
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "Deleted {}: their Spotify grant, codes, tokens, approvals and audit records are gone.",
            label(&user)
        );
        println!("{}", cache_note(args.redis_url.is_some()));
    }
    Ok(())
}

async fn delete(store: &Store, who: &str) -> Result<User, UsersError> {
    let user = find(store, who).await?;
    if !store.delete_user(&user.id).await? {
        return Err(UsersError::UnknownUser(who.to_string()));
    }
    Ok(user)
}

fn cache_note(redis: bool) -> &'static str {
    if redis {
        "Their cached answers in Redis are no longer served by any server; they expire within \
         the cache TTL."
    } else {
        "Their cached answers (in each server's memory, or in Redis: pass --redis-url to retire \
         those at once) expire within the cache TTL."
    }
}

/// Moves the user's cache generation in the shared Redis: entries are stored under hashes of
/// user and request, so they cannot be found one by one, but every read checks the generation,
/// so none of them is served again.
pub async fn retire_cache(
    url: &Secret,
    ca_file: Option<&Path>,
    user_id: &str,
) -> Result<(), RedisError> {
    let link = Arc::new(RedisLink::with_ca(url, REDIS_TIMEOUT, ca_file)?);
    let store = RedisStore::new(link, RETIRED_GENERATION_TTL);
    store
        .bump(&[cache::user_generation(&user_identity(user_id))])
        .await
}

fn label(user: &User) -> String {
    match &user.display_name {
        Some(name) => format!(
            "{name} (user {}, Spotify account {})",
            user.id, user.account_key
        ),
        None => format!("user {} (Spotify account {})", user.id, user.account_key),
    }
}

/// Unix seconds as a UTC date and time.
pub(crate) fn when(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| at.to_string())
}

pub(crate) fn rfc3339(at: i64) -> Value {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|t| Value::String(t.to_rfc3339()))
        .unwrap_or(Value::Null)
}

fn scopes_json(scopes: Option<&Scopes>) -> Value {
    scopes.map_or(Value::Null, |s| json!(s.iter().collect::<Vec<_>>()))
}

fn user_json(user: &User) -> Value {
    json!({
        "id": user.id,
        "account": user.account_key,
        "display_name": user.display_name,
        "created_at": rfc3339(user.created_at),
        "last_seen_at": rfc3339(user.last_seen_at),
    })
}

fn summary_json(summary: &UserSummary) -> Value {
    let mut value = user_json(&summary.user);
    value["grant_scopes"] = scopes_json(summary.grant_scopes.as_ref());
    value
}

fn details_json(details: &UserDetails) -> Value {
    let clients: Vec<Value> = details
        .clients
        .iter()
        .map(|c| {
            json!({
                "client_id": c.client_id,
                "client_name": c.client_name,
                "scopes": scopes_json(Some(&c.scopes)),
                "granted_at": rfc3339(c.granted_at),
            })
        })
        .collect();
    let mut value = user_json(&details.user);
    value["grant_scopes"] = scopes_json(details.grant_scopes.as_ref());
    value["grant_authorized_at"] = details.grant_authorized_at.map_or(Value::Null, rfc3339);
    value["clients"] = Value::Array(clients);
    value["live_tokens"] = json!(details.live_tokens);
    value
}

/// One row per user, columns padded to their widest cell.
pub fn list_table(users: &[UserSummary]) -> String {
    if users.is_empty() {
        return "No one has signed in yet.\n".to_string();
    }
    let header = [
        "ID",
        "SPOTIFY ACCOUNT",
        "NAME",
        "CREATED",
        "LAST SEEN",
        "SCOPES",
    ]
    .map(String::from);
    let rows: Vec<[String; 6]> = users
        .iter()
        .map(|s| {
            [
                s.user.id.clone(),
                s.user.account_key.clone(),
                s.user.display_name.clone().unwrap_or_else(|| "-".into()),
                when(s.user.created_at),
                when(s.user.last_seen_at),
                s.grant_scopes
                    .as_ref()
                    .map_or("no grant".into(), |g| g.iter().count().to_string()),
            ]
        })
        .collect();
    padded_table(&header, &rows)
}

/// The header and rows as text, each column padded to its widest cell (also `audit`'s table).
pub(crate) fn padded_table<const N: usize>(header: &[String; N], rows: &[[String; N]]) -> String {
    let widths: Vec<usize> = (0..N)
        .map(|i| {
            std::iter::once(header)
                .chain(rows)
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in std::iter::once(header).chain(rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    out
}

pub fn details_text(details: &UserDetails) -> String {
    let user = &details.user;
    let mut out = String::new();
    let _ = writeln!(out, "User:            {}", user.id);
    let _ = writeln!(out, "Spotify account: {}", user.account_key);
    let _ = writeln!(
        out,
        "Name:            {}",
        user.display_name.as_deref().unwrap_or("-")
    );
    let _ = writeln!(out, "First signed in: {}", when(user.created_at));
    let _ = writeln!(out, "Last seen:       {}", when(user.last_seen_at));
    match (&details.grant_scopes, details.grant_authorized_at) {
        (Some(scopes), at) => {
            let since = at.map(|at| format!(", authorized {}", when(at)));
            let _ = writeln!(
                out,
                "Spotify grant:   {} scope(s){}: {scopes}",
                scopes.iter().count(),
                since.unwrap_or_default()
            );
        }
        (None, _) => {
            let _ = writeln!(
                out,
                "Spotify grant:   none (disconnected; signs in again to link)"
            );
        }
    }
    let _ = writeln!(out, "Live tokens:     {}", details.live_tokens);
    if details.clients.is_empty() {
        let _ = writeln!(out, "Clients allowed: none");
    }
    for (i, client) in details.clients.iter().enumerate() {
        let heading = if i == 0 { "Clients allowed:" } else { "" };
        let name = client.client_name.as_deref().unwrap_or("(unnamed)");
        let _ = writeln!(
            out,
            "{heading:<17}{name} [{}], since {}: {}",
            client.client_id,
            when(client.granted_at),
            client.scopes
        );
    }
    out
}
