//! Confirmation before destructive writes, through a real rmcp client against the realistic
//! fake over real HTTP: a person who declines → nothing reaches Spotify (the fake's request
//! log); who accepts → the write runs; the same through an input-required result on a
//! 2026-07-28 session, whose request state cannot be tampered with or replayed for other
//! arguments; and the `--confirm-destructive` policy for clients that cannot ask.

use crate::common;

use ::fake_spotify::{FakeSpotify, Kind, Knobs};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ClientConfig, ElicitRequestParams,
    ElicitResult, ElicitationAction, ElicitationCapability, InputResponses, ProtocolVersion,
};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt, RequestContext, RunningService};
use rmcp::{ClientHandler, ErrorData, RoleClient, ServiceExt};
use serde_json::{Map, Value, json};
use spotify_mcp::foundation::config::ConfirmDestructive;
use spotify_mcp::mcp::confirm::Guard;
use spotify_mcp::mcp::undo::store::UndoStore;
use spotify_mcp::mcp::{Catalog, CatalogOptions, SpotifyServer, all_tools};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const DEADLINE: Duration = Duration::from_secs(30);

/// An MCP client whose person answers every question with `answer`, and remembers them.
#[derive(Clone)]
pub struct Person {
    pub answer: Option<ElicitationAction>,
    pub version: ProtocolVersion,
    pub questions: Arc<Mutex<Vec<String>>>,
}

impl Person {
    pub fn new(answer: Option<ElicitationAction>, version: ProtocolVersion) -> Self {
        Self {
            answer,
            version,
            questions: Arc::default(),
        }
    }
    pub fn questions(&self) -> Vec<String> {
        self.questions.lock().unwrap().clone()
    }
}

impl ClientHandler for Person {
    fn get_info(&self) -> ClientConfig {
        let mut info = ClientConfig::default();
        info.protocol_version = self.version.clone();
        // `None`: a client that cannot ask (declares no elicitation).
        if self.answer.is_some() {
            info.capabilities.elicitation = Some(ElicitationCapability::new());
        }
        info
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        if let ElicitRequestParams::FormElicitationParams { message, .. } = request {
            self.questions.lock().unwrap().push(message);
        }
        let action = self.answer.clone().unwrap_or(ElicitationAction::Decline);
        Ok(ElicitResult::new(action))
    }
}

pub type PersonClient = RunningService<RoleClient, Person>;

/// The server over the full catalog, acting with a fresh token of the fake's default user.
pub fn server(fake: &FakeSpotify, policy: ConfirmDestructive, undo: UndoStore) -> SpotifyServer {
    let token = fake.issue_user_token().access_token;
    server_with_token(fake, policy, undo, &token)
}

/// Like [`server`], acting with `token` (replicas of one single-user deployment share it).
pub fn server_with_token(
    fake: &FakeSpotify,
    policy: ConfirmDestructive,
    undo: UndoStore,
    token: &str,
) -> SpotifyServer {
    let api = spotify_mcp::build_api(&common::realistic::args(fake, Some(token))).unwrap();
    let catalog = Catalog::new(all_tools(), &CatalogOptions::default());
    SpotifyServer::new(api, Arc::new(catalog)).with_guard(Guard::new(policy, None, undo))
}

/// Connects `person` to `server` over an in-memory pipe, with the person's protocol revision.
pub async fn connect(server: SpotifyServer, person: Person) -> PersonClient {
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let version = person.version.clone();
    let lifecycle = match version.has_initialize() {
        true => ClientLifecycleMode::Initialize,
        false => ClientLifecycleMode::Discover {
            preferred_versions: vec![version],
        },
    };
    tokio::time::timeout(DEADLINE, person.serve_with_lifecycle(client_io, lifecycle))
        .await
        .expect("connects in time")
        .expect("connects")
}

pub fn request(name: &str, arguments: Value) -> CallToolRequestParams {
    let arguments: Map<String, Value> = arguments.as_object().cloned().unwrap_or_default();
    CallToolRequestParams::new(name.to_string()).with_arguments(arguments)
}

pub async fn call(client: &PersonClient, name: &str, arguments: Value) -> CallToolResult {
    tokio::time::timeout(DEADLINE, client.call_tool(request(name, arguments)))
        .await
        .expect("answers in time")
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The default user's first playlist and the URIs of three of its items (at 1, 4 and 5).
pub fn three_items(fake: &FakeSpotify) -> (String, Vec<String>, Value) {
    let playlist = fake.own_playlist_ids()[0].clone();
    let uris = fake.playlist_uris(&playlist).unwrap();
    let gone: Vec<String> = [1, 4, 5].iter().map(|&i| uris[i].clone()).collect();
    let items: Vec<Value> = gone.iter().map(|u| json!({ "uri": u })).collect();
    let arguments = json!({ "playlist_id": playlist, "items": items });
    (playlist, uris, arguments)
}

/// Requests that changed something at Spotify (anything but GET).
pub fn writes(fake: &FakeSpotify) -> Vec<String> {
    fake.requests()
        .iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

async fn start(policy: ConfirmDestructive, person: Person) -> (FakeSpotify, PersonClient) {
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let client = connect(server(&fake, policy, UndoStore::new(None)), person).await;
    (fake, client)
}

#[tokio::test]
async fn a_declined_removal_sends_nothing_and_says_so() {
    let person = Person::new(
        Some(ElicitationAction::Decline),
        ProtocolVersion::V_2025_06_18,
    );
    let (fake, client) = start(ConfirmDestructive::Ask, person.clone()).await;
    let (playlist, before, arguments) = three_items(&fake);
    let result = call(&client, "remove_playlist_items", arguments).await;
    assert_eq!(result.is_error, Some(true), "{result:?}");
    assert!(
        common::text(&result).contains("declined"),
        "{}",
        common::text(&result)
    );
    assert_eq!(
        writes(&fake),
        Vec::<String>::new(),
        "nothing but reads reached Spotify"
    );
    assert_eq!(fake.playlist_uris(&playlist).unwrap(), before);
    // The question names the playlist and the tracks by name, not by id.
    let questions = person.questions();
    assert_eq!(questions.len(), 1);
    let question = &questions[0];
    assert!(question.starts_with("Remove 3 items — "), "{question}");
    assert!(
        !question.contains(&before[1]),
        "names, not URIs: {question}"
    );
    let name = fake_playlist_name(&client, &playlist).await;
    assert!(question.contains(&format!("from '{name}'")), "{question}");
}

async fn fake_playlist_name(client: &PersonClient, playlist: &str) -> String {
    let result = call(client, "get_playlist", json!({ "playlist_id": playlist })).await;
    result.structured_content.unwrap()["name"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_cancelled_question_sends_nothing() {
    let person = Person::new(
        Some(ElicitationAction::Cancel),
        ProtocolVersion::V_2025_11_25,
    );
    let (fake, client) = start(ConfirmDestructive::Ask, person).await;
    let uri = format!("spotify:album:{}", fake.ids(Kind::Album)[0]);
    call(&client, "save_library_items", json!({ "uris": [uri] })).await;
    let result = call(&client, "remove_library_items", json!({ "uris": [uri] })).await;
    assert!(
        common::text(&result).contains("cancelled"),
        "{}",
        common::text(&result)
    );
    assert_eq!(
        writes(&fake),
        ["PUT /v1/me/library"],
        "only the save went through"
    );
}

#[tokio::test]
async fn an_accepted_removal_runs_and_offers_undo() {
    let person = Person::new(
        Some(ElicitationAction::Accept),
        ProtocolVersion::V_2025_11_25,
    );
    let (fake, client) = start(ConfirmDestructive::Ask, person.clone()).await;
    let (playlist, before, arguments) = three_items(&fake);
    let result = call(&client, "remove_playlist_items", arguments).await;
    assert_ne!(result.is_error, Some(true), "{}", common::text(&result));
    assert_eq!(writes(&fake).len(), 1);
    assert_eq!(
        fake.playlist_uris(&playlist).unwrap().len(),
        before.len() - 3
    );
    let undo = &result.structured_content.unwrap()["undo"];
    assert!(
        undo["handle"].as_str().is_some_and(|h| !h.is_empty()),
        "{undo}"
    );
    assert!(
        undo["expires_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "{undo}"
    );
    assert_eq!(person.questions().len(), 1);
}

#[tokio::test]
async fn reads_and_additive_writes_ask_nothing() {
    let person = Person::new(
        Some(ElicitationAction::Decline),
        ProtocolVersion::V_2025_11_25,
    );
    let (fake, client) = start(ConfirmDestructive::Ask, person.clone()).await;
    let playlist = fake.own_playlist_ids()[0].clone();
    let track = format!("spotify:track:{}", fake.ids(Kind::Track)[3]);
    let read = call(&client, "get_playlist", json!({ "playlist_id": playlist })).await;
    let add = call(
        &client,
        "add_playlist_items",
        json!({ "playlist_id": playlist, "uris": [track] }),
    )
    .await;
    assert_ne!(read.is_error, Some(true));
    assert_ne!(add.is_error, Some(true), "{}", common::text(&add));
    assert!(person.questions().is_empty(), "{:?}", person.questions());
}

/// One `tools/call` without the automatic retry: what the server answered.
async fn once(client: &PersonClient, params: CallToolRequestParams) -> CallToolResponse {
    tokio::time::timeout(DEADLINE, client.call_tool_once(params))
        .await
        .expect("answers in time")
        .expect("a tools/call answer")
}

fn accept() -> InputResponses {
    let mut answers = InputResponses::new();
    answers.insert("confirm".into(), json!({ "action": "accept" }));
    answers
}

#[tokio::test]
async fn a_2026_session_gets_an_input_required_result_and_nothing_is_sent() {
    let person = Person::new(
        Some(ElicitationAction::Accept),
        ProtocolVersion::V_2026_07_28,
    );
    let (fake, client) = start(ConfirmDestructive::Ask, person).await;
    let (_, _, arguments) = three_items(&fake);
    let CallToolResponse::InputRequired(asked) =
        once(&client, request("remove_playlist_items", arguments)).await
    else {
        panic!("expected an input-required result");
    };
    let question = serde_json::to_value(&asked.input_requests.unwrap()["confirm"]).unwrap();
    assert_eq!(question["method"], "elicitation/create", "{question}");
    assert!(
        question["params"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Remove 3 items")
    );
    assert!(asked.request_state.is_some_and(|s| !s.is_empty()));
    assert_eq!(writes(&fake), Vec::<String>::new());
}

#[tokio::test]
async fn a_2026_client_that_accepts_runs_the_write_on_its_retry() {
    let person = Person::new(
        Some(ElicitationAction::Accept),
        ProtocolVersion::V_2026_07_28,
    );
    let (fake, client) = start(ConfirmDestructive::Ask, person.clone()).await;
    let (playlist, before, arguments) = three_items(&fake);
    // `call_tool` answers the input request through the client handler and retries.
    let result = call(&client, "remove_playlist_items", arguments).await;
    assert_ne!(result.is_error, Some(true), "{}", common::text(&result));
    assert_eq!(
        fake.playlist_uris(&playlist).unwrap().len(),
        before.len() - 3
    );
    assert_eq!(person.questions().len(), 1);
}

#[tokio::test]
async fn a_2026_client_that_declines_sends_nothing() {
    let person = Person::new(
        Some(ElicitationAction::Decline),
        ProtocolVersion::V_2026_07_28,
    );
    let (fake, client) = start(ConfirmDestructive::Ask, person).await;
    let (_, _, arguments) = three_items(&fake);
    let result = call(&client, "remove_playlist_items", arguments).await;
    assert_eq!(result.is_error, Some(true));
    assert!(common::text(&result).contains("declined"));
    assert_eq!(writes(&fake), Vec::<String>::new());
}

/// Asks once, then retries with an accepting answer and `state`, for `retry_arguments`.
async fn retry_with(
    client: &PersonClient,
    state: String,
    retry_arguments: Value,
) -> CallToolResult {
    let params = request("remove_playlist_items", retry_arguments)
        .with_input_responses(accept())
        .with_request_state(state);
    match once(client, params).await {
        CallToolResponse::Complete(result) => result,
        other => panic!("expected a complete result, got {other:?}"),
    }
}

async fn sealed_state(client: &PersonClient, arguments: Value) -> String {
    match once(client, request("remove_playlist_items", arguments)).await {
        CallToolResponse::InputRequired(asked) => asked.request_state.unwrap(),
        other => panic!("expected an input-required result, got {other:?}"),
    }
}

#[tokio::test]
async fn tampered_request_state_is_refused() {
    let person = Person::new(
        Some(ElicitationAction::Accept),
        ProtocolVersion::V_2026_07_28,
    );
    let (fake, client) = start(ConfirmDestructive::Ask, person).await;
    let (_, _, arguments) = three_items(&fake);
    let state = sealed_state(&client, arguments.clone()).await;
    // The untouched state works (so the refusals below are the tampering's doing)...
    let mut forged = state.clone().into_bytes();
    let last = forged.len() - 2;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    let result = retry_with(&client, forged, arguments.clone()).await;
    assert_eq!(result.is_error, Some(true), "{result:?}");
    assert!(
        common::text(&result).contains("requestState"),
        "{}",
        common::text(&result)
    );
    let made_up = retry_with(&client, "anything".into(), arguments.clone()).await;
    assert_eq!(made_up.is_error, Some(true));
    assert_eq!(
        writes(&fake),
        Vec::<String>::new(),
        "no write with a tampered state"
    );
    let genuine = retry_with(&client, state, arguments).await;
    assert_ne!(genuine.is_error, Some(true), "{}", common::text(&genuine));
    assert_eq!(writes(&fake).len(), 1);
}

#[tokio::test]
async fn a_state_cannot_confirm_other_arguments() {
    let person = Person::new(
        Some(ElicitationAction::Accept),
        ProtocolVersion::V_2026_07_28,
    );
    let (fake, client) = start(ConfirmDestructive::Ask, person).await;
    let (playlist, uris, arguments) = three_items(&fake);
    let state = sealed_state(&client, arguments).await;
    let everything: Vec<Value> = uris.iter().map(|u| json!({ "uri": u })).take(100).collect();
    let other = json!({ "playlist_id": playlist, "items": everything });
    let result = retry_with(&client, state, other).await;
    assert_eq!(result.is_error, Some(true));
    assert_eq!(writes(&fake), Vec::<String>::new());
}

#[tokio::test]
async fn a_client_that_cannot_ask_gets_undoable_writes_only() {
    let person = Person::new(None, ProtocolVersion::V_2025_11_25);
    let (fake, client) = start(ConfirmDestructive::Ask, person).await;
    let (playlist, _, arguments) = three_items(&fake);
    let removed = call(&client, "remove_playlist_items", arguments).await;
    assert_ne!(removed.is_error, Some(true), "{}", common::text(&removed));
    assert!(removed.structured_content.unwrap()["undo"]["handle"].is_string());
    let writes_before = writes(&fake).len();
    let renamed = call(
        &client,
        "change_playlist_details",
        json!({ "playlist_id": playlist, "name": "x" }),
    )
    .await;
    assert_eq!(renamed.is_error, Some(true));
    let text = common::text(&renamed);
    assert!(
        text.contains("--confirm-destructive never") && text.contains("nothing was sent"),
        "{text}"
    );
    assert_eq!(writes(&fake).len(), writes_before);
}

#[tokio::test]
async fn refuse_runs_no_destructive_tool_and_never_asks_none() {
    let person = Person::new(
        Some(ElicitationAction::Accept),
        ProtocolVersion::V_2025_11_25,
    );
    let (fake, client) = start(ConfirmDestructive::Refuse, person.clone()).await;
    let (_, _, arguments) = three_items(&fake);
    let refused = call(&client, "remove_playlist_items", arguments.clone()).await;
    assert_eq!(refused.is_error, Some(true));
    assert!(common::text(&refused).contains("--confirm-destructive"));
    assert_eq!(writes(&fake), Vec::<String>::new());
    assert!(person.questions().is_empty());

    let (fake, client) = start(ConfirmDestructive::Never, person.clone()).await;
    let (_, _, arguments) = three_items(&fake);
    let ran = call(&client, "remove_playlist_items", arguments).await;
    assert_ne!(ran.is_error, Some(true));
    assert_eq!(writes(&fake).len(), 1);
    assert!(person.questions().is_empty(), "never: no question");
}

#[tokio::test]
async fn dynamic_mode_asks_before_call_tool_runs_a_destructive_tool() {
    use spotify_mcp::foundation::config::ToolMode;
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let token = fake.issue_user_token().access_token;
    let api = spotify_mcp::build_api(&common::realistic::args(&fake, Some(&token))).unwrap();
    let options = CatalogOptions {
        mode: ToolMode::Dynamic,
        ..CatalogOptions::default()
    };
    let guard = Guard::new(ConfirmDestructive::Ask, None, UndoStore::new(None));
    let server =
        SpotifyServer::new(api, Arc::new(Catalog::new(all_tools(), &options))).with_guard(guard);
    let person = Person::new(
        Some(ElicitationAction::Decline),
        ProtocolVersion::V_2025_11_25,
    );
    let client = connect(server, person.clone()).await;
    let (_, _, arguments) = three_items(&fake);
    let inner = json!({ "name": "remove_playlist_items", "arguments": arguments });
    let result = call(&client, "call_tool", inner).await;
    assert!(
        common::text(&result).contains("declined"),
        "{}",
        common::text(&result)
    );
    assert_eq!(writes(&fake), Vec::<String>::new());
    assert_eq!(person.questions().len(), 1);
}

/// A server that confirms with `undo`'s Redis (if any) and the encryption key `key`, as a
/// replica of a deployment would (replicas share the key, so each opens the others' states).
fn keyed_server(fake: &FakeSpotify, token: &str, key: &str, undo: UndoStore) -> SpotifyServer {
    use spotify_mcp::foundation::secret::Secret;
    let api = spotify_mcp::build_api(&common::realistic::args(fake, Some(token))).unwrap();
    let catalog = Catalog::new(all_tools(), &CatalogOptions::default());
    let guard = Guard::new(ConfirmDestructive::Ask, Some(&Secret::new(key)), undo);
    SpotifyServer::new(api, Arc::new(catalog)).with_guard(guard)
}

fn accepting_2026() -> Person {
    Person::new(
        Some(ElicitationAction::Accept),
        ProtocolVersion::V_2026_07_28,
    )
}

#[tokio::test]
async fn a_confirmation_runs_its_call_once() {
    let (fake, client) = start(ConfirmDestructive::Ask, accepting_2026()).await;
    let (playlist, before, arguments) = three_items(&fake);
    let state = sealed_state(&client, arguments.clone()).await;
    let first = retry_with(&client, state.clone(), arguments.clone()).await;
    assert_ne!(first.is_error, Some(true), "{}", common::text(&first));
    assert_eq!(writes(&fake).len(), 1);
    // The same state and answer again (a replay, or a retry after an undo) runs nothing.
    let replayed = retry_with(&client, state, arguments.clone()).await;
    assert_eq!(replayed.is_error, Some(true), "{replayed:?}");
    let text = common::text(&replayed);
    assert!(
        text.contains("already used") && text.contains("call the tool again"),
        "{text}"
    );
    assert_eq!(writes(&fake).len(), 1, "the replay reached Spotify");
    assert_eq!(
        fake.playlist_uris(&playlist).unwrap().len(),
        before.len() - 3
    );
    // Calling again asks anew, with a state of its own.
    let asked_again = sealed_state(&client, arguments).await;
    assert!(!asked_again.is_empty());
}

#[tokio::test]
async fn with_redis_a_confirmation_used_on_one_replica_is_refused_on_another() {
    let Some((url, _redis)) = common::redis_server::shared() else {
        return;
    };
    let url = common::redis_server::database(&url, 15);
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let token = fake.issue_user_token().access_token;
    let key = "k".repeat(44);
    let replica = || {
        use spotify_mcp::foundation::{redis_link::RedisLink, secret::Secret};
        let link = RedisLink::new(&Secret::new(&url), Duration::from_secs(2)).unwrap();
        keyed_server(&fake, &token, &key, UndoStore::new(Some(Arc::new(link))))
    };
    let one = connect(replica(), accepting_2026()).await;
    let two = connect(replica(), accepting_2026()).await;
    let (_, _, arguments) = three_items(&fake);
    let state = sealed_state(&one, arguments.clone()).await;
    let ran = retry_with(&one, state.clone(), arguments.clone()).await;
    assert_ne!(ran.is_error, Some(true), "{}", common::text(&ran));
    let replayed = retry_with(&two, state, arguments).await;
    assert_eq!(replayed.is_error, Some(true), "{replayed:?}");
    assert!(
        common::text(&replayed).contains("already used"),
        "{}",
        common::text(&replayed)
    );
    assert_eq!(writes(&fake).len(), 1, "the other replica ran it again");
}

#[tokio::test]
async fn while_redis_is_down_a_confirmed_call_is_refused_not_run() {
    use spotify_mcp::foundation::{redis_link::RedisLink, secret::Secret};
    // A port nothing listens on: Redis is configured but down.
    let port = common::free_port();
    let url = format!("redis://127.0.0.1:{port}/");
    let link = RedisLink::new(&Secret::new(&url), Duration::from_millis(500)).unwrap();
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let token = fake.issue_user_token().access_token;
    let undo = UndoStore::new(Some(Arc::new(link)));
    let server = keyed_server(&fake, &token, &"k".repeat(44), undo);
    let client = connect(server, accepting_2026()).await;
    let (_, _, arguments) = three_items(&fake);
    let state = sealed_state(&client, arguments.clone()).await;
    let refused = retry_with(&client, state, arguments).await;
    assert_eq!(refused.is_error, Some(true), "{refused:?}");
    let text = common::text(&refused);
    assert!(
        text.contains("Redis is unavailable") && text.contains("Try again"),
        "{text}"
    );
    assert_eq!(writes(&fake), Vec::<String>::new());
}
