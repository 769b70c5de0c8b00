//! Now-playing as a subscribable resource, through rmcp clients over real HTTP against the fake:
//! a subscriber hears of a track change within the polling interval, and nothing after it
//! unsubscribes; the fake sees no polls before anyone subscribes or after the last one left;
//! two subscribers of one user share one poller; and `subscriptions/listen` (2026-07-28) gets
//! the same update.

use crate::common;

use common::multi_user_server::{MultiUserServer, Options, TestUser, serve_args};
use fake_spotify::{FakeSpotify, Knobs};
use rmcp::model::{ResourceUpdatedNotificationParam, SubscribeRequestParams};
use rmcp::service::{NotificationContext, RoleClient, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ClientHandler, ServiceExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::mpsc;

const NOW_PLAYING: &str = "spotify-mcp://me/now-playing";
const POLL: Duration = Duration::from_secs(1);
/// How long an update may take: the interval, plus a poll's own time and slack for a busy
/// machine.
const UPDATE_WITHIN: Duration = Duration::from_secs(4);

/// A client that passes every `notifications/resources/updated` URI to the test.
#[derive(Clone)]
struct Updates(mpsc::UnboundedSender<String>);

impl ClientHandler for Updates {
    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let _ = self.0.send(params.uri);
    }
}

struct Listener {
    client: RunningService<RoleClient, Updates>,
    updates: mpsc::UnboundedReceiver<String>,
}

async fn listener(server: &MultiUserServer, user: &TestUser) -> Listener {
    let (tx, updates) = mpsc::unbounded_channel();
    let config = StreamableHttpClientTransportConfig::with_uri(server.mcp_url())
        .auth_header(user.token.clone());
    let transport = StreamableHttpClientTransport::from_config(config);
    let client = tokio::time::timeout(Duration::from_secs(20), Updates(tx).serve(transport))
        .await
        .expect("handshake within 20 s")
        .expect("the client connects");
    Listener { client, updates }
}

#[allow(deprecated)]
async fn subscribe(listener: &Listener) {
    listener
        .client
        .subscribe(SubscribeRequestParams::new(NOW_PLAYING))
        .await
        .expect("now-playing can be subscribed to");
}

#[allow(deprecated)]
async fn unsubscribe(listener: &Listener) {
    listener
        .client
        .unsubscribe(rmcp::model::UnsubscribeRequestParams::new(NOW_PLAYING))
        .await
        .expect("unsubscribes");
}

async fn start() -> (FakeSpotify, MultiUserServer) {
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let options = Options::default();
    let mut args = serve_args(&fake, &options);
    args.resources.now_playing_poll_secs = POLL.as_secs();
    let server = MultiUserServer::start_with(args, options).await;
    (fake, server)
}

/// Skips to the next track, as the user's own Spotify app would.
async fn skip_track(fake: &FakeSpotify, user: &TestUser) {
    let token = fake.issue_token(&user.fake).access_token;
    let status = reqwest::Client::new()
        .post(format!("{}/me/player/next", fake.api_url()))
        .bearer_auth(token)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "the fake skips: {status}");
}

/// Polls of `user`'s player state the fake has seen.
fn polls(fake: &FakeSpotify, user: &TestUser) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.path == "/v1/me/player" && r.user.as_deref() == Some(user.fake.id.as_str()))
        .count()
}

async fn next_update(listener: &mut Listener) -> Option<String> {
    tokio::time::timeout(UPDATE_WITHIN, listener.updates.recv())
        .await
        .ok()
        .flatten()
}

#[tokio::test]
async fn a_subscriber_hears_of_a_track_change_and_nothing_after_unsubscribing() {
    let (fake, server) = start().await;
    let ada = server.add_user(&fake, "Ada").await;
    let mut ada_listener = listener(&server, &ada).await;
    tokio::time::sleep(POLL * 2).await;
    assert_eq!(
        polls(&fake, &ada),
        0,
        "nothing is polled before anyone subscribes"
    );

    subscribe(&ada_listener).await;
    // The poller's first look is the state changes are measured from.
    tokio::time::sleep(POLL).await;
    skip_track(&fake, &ada).await;
    assert_eq!(
        next_update(&mut ada_listener).await.as_deref(),
        Some(NOW_PLAYING),
        "an update within the polling interval after the track changed"
    );
    assert_eq!(
        next_update(&mut ada_listener).await,
        None,
        "no update while nothing changes (the position moving is no change)"
    );

    unsubscribe(&ada_listener).await;
    skip_track(&fake, &ada).await;
    assert_eq!(
        next_update(&mut ada_listener).await,
        None,
        "no update after unsubscribing"
    );
    let stopped = polls(&fake, &ada);
    tokio::time::sleep(POLL * 3).await;
    assert_eq!(
        polls(&fake, &ada),
        stopped,
        "polling stops once nobody listens"
    );
    ada_listener.client.cancel().await.unwrap();
    server.stop().await;
}

#[tokio::test]
async fn subscribers_of_one_user_share_a_poller_and_other_users_hear_nothing() {
    let (fake, server) = start().await;
    let ada = server.add_user(&fake, "Ada").await;
    let bob = server.add_user(&fake, "Bob").await;
    let mut first = listener(&server, &ada).await;
    let mut second = listener(&server, &ada).await;
    let mut bobs = listener(&server, &bob).await;
    for listener in [&first, &second, &bobs] {
        subscribe(listener).await;
    }
    let started = polls(&fake, &ada);
    tokio::time::sleep(POLL * 4).await;
    let per_interval = (polls(&fake, &ada) - started) as f64 / 4.0;
    assert!(
        per_interval <= 1.5,
        "one poller for Ada's two subscribers, at most one poll per interval: {per_interval}"
    );

    skip_track(&fake, &ada).await;
    assert_eq!(next_update(&mut first).await.as_deref(), Some(NOW_PLAYING));
    assert_eq!(next_update(&mut second).await.as_deref(), Some(NOW_PLAYING));
    assert_eq!(
        next_update(&mut bobs).await,
        None,
        "Bob's track did not change"
    );
    for listener in [first, second, bobs] {
        listener.client.cancel().await.unwrap();
    }
    server.stop().await;
}

#[tokio::test]
async fn reads_and_templates_act_for_the_caller() {
    let (fake, server) = start().await;
    let ada = server.add_user(&fake, "Ada").await;
    let client = server.client(Some(&ada.token)).await;

    let listed = client.list_all_resources().await.unwrap();
    let uris: Vec<&str> = listed.iter().map(|r| r.uri.as_str()).collect();
    assert!(uris.contains(&NOW_PLAYING), "{uris:?}");
    assert!(uris.contains(&"spotify-mcp://me/playlists"), "{uris:?}");
    let own = fake.playlist_ids_of(&ada.fake);
    assert!(
        own.iter()
            .any(|id| uris.contains(&format!("spotify:playlist:{id}").as_str())),
        "Ada's own playlists are listed: {uris:?}"
    );

    let templates = client.list_all_resource_templates().await.unwrap();
    let mut names: Vec<&str> = templates.iter().map(|t| t.uri_template.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "spotify:album:{id}",
            "spotify:artist:{id}",
            "spotify:playlist:{id}",
            "spotify:show:{id}"
        ]
    );

    let album = fake.ids(fake_spotify::Kind::Album)[0].clone();
    let read = client
        .read_resource(rmcp::model::ReadResourceRequestParams::new(format!(
            "spotify:album:{album}"
        )))
        .await
        .unwrap();
    let text = match &read.contents[0] {
        rmcp::model::ResourceContents::TextResourceContents { text, .. } => text.clone(),
        other => panic!("JSON text, not {other:?}"),
    };
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["id"], json!(album), "{body}");

    let playing = client
        .read_resource(rmcp::model::ReadResourceRequestParams::new(NOW_PLAYING))
        .await
        .unwrap();
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.path == "/v1/me/player" && r.user.as_deref() == Some(ada.fake.id.as_str())),
        "now-playing is read as Ada"
    );
    assert_eq!(playing.contents.len(), 1);

    let missing = client
        .read_resource(rmcp::model::ReadResourceRequestParams::new(
            "spotify:track:abc",
        ))
        .await;
    assert!(missing.is_err(), "an unknown resource is an error");
    client.cancel().await.unwrap();
    server.stop().await;
}

/// Reads SSE data lines from `response` until one holds `method`, or `within` passes.
async fn await_message(
    response: &mut reqwest::Response,
    method: &str,
    within: Duration,
) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + within;
    let mut buffer = String::new();
    loop {
        let chunk = tokio::time::timeout_at(deadline, response.chunk())
            .await
            .ok()?
            .ok()??;
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find('\n') {
            let line: String = buffer.drain(..=end).collect();
            if let Some(data) = line.trim().strip_prefix("data:")
                && let Ok(message) = serde_json::from_str::<Value>(data.trim())
                && message["method"] == method
            {
                return Some(message);
            }
        }
    }
}

#[tokio::test]
async fn subscriptions_listen_on_2026_07_28_hears_of_a_track_change() {
    let (fake, server) = start().await;
    let ada = server.add_user(&fake, "Ada").await;
    let listen = json!({
        "jsonrpc": "2.0", "id": 7, "method": "subscriptions/listen",
        "params": {
            "notifications": { "resourceSubscriptions": [NOW_PLAYING, "spotify:album:abc"] },
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
                "io.modelcontextprotocol/clientInfo": { "name": "listen-test", "version": "1" }
            }
        }
    });
    let mut stream = reqwest::Client::new()
        .post(server.mcp_url())
        .bearer_auth(&ada.token)
        .header("accept", common::http_server::ACCEPT)
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "subscriptions/listen")
        .json(&listen)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let acknowledged = await_message(
        &mut stream,
        "notifications/subscriptions/acknowledged",
        UPDATE_WITHIN,
    )
    .await
    .expect("the subscription is acknowledged");
    assert_eq!(
        acknowledged["params"]["notifications"]["resourceSubscriptions"],
        json!([NOW_PLAYING]),
        "only now-playing is accepted: {acknowledged}"
    );
    tokio::time::sleep(POLL).await;
    skip_track(&fake, &ada).await;
    let update = await_message(
        &mut stream,
        "notifications/resources/updated",
        UPDATE_WITHIN,
    )
    .await
    .expect("an update within the polling interval after the track changed");
    assert_eq!(update["params"]["uri"], NOW_PLAYING);

    drop(stream);
    // The dropped stream ends the subscription; then the poller stops.
    let deadline = tokio::time::Instant::now() + UPDATE_WITHIN * 2;
    loop {
        let before = polls(&fake, &ada);
        tokio::time::sleep(POLL * 2).await;
        if polls(&fake, &ada) == before {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "polling goes on after the listener left"
        );
    }
    server.stop().await;
}
