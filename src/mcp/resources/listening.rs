//! Subscriptions to now-playing: `resources/subscribe` and `resources/unsubscribe` on revisions
//! before 2026-07-28, `subscriptions/listen` from 2026-07-28. Either way a subscriber joins its
//! user's poller and hears `notifications/resources/updated` when the state changed.

use super::caller;
use super::now_playing::fingerprint;
use super::reading::answer;
use super::uris::{self, NOW_PLAYING};
use crate::credentials::Credentials;
use crate::foundation::excerpt::excerpt;
use crate::mcp::server::SpotifyServer;
use rmcp::model::{ResourceUpdatedNotificationParam, SubscriptionFilter};
use rmcp::service::{RequestContext, SubscriptionContext};
use rmcp::{ErrorData, RoleServer};
use std::future::Future;
use std::sync::Arc;
use tokio::sync::watch;

/// `resources/subscribe`: the session hears of now-playing changes until it unsubscribes or
/// ends. Subscribing twice is one subscription.
pub async fn subscribe(
    server: &SpotifyServer,
    uri: &str,
    context: &RequestContext<RoleServer>,
) -> Result<(), ErrorData> {
    subscribable(uri)?;
    let now_playing = uris::target(NOW_PLAYING)
        .ok_or_else(|| ErrorData::internal_error("no now-playing target", None))?;
    caller::may_use(server, context, now_playing.tool)?;
    let key = (caller::session(context), uri.to_string());
    let Some(stop) = server.subscriptions.add(key.clone()) else {
        return Ok(());
    };
    let credentials = caller::credentials(server, context);
    let changes = changes_of_now_playing(server, credentials).await;
    let peer = context.peer.clone();
    let alive = {
        let peer = peer.clone();
        move || !peer.is_transport_closed()
    };
    let send = move || {
        let peer = peer.clone();
        async move {
            let update = ResourceUpdatedNotificationParam::new(NOW_PLAYING);
            peer.notify_resource_updated(update).await.is_ok()
        }
    };
    let server = server.clone();
    let interval = server.subscriptions.now_playing.interval();
    tokio::spawn(async move {
        forward(changes, stop.cancelled(), alive, interval, send).await;
        // Unsubscribing removed it already (and a new subscription may hold the key now).
        if !stop.is_cancelled() {
            server.subscriptions.remove(&key);
        }
    });
    Ok(())
}

/// `resources/unsubscribe`: no more updates for this session (none subscribed: nothing to do).
pub fn unsubscribe(server: &SpotifyServer, uri: &str, context: &RequestContext<RoleServer>) {
    server
        .subscriptions
        .remove(&(caller::session(context), uri.to_string()));
}

/// The part of a `subscriptions/listen` filter this server serves: now-playing updates, and
/// tool list changes where the catalog can change (`tools`).
pub fn accepted(requested: &SubscriptionFilter, tools: bool) -> SubscriptionFilter {
    let ours = requested
        .resource_subscriptions
        .iter()
        .flatten()
        .filter(|uri| *uri == NOW_PLAYING)
        .cloned()
        .collect::<Vec<_>>();
    let mut accepted = SubscriptionFilter::new();
    accepted.resource_subscriptions = (!ours.is_empty()).then_some(ours);
    accepted.tools_list_changed =
        (tools && requested.tools_list_changed == Some(true)).then_some(true);
    accepted
}

/// `subscriptions/listen`: forwards now-playing changes and tool list changes (each where
/// accepted) on the one stream until the client cancels.
pub async fn listen(server: &SpotifyServer, subscription: SubscriptionContext) {
    let tool_list = async {
        match subscription.accepted().tools_list_changed {
            Some(true) => {
                let sink = subscription.sink();
                server
                    .tool_list
                    .forward(sink, subscription.cancelled())
                    .await;
            }
            _ => subscription.cancelled().await,
        }
    };
    tokio::join!(tool_list, now_playing(server, &subscription));
}

/// The now-playing part of a listen stream: its updates until the client cancels.
async fn now_playing(server: &SpotifyServer, subscription: &SubscriptionContext) {
    let wants_now_playing = subscription
        .accepted()
        .resource_subscriptions
        .as_ref()
        .is_some_and(|uris| uris.iter().any(|uri| uri == NOW_PLAYING));
    let permitted = uris::target(NOW_PLAYING).is_some_and(|target| {
        caller::may_use(server, subscription.request_context(), target.tool).is_ok()
    });
    // A token without the player scope hears nothing, as if it had asked for nothing.
    if !wants_now_playing || !permitted {
        subscription.cancelled().await;
        return;
    }
    let credentials = caller::credentials(server, subscription.request_context());
    let changes = changes_of_now_playing(server, credentials).await;
    let sink = subscription.sink().clone();
    let send = move || {
        let sink = sink.clone();
        async move { sink.notify_resource_updated(NOW_PLAYING).await.is_ok() }
    };
    let interval = server.subscriptions.now_playing.interval();
    forward(changes, subscription.cancelled(), || true, interval, send).await;
}

/// Only now-playing changes on its own; anything else is read again when wanted.
fn subscribable(uri: &str) -> Result<(), ErrorData> {
    match uris::target(uri) {
        _ if uri == NOW_PLAYING => Ok(()),
        Some(_) => Err(ErrorData::invalid_params(
            format!(
                "`{}` cannot be subscribed to: only {NOW_PLAYING} changes without a write; read the resource again to see it now",
                excerpt(uri)
            ),
            None,
        )),
        None => Err(ErrorData::resource_not_found(
            format!(
                "no resource `{}`; call resources/list to see what can be subscribed to",
                excerpt(uri)
            ),
            Some(serde_json::json!({ "uri": excerpt(uri) })),
        )),
    }
}

/// Joins (or starts) the poller of the caller's player and returns its change counter.
async fn changes_of_now_playing(
    server: &SpotifyServer,
    credentials: Arc<dyn Credentials>,
) -> watch::Receiver<u64> {
    let user = credentials.identity().await;
    let polling = server.clone();
    let fetch = move || {
        let server = polling.clone();
        let credentials = credentials.clone();
        async move {
            let target = uris::target(NOW_PLAYING).ok_or(())?;
            let state = answer(&server, credentials, &target)
                .await
                .map_err(|_| ())?;
            Ok(fingerprint(state.as_ref()))
        }
    };
    server.subscriptions.now_playing.listen(&user, fetch)
}

/// Sends one update per change until `stop`, a failed send, or `alive` says the session ended
/// (checked once per `interval`, so a vanished session does not keep its poller running).
async fn forward<Send, Sent>(
    mut changes: watch::Receiver<u64>,
    stop: impl Future<Output = ()>,
    alive: impl Fn() -> bool,
    interval: std::time::Duration,
    send: Send,
) where
    Send: Fn() -> Sent,
    Sent: Future<Output = bool>,
{
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return,
            changed = changes.changed() => {
                if changed.is_err() || !send().await {
                    return;
                }
            }
            () = tokio::time::sleep(interval) => {
                if !alive() {
                    return;
                }
            }
        }
    }
}
