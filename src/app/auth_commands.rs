//! The `spotify-mcp auth login | status | logout` commands.

use super::login::{Browser, LoginOptions, SystemBrowser, login};
use crate::app::wiring::{store_path_or_default, token_path};
use crate::credentials::grant::{Grant, REFRESH_WARNING_SECS, describe_scopes, now};
use crate::credentials::store::{FileTokenStore, TokenStore};
use crate::foundation::config::{LoginArgs, LogoutArgs, StatusArgs};
use crate::mcp::selection::Selection;
use crate::mcp::{ToolDef, all_tools};
use std::collections::BTreeSet;
use std::time::Duration;

type CommandResult = Result<(), Box<dyn std::error::Error>>;

/// The tools a catalog with this selection would list.
fn listed_tools(selection: &Selection) -> impl Iterator<Item = &'static ToolDef> + '_ {
    all_tools().iter().filter(move |t| selection.admits(t))
}

/// Every scope the listed tools need: the default request of `auth login`.
pub fn default_scopes(selection: &Selection) -> BTreeSet<String> {
    listed_tools(selection)
        .flat_map(|t| t.operation.scopes.iter().map(|s| s.to_string()))
        .collect()
}

pub async fn run_login(args: LoginArgs) -> CommandResult {
    run_login_with(
        args,
        &SystemBrowser,
        tokio::io::BufReader::new(tokio::io::stdin()),
    )
    .await
}

pub async fn run_login_with<R: tokio::io::AsyncBufRead + Unpin>(
    args: LoginArgs,
    browser: &dyn Browser,
    pasted: R,
) -> CommandResult {
    let client_id = args.spotify.client_id.clone().ok_or(
        "logging in needs your Spotify app's client id: set SPOTIFY_CLIENT_ID or pass --client-id",
    )?;
    let scopes = match &args.scopes {
        Some(list) => list
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        None => default_scopes(&Selection::from_args(&args.catalog, all_tools())?),
    };
    let store = FileTokenStore::new(token_path(&args.spotify)?);
    let options = LoginOptions {
        accounts_base_url: args.spotify.accounts_base_url.clone(),
        api_base_url: args.spotify.api_base_url.clone(),
        client_id,
        client_secret: args.spotify.client_secret.clone(),
        redirect_uri: args.redirect_uri.clone(),
        scopes,
        open_browser: !args.no_browser,
        timeout: Duration::from_secs(args.timeout_secs),
        http_timeout: Duration::from_secs(args.spotify.http_timeout_secs),
    };
    let grant = login(&options, browser, pasted).await?;
    if let Some(aside) = store.set_aside_if_corrupt()? {
        eprintln!(
            "The old token file was corrupt; it is kept as {}.",
            aside.display()
        );
    }
    store.save(&grant).await?;
    println!(
        "Signed in as {} with {} scopes. The login is stored in {} (readable only by you).",
        user_label(&grant),
        grant.scopes.len(),
        store.path().display()
    );
    Ok(())
}

fn user_label(grant: &Grant) -> String {
    match (&grant.user_name, &grant.user_id) {
        (Some(name), Some(id)) => format!("{name} ({id})"),
        (None, Some(id)) => id.clone(),
        (Some(name), None) => name.clone(),
        (None, None) => "an unknown user".into(),
    }
}

fn date(unix: u64) -> String {
    chrono::DateTime::from_timestamp(unix as i64, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

fn span(secs: u64) -> String {
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 2 * 3600 => format!("{} min", s / 60),
        s if s < 2 * 86400 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86400),
    }
}

/// The status report, as text.
pub fn status_report(grant: &Grant, location: &str, selection: &Selection) -> String {
    let now = now();
    let mut lines = vec![format!(
        "Signed in as {} (app {}); stored in {location}",
        user_label(grant),
        grant.client_id
    )];
    lines.push(if grant.expires_at > now {
        format!(
            "Access token: expires in {} ({})",
            span(grant.expires_at - now),
            date(grant.expires_at)
        )
    } else {
        format!(
            "Access token: expired {} ago; the server refreshes it on the next call",
            span(now - grant.expires_at)
        )
    });
    let left = grant.refresh_lifetime_left();
    lines.push(format!(
        "Login granted {} ago ({}); refresh keeps working for about {} more",
        span(now.saturating_sub(grant.authorized_at)),
        date(grant.authorized_at),
        span(left)
    ));
    if left == 0 {
        lines.push("WARNING: Spotify stops refresh tokens six months after login; this one has run out. Run `spotify-mcp auth login`.".into());
    } else if left < REFRESH_WARNING_SECS {
        lines.push(format!(
            "WARNING: Spotify stops refresh tokens six months after login; about {} left. Run `spotify-mcp auth login` before then.",
            span(left)
        ));
    }
    if grant.refresh_token.is_none() {
        lines.push(
            "WARNING: no refresh token is stored; after the access token expires, log in again."
                .into(),
        );
    }
    let scopes: Vec<&str> = grant.scopes.iter().map(String::as_str).collect();
    lines.push(format!("Scopes ({}): {}", scopes.len(), scopes.join(", ")));
    let unavailable: Vec<String> = listed_tools(selection)
        .filter_map(|tool| {
            let missing = grant.missing(tool.operation.scopes);
            (!missing.is_empty())
                .then(|| format!("  {} (needs {})", tool.name, describe_scopes(&missing)))
        })
        .collect();
    if unavailable.is_empty() {
        lines.push(format!(
            "All {} tools are available with these scopes.",
            listed_tools(selection).count()
        ));
    } else {
        lines.push(format!(
            "{} tools are unavailable for want of a scope (run `spotify-mcp auth login` to grant them):",
            unavailable.len()
        ));
        lines.extend(unavailable);
    }
    lines.join("\n")
}

pub async fn run_status(args: StatusArgs) -> CommandResult {
    let store = FileTokenStore::new(token_path(&args.spotify)?);
    match store.load().await? {
        Some(grant) => println!(
            "{}",
            status_report(
                &grant,
                &store.location(),
                &Selection::from_args(&args.catalog, all_tools())?
            )
        ),
        None => println!(
            "Not signed in (no login stored in {}). Run `spotify-mcp auth login` with SPOTIFY_CLIENT_ID set.",
            store.location()
        ),
    }
    Ok(())
}

pub async fn run_logout(args: LogoutArgs) -> CommandResult {
    let store = FileTokenStore::new(store_path_or_default(args.token_file)?);
    if store.delete().await? {
        println!(
            "Signed out: deleted {}. To revoke the app's access too, remove it at https://www.spotify.com/account/apps/.",
            store.location()
        );
    } else {
        println!("No login was stored in {}.", store.location());
    }
    Ok(())
}
