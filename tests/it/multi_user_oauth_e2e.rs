//! The whole MCP authorization dance as a real MCP client does it (rmcp's `auth` feature)
//! against `serve --multi-user` with a fake Spotify of two people: the 401 challenge,
//! discovery, Dynamic Client Registration, `/authorize` → Spotify → `/callback` → consent →
//! code → token, then `tools/call` as that person. Each person sees only their own Spotify; a
//! refresh through the client works; a replayed refresh token revokes the family; a disconnect
//! at `/account` refuses the person's next call at once.

use crate::common;
use common::answers::{api_users, structured};
use common::http_server::{ACCEPT, http_client};
use common::multi_user_server::{MultiUserServer, Options};
use common::sign_in_server::{allow_consent, browser, hidden_field, page_text, through_spotify};
use fake_spotify::{FakeSpotify, FakeUser, Knobs};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::auth::{AuthClient, AuthorizationRequest, OAuthState};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::{Value, json};
use std::time::Duration;

/// Where the MCP client "listens" for the redirect: never contacted, the browser stops there.
const CLIENT_REDIRECT: &str = "http://127.0.0.1:9/oauth/callback";
const DEADLINE: Duration = Duration::from_secs(30);

type Client = RunningService<RoleClient, ()>;
type Authorized = AuthClient<reqwest::Client>;

/// The challenge of an `initialize` sent without a token, as a client's first request gets it.
async fn challenge(server: &MultiUserServer) -> String {
    let initialize = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "protocolVersion": "2025-11-25", "capabilities": {},
                    "clientInfo": { "name": "e2e", "version": "0" } }
    });
    let response = http_client()
        .post(server.mcp_url())
        .header("accept", ACCEPT)
        .json(&initialize)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string()
}

/// `person` connects their own MCP client: discovery from the challenge, registration, the
/// browser's round trip through Spotify and the consent page (in `browser`), the code
/// exchanged for tokens. The client, authorized.
async fn sign_in(
    server: &MultiUserServer,
    fake: &FakeSpotify,
    person: &FakeUser,
    browser: &reqwest::Client,
) -> Authorized {
    let mut oauth = OAuthState::new(server.mcp_url(), None).await.unwrap();
    let request = AuthorizationRequest::new(CLIENT_REDIRECT)
        .with_client_name(format!("{}'s assistant", person.display_name))
        .with_challenge(challenge(server).await);
    oauth
        .start_authorization(request)
        .await
        .expect("discovery and registration");
    let authorize_url = oauth.get_authorization_url().await.unwrap();
    assert!(authorize_url.contains("code_challenge_method=S256"));
    let consent = through_spotify(browser, fake, &server.issuer, &authorize_url, person).await;
    let back = allow_consent(browser, &server.issuer, consent).await;
    assert!(back.starts_with(&format!("{CLIENT_REDIRECT}?")), "{back}");
    oauth
        .handle_callback_url(&back)
        .await
        .expect("the code (with its iss) is exchanged for tokens");
    let manager = oauth.into_authorization_manager().expect("authorized");
    AuthClient::new(reqwest::Client::new(), manager)
}

/// An MCP session over streamable HTTP whose requests carry `auth`'s current token.
async fn connect(server: &MultiUserServer, auth: &Authorized) -> Client {
    let config = StreamableHttpClientTransportConfig::with_uri(server.mcp_url());
    let transport = StreamableHttpClientTransport::with_client(auth.clone(), config);
    tokio::time::timeout(DEADLINE, ().serve(transport))
        .await
        .expect("the handshake answers in time")
        .expect("the handshake succeeds with the issued token")
}

/// `tool`'s answer, or the client's error (a refused request) as text.
async fn call(client: &Client, tool: &str) -> Result<Value, String> {
    let request = CallToolRequestParams::new(tool.to_string());
    let result = tokio::time::timeout(DEADLINE, client.call_tool(request))
        .await
        .unwrap_or_else(|_| panic!("{tool} did not answer within {DEADLINE:?}"))
        .map_err(|e| e.to_string())?;
    if result.is_error == Some(true) {
        return Err(common::text(&result));
    }
    Ok(structured(result))
}

/// The client's current access and refresh tokens.
async fn tokens(auth: &Authorized) -> (String, String) {
    let (_, response) = auth
        .auth_manager
        .lock()
        .await
        .get_credentials()
        .await
        .unwrap();
    let response = serde_json::to_value(response.expect("tokens are stored")).unwrap();
    let field = |name: &str| response[name].as_str().expect(name).to_string();
    (field("access_token"), field("refresh_token"))
}

/// A `tools/call` POST to `/mcp` with `token`: its status and challenge.
async fn raw_call(server: &MultiUserServer, token: &str) -> (u16, String) {
    let body = json!({
        "jsonrpc": "2.0", "id": 9, "method": "tools/call",
        "params": { "name": "get_my_profile", "arguments": {} }
    });
    let response = http_client()
        .post(server.mcp_url())
        .header("accept", ACCEPT)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (response.status().as_u16(), challenge)
}

async fn two_people() -> (FakeSpotify, FakeUser, FakeUser) {
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let ada = fake.add_user("Ada");
    let bob = fake.add_user("Bob");
    (fake, ada, bob)
}

/// `person` signs in and connects; their profile and saved tracks are theirs, and each request
/// to Spotify acts for them. Their authorized client, its session and their saved tracks.
async fn sees_only_their_own(
    server: &MultiUserServer,
    fake: &FakeSpotify,
    person: &FakeUser,
    browser: &reqwest::Client,
) -> (Authorized, Client, Value) {
    let auth = sign_in(server, fake, person, browser).await;
    let client = connect(server, &auth).await;
    fake.clear_requests();
    let profile = call(&client, "get_my_profile").await.unwrap();
    assert_eq!(profile["id"], person.id.as_str());
    let saved = call(&client, "get_saved_tracks").await.unwrap();
    let name = &person.display_name;
    for id in fake.saved_ids(person, "track").iter().take(3) {
        assert!(
            saved.to_string().contains(id.as_str()),
            "{name}'s track {id}"
        );
    }
    assert!(
        api_users(fake)
            .iter()
            .all(|u| u.as_deref() == Some(&person.id)),
        "{name}'s calls act for {name}: {:?}",
        api_users(fake)
    );
    (auth, client, saved)
}

#[tokio::test]
async fn two_people_sign_in_with_their_own_mcp_clients_and_each_sees_only_their_spotify() {
    let (fake, ada, bob) = two_people().await;
    let server = MultiUserServer::start(&fake, Options::default()).await;

    let (ada_browser, bob_browser) = (browser(), browser());
    let (ada_auth, ada_client, _) = sees_only_their_own(&server, &fake, &ada, &ada_browser).await;

    let (_bob_auth, bob_client, saved) =
        sees_only_their_own(&server, &fake, &bob, &bob_browser).await;
    for id in fake.saved_ids(&ada, "track").iter().take(3) {
        assert!(!saved.to_string().contains(id.as_str()), "not Ada's {id}");
    }
    assert_eq!(server.store.list_users().await.unwrap().len(), 2);

    // A refresh through the client rotates the refresh token; the new access token works.
    let (old_access, old_refresh) = tokens(&ada_auth).await;
    ada_auth
        .auth_manager
        .lock()
        .await
        .refresh_token()
        .await
        .expect("the client refreshes");
    let (new_access, new_refresh) = tokens(&ada_auth).await;
    assert_ne!(old_access, new_access);
    assert_ne!(old_refresh, new_refresh, "refresh tokens rotate");
    let profile = call(&ada_client, "get_my_profile").await.unwrap();
    assert_eq!(profile["id"], ada.id.as_str());

    // Someone replays the old refresh token: refused, and the whole family is revoked.
    let (client_id, _) = ada_auth
        .auth_manager
        .lock()
        .await
        .get_credentials()
        .await
        .unwrap();
    let replay = http_client()
        .post(server.url("/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", old_refresh.as_str()),
            ("client_id", client_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 400);
    assert_eq!(
        replay.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );
    // Within the token cache's lifetime (300 ms here), /mcp refuses the family's access token.
    let refused = refused_within(&server, &new_access, Duration::from_secs(5)).await;
    assert!(refused.contains("invalid_token"), "{refused}");
    let error = call(&ada_client, "get_my_profile").await.unwrap_err();
    assert!(!error.is_empty());
    // Bob is untouched.
    let profile = call(&bob_client, "get_my_profile").await.unwrap();
    assert_eq!(profile["id"], bob.id.as_str());
}

/// Polls (bounded) until `/mcp` answers `token` with `401`: its challenge.
async fn refused_within(server: &MultiUserServer, token: &str, limit: Duration) -> String {
    let started = tokio::time::Instant::now();
    loop {
        let (status, challenge) = raw_call(server, token).await;
        if status == 401 {
            return challenge;
        }
        assert!(
            started.elapsed() < limit,
            "still {status} after {limit:?}: the revocation is not honoured"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_person_who_disconnects_at_the_account_page_is_refused_at_once() {
    let (fake, ada, bob) = two_people().await;
    // Resolved tokens would be trusted for an hour: only the disconnect hook can refuse sooner.
    let options = Options {
        token_cache_ttl: Duration::from_secs(3600),
        ..Options::default()
    };
    let server = MultiUserServer::start(&fake, options).await;
    let (ada_browser, bob_browser) = (browser(), browser());
    let ada_auth = sign_in(&server, &fake, &ada, &ada_browser).await;
    let bob_auth = sign_in(&server, &fake, &bob, &bob_browser).await;
    let (ada_client, bob_client) = (
        connect(&server, &ada_auth).await,
        connect(&server, &bob_auth).await,
    );
    call(&ada_client, "get_my_profile").await.unwrap();
    call(&bob_client, "get_my_profile").await.unwrap();
    let (ada_token, _) = tokens(&ada_auth).await;

    let account = page_text(&ada_browser, &server.url("/account")).await;
    assert!(account.contains("Ada"), "{account}");
    let done = ada_browser
        .post(server.url("/account/disconnect"))
        .form(&[("csrf", hidden_field(&account, "csrf"))])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);

    fake.clear_requests();
    let (status, challenge) = raw_call(&server, &ada_token).await;
    assert_eq!(status, 401, "the very next request is refused");
    assert!(challenge.contains("invalid_token"), "{challenge}");
    assert!(call(&ada_client, "get_my_profile").await.is_err());
    assert!(
        api_users(&fake)
            .iter()
            .all(|u| u.as_deref() != Some(&ada.id)),
        "nothing reaches Spotify for Ada after her disconnect"
    );
    let profile = call(&bob_client, "get_my_profile").await.unwrap();
    assert_eq!(profile["id"], bob.id.as_str(), "Bob is untouched");
}
