//! `all_pages` as a task (the MCP tasks extension, SEP-2663), through real rmcp clients that
//! declare the extension, against the realistic fake over real HTTP with a library of ~1,800
//! saved tracks: the call returns a task whose status message follows the pages and which ends
//! with the synchronous call's answer; `tasks/cancel` stops the paging (the fake's request log
//! stops growing); clients without the extension get the answer at once; unknown ids are
//! -32602; a user runs at most four at once; and in multi-user mode one user's task is, to
//! another, a task that does not exist.

use crate::common;
use crate::common::multi_user_server::{MultiUserServer, Options};

use ::fake_spotify::{FakeSpotify, Knobs};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CancelTaskParams, ClientCapabilities, ClientConfig,
    CreateTaskResult, ErrorCode, GetTaskParams, GetTaskResult, InputResponses, ProtocolVersion,
    TaskPayload, TaskStatus, UpdateTaskParams,
};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ClientHandler, ErrorData, RoleClient, ServiceError, ServiceExt};
use serde_json::{Map, Value, json};
use spotify_mcp::mcp::selection::Selection;
use spotify_mcp::mcp::tasks::{MAX_RUNNING_PER_USER, POLL_INTERVAL_MS, TASK_TTL_MS};
use spotify_mcp::mcp::{Catalog, CatalogOptions, SpotifyServer, all_tools};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Longest a call, a poll loop or a connection may take before the test fails.
pub(crate) const DEADLINE: Duration = Duration::from_secs(60);
/// Between two `tasks/get` of a poll loop (tighter than the server's suggestion, to see pages).
const POLL_EVERY: Duration = Duration::from_millis(20);
/// `limit` is the tool's maximum, 50: this many items are 20 pages.
const ALL_PAGES: &str = "get_saved_tracks";

/// An MCP client that declares the tasks extension (or not), on one protocol revision.
#[derive(Clone)]
pub(crate) struct TaskClient {
    tasks: bool,
    version: ProtocolVersion,
}

impl ClientHandler for TaskClient {
    fn get_info(&self) -> ClientConfig {
        let mut info = ClientConfig::default();
        info.protocol_version = self.version.clone();
        if self.tasks {
            info.capabilities = ClientCapabilities::builder().enable_tasks().build();
        }
        info
    }
}

pub(crate) type Client = RunningService<RoleClient, TaskClient>;

/// A fake whose default user has ~1,800 saved tracks, each request delayed by `latency_ms`.
pub(crate) async fn big_library(latency_ms: u64) -> FakeSpotify {
    let fake = FakeSpotify::start(Knobs {
        latency_ms,
        ..Knobs::default()
    })
    .await
    .expect("fake starts");
    let saved = fake.save_many_tracks(&fake.default_user(), usize::MAX);
    assert!(saved > 1_500, "the library holds thousands: {saved}");
    fake
}

/// The server (single user) acting for the fake's default user.
pub(crate) fn server(fake: &FakeSpotify) -> SpotifyServer {
    let token = fake.issue_user_token().access_token;
    let api = spotify_mcp::build_api(&common::realistic::args(fake, Some(&token)))
        .expect("client builds");
    let options = CatalogOptions {
        selection: Selection {
            include_deprecated: true,
            ..Selection::default()
        },
        ..CatalogOptions::default()
    };
    SpotifyServer::new(api, Arc::new(Catalog::new(all_tools(), &options)))
}

/// Connects a client to `server` over an in-memory pipe.
pub(crate) async fn connect(server: SpotifyServer, client: TaskClient) -> Client {
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let lifecycle = match client.version.has_initialize() {
        true => ClientLifecycleMode::Initialize,
        false => ClientLifecycleMode::Discover {
            preferred_versions: vec![client.version.clone()],
        },
    };
    tokio::time::timeout(DEADLINE, client.serve_with_lifecycle(client_io, lifecycle))
        .await
        .expect("connects in time")
        .expect("connects")
}

pub(crate) fn stateless(tasks: bool) -> TaskClient {
    TaskClient {
        tasks,
        version: ProtocolVersion::V_2026_07_28,
    }
}

pub(crate) async fn call(client: &Client, arguments: Value) -> CallToolResponse {
    let arguments: Map<String, Value> = arguments.as_object().cloned().unwrap_or_default();
    let request = CallToolRequestParams::new(ALL_PAGES).with_arguments(arguments);
    tokio::time::timeout(DEADLINE, client.call_tool_once(request))
        .await
        .expect("answers in time")
        .expect("tools/call succeeds")
}

pub(crate) async fn start_task(client: &Client, max_items: u64) -> CreateTaskResult {
    match call(client, json!({ "all_pages": true, "max_items": max_items })).await {
        CallToolResponse::Task(created) => created,
        other => panic!("expected a task, got {other:?}"),
    }
}

pub(crate) async fn get(client: &Client, id: &str) -> Result<GetTaskResult, ServiceError> {
    tokio::time::timeout(DEADLINE, client.get_task(GetTaskParams::new(id)))
        .await
        .expect("tasks/get answers in time")
}

/// Polls until the task is terminal; returns the status messages seen while it worked, in
/// order without repeats, and the last state.
pub(crate) async fn until_done(client: &Client, id: &str) -> (Vec<String>, GetTaskResult) {
    let started = Instant::now();
    let mut messages: Vec<String> = Vec::new();
    while started.elapsed() < DEADLINE {
        let state = get(client, id).await.expect("tasks/get of an own task");
        if state.task.status().is_terminal() {
            return (messages, state);
        }
        if let Some(message) = state.task.task.status_message.clone()
            && messages.last() != Some(&message)
        {
            messages.push(message);
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
    panic!("task {id} did not finish within {DEADLINE:?}; saw {messages:?}");
}

/// Polls until the task has read at least one page (its status message says so).
pub(crate) async fn until_paging(client: &Client, id: &str) {
    let started = Instant::now();
    while started.elapsed() < DEADLINE {
        let state = get(client, id).await.expect("tasks/get of an own task");
        assert_eq!(state.task.status(), TaskStatus::Working, "still paging");
        let message = state.task.task.status_message.unwrap_or_default();
        if message.starts_with("read ") {
            return;
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
    panic!("task {id} read no page within {DEADLINE:?}");
}

pub(crate) fn completed(state: &GetTaskResult) -> Value {
    match &state.task.payload {
        TaskPayload::Completed { result } => Value::Object(result.clone()),
        other => panic!("expected completed, got {other:?}"),
    }
}

pub(crate) fn mcp_error(result: Result<impl std::fmt::Debug, ServiceError>) -> ErrorData {
    match result {
        Err(ServiceError::McpError(error)) => error,
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
}

pub(crate) fn page_requests(fake: &FakeSpotify) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.path == "/v1/me/tracks")
        .count()
}

#[tokio::test]
async fn a_paged_call_becomes_a_task_that_ends_with_the_synchronous_answer() {
    let fake = big_library(10).await;
    let client = connect(server(&fake), stateless(true)).await;
    let created = start_task(&client, 1000).await;
    assert_eq!(created.task.status, TaskStatus::Working);
    assert_eq!(created.task.ttl_ms, Some(TASK_TTL_MS));
    assert_eq!(created.task.poll_interval_ms, Some(POLL_INTERVAL_MS));

    let (messages, state) = until_done(&client, &created.task.task_id).await;
    let paging: Vec<_> = messages.iter().filter(|m| m.starts_with("read ")).collect();
    assert!(
        paging.len() >= 2,
        "the status follows the pages: {messages:?}"
    );
    assert!(
        paging.iter().all(|m| m.ends_with("of 1,000 items")),
        "{messages:?}"
    );
    let result = completed(&state);
    assert_ne!(result["isError"], json!(true), "{result}");
    // 1,000 items are 20 pages of 50 (the answer then keeps what fits its size cap).
    assert_eq!(page_requests(&fake), 20);
    assert!(
        !result["structuredContent"]["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // The same call from a client without the extension: the same answer, at once.
    let plain = connect(server(&fake), stateless(false)).await;
    let CallToolResponse::Complete(synchronous) =
        call(&plain, json!({ "all_pages": true, "max_items": 1000 })).await
    else {
        panic!("a client without tasks gets the answer itself");
    };
    assert_eq!(
        result["structuredContent"],
        synchronous.structured_content.unwrap()
    );

    // Cancelling a finished task is acknowledged and changes nothing.
    let id = created.task.task_id;
    client
        .cancel_task(CancelTaskParams::new(id.clone()))
        .await
        .expect("tasks/cancel of a finished task is acknowledged");
    let after = get(&client, &id).await.unwrap();
    assert_eq!(after.task.status(), TaskStatus::Completed);
}

#[tokio::test]
async fn a_session_that_declared_tasks_at_initialize_gets_a_task_too() {
    let fake = big_library(0).await;
    let client = TaskClient {
        tasks: true,
        version: ProtocolVersion::V_2025_11_25,
    };
    let client = connect(server(&fake), client).await;
    let id = start_task(&client, 120).await.task.task_id;
    let (_, state) = until_done(&client, &id).await;
    let result = completed(&state);
    let items = result["structuredContent"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 120);
}

#[tokio::test]
async fn cancel_stops_the_paging_between_pages() {
    let fake = big_library(150).await;
    let client = connect(server(&fake), stateless(true)).await;
    let id = start_task(&client, 1000).await.task.task_id;
    until_paging(&client, &id).await;
    client
        .cancel_task(CancelTaskParams::new(id.clone()))
        .await
        .expect("tasks/cancel is acknowledged");
    let (_, state) = until_done(&client, &id).await;
    assert_eq!(state.task.status(), TaskStatus::Cancelled);

    // Settled means the paging returned: no page is asked for after it.
    let pages = page_requests(&fake);
    assert!(pages < 20, "stopped before the 20th page: {pages}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(page_requests(&fake), pages, "no request after the cancel");
}

#[tokio::test]
async fn clients_without_tasks_and_calls_that_do_not_page_answer_at_once() {
    let fake = big_library(0).await;
    for version in [ProtocolVersion::V_2025_11_25, ProtocolVersion::V_2026_07_28] {
        let plain = connect(
            server(&fake),
            TaskClient {
                tasks: false,
                version,
            },
        )
        .await;
        let answer = call(&plain, json!({ "all_pages": true, "max_items": 120 })).await;
        let CallToolResponse::Complete(result) = answer else {
            panic!("expected the answer itself, got {answer:?}");
        };
        let items = &result.structured_content.unwrap()["items"];
        assert_eq!(items.as_array().unwrap().len(), 120);
        // tasks/* from a client that did not declare the extension: -32021.
        let refused = mcp_error(plain.get_task(GetTaskParams::new("any")).await);
        assert_eq!(refused.code.0, -32021, "{refused:?}");
    }
    let client = connect(server(&fake), stateless(true)).await;
    let answer = call(&client, json!({ "limit": 5 })).await;
    assert!(
        matches!(answer, CallToolResponse::Complete(_)),
        "one page is not a task: {answer:?}"
    );
}

#[tokio::test]
async fn unknown_tasks_are_invalid_params() {
    let fake = big_library(0).await;
    let client = connect(server(&fake), stateless(true)).await;
    let id = "no-such-task";
    let errors = [
        mcp_error(get(&client, id).await),
        mcp_error(client.cancel_task(CancelTaskParams::new(id)).await),
        mcp_error(
            client
                .update_task(UpdateTaskParams::new(id, InputResponses::new()))
                .await,
        ),
    ];
    for error in errors {
        assert_eq!(error.code, ErrorCode::INVALID_PARAMS, "{error:?}");
        assert!(error.message.contains("unknown task"), "{error:?}");
    }
}

#[tokio::test]
async fn a_user_runs_at_most_four_tasks_and_the_next_call_answers_at_once() {
    let fake = big_library(200).await;
    let client = connect(server(&fake), stateless(true)).await;
    let mut running = Vec::new();
    for _ in 0..MAX_RUNNING_PER_USER {
        running.push(start_task(&client, 1000).await.task.task_id);
    }
    let answer = call(&client, json!({ "all_pages": true, "max_items": 50 })).await;
    assert!(
        matches!(answer, CallToolResponse::Complete(_)),
        "beyond the bound the call answers synchronously: {answer:?}"
    );
    for id in &running {
        client
            .cancel_task(CancelTaskParams::new(id.clone()))
            .await
            .unwrap();
    }
    for id in &running {
        let (_, state) = until_done(&client, id).await;
        assert_eq!(state.task.status(), TaskStatus::Cancelled);
    }
    // Places free again once they stopped.
    start_task(&client, 50).await;
}

/// A client of the multi-user server that declares tasks, with `token` as its bearer.
pub(crate) async fn http_client(server: &MultiUserServer, token: &str) -> Client {
    let config = StreamableHttpClientTransportConfig::with_uri(server.mcp_url()).auth_header(token);
    let transport = StreamableHttpClientTransport::from_config(config);
    let client = TaskClient {
        tasks: true,
        version: ProtocolVersion::default(),
    };
    tokio::time::timeout(DEADLINE, client.serve(transport))
        .await
        .expect("connects in time")
        .expect("connects")
}

#[tokio::test]
async fn another_users_task_is_to_them_a_task_that_does_not_exist() {
    let fake = FakeSpotify::start(Knobs {
        latency_ms: 100,
        ..Knobs::default()
    })
    .await
    .expect("fake starts");
    let server = MultiUserServer::start(&fake, Options::default()).await;
    let ada = server.add_user(&fake, "Ada").await;
    let bob = server.add_user(&fake, "Bob").await;
    fake.save_many_tracks(&ada.fake, usize::MAX);
    let ada_client = http_client(&server, &ada.token).await;
    let bob_client = http_client(&server, &bob.token).await;

    let id = start_task(&ada_client, 1000).await.task.task_id;
    let made_up = "00000000-0000-4000-8000-000000000000";
    let unknown = mcp_error(get(&bob_client, made_up).await);
    let as_unknown = |error: ErrorData| {
        assert_eq!(error.code, unknown.code);
        assert_eq!(error.message, unknown.message.replace(made_up, &id));
        assert_eq!(error.data, unknown.data);
    };
    as_unknown(mcp_error(get(&bob_client, &id).await));
    as_unknown(mcp_error(
        bob_client
            .cancel_task(CancelTaskParams::new(id.clone()))
            .await,
    ));
    as_unknown(mcp_error(
        bob_client
            .update_task(UpdateTaskParams::new(id.clone(), InputResponses::new()))
            .await,
    ));

    // Bob's cancel did nothing: Ada's task reads every page.
    let (_, state) = until_done(&ada_client, &id).await;
    let result = completed(&state);
    assert_ne!(result["isError"], json!(true), "{result}");
    assert_eq!(page_requests(&fake), 20, "every page was read");
    server.stop().await;
}
