//! Issue 14, finding 7: an invalid argument is quoted short. A `fields` of about a megabyte once
//! came back whole in the answer and in the INFO log on every call; now the answer and the log
//! line quote its start and its size. The log is captured by a global subscriber.

use crate::common;

use common::log_capture::Buffer;
use serde_json::json;

#[tokio::test]
async fn a_huge_invalid_argument_is_quoted_short_in_the_answer_and_the_log() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();
    let (fake, client) = common::setup().await;
    let huge = "f".repeat(900_000);

    for (tool, arguments) in [
        (
            "get_album",
            json!({ "id": "4aawyAB9vmqN3uQ7FjRGTy", "fields": huge }),
        ),
        ("get_album", json!({ "id": huge })),
        (
            "search",
            json!({ "q": "abba", "type": ["album"], "limit": huge }),
        ),
    ] {
        let result = common::call(&client, tool, arguments).await.unwrap();
        assert_eq!(result.is_error, Some(true));
        let answer = serde_json::to_string(&result).unwrap();
        assert!(
            answer.len() < 2_000,
            "the answer is {} bytes: {}",
            answer.len(),
            &answer[..300]
        );
        let text = common::text(&result);
        assert!(text.contains("fffff") && text.contains(" bytes)"), "{text}");
    }
    assert!(fake.requests().is_empty());
    let log = buffer.0.lock().unwrap().clone();
    let log = String::from_utf8_lossy(&log);
    // The subscriber is global: other tests in this binary log too. This test's lines are the
    // ones quoting its run of `f`s; none may carry more than a short quote of it.
    let ours: Vec<&str> = log.lines().filter(|line| line.contains("fffff")).collect();
    assert_eq!(
        ours.iter()
            .filter(|line| line.contains("tool call failed"))
            .count(),
        3,
        "{log}"
    );
    let longest = ours.iter().map(|line| line.len()).max().unwrap_or(0);
    assert!(
        longest < 2_000,
        "a failure logged a line of {longest} bytes"
    );
    assert!(
        !log.contains(&"f".repeat(1_000)),
        "the log quotes the huge argument at length"
    );
}
