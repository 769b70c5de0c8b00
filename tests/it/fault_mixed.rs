//! Many faults at once under concurrent calls: every call ends in an answer within its deadline,
//! only a call whose answer a fault destroyed ends in an error, the server keeps serving
//! afterwards, and no track is added twice.

use crate::common;

use common::realistic::{self, add_one_track, count};
use fake_spotify::{Kind, Knobs, Trigger};
use serde_json::json;

#[tokio::test]
async fn concurrent_calls_through_a_storm_of_faults_all_get_an_answer() {
    let (fake, client) = realistic::start(Knobs {
        latency_ms: 5,
        rate_limit: Trigger::Nth(2),
        retry_after_secs: 1,
        server_error: Trigger::Nth(4),
        connection_reset: Trigger::Nth(6),
        truncated_body: Trigger::Nth(8),
        malformed_json: Trigger::Nth(10),
        huge_body: Trigger::Nth(12),
        huge_body_bytes: 9 << 20,
        slow_body: Trigger::Nth(14),
        slow_body_chunk_bytes: 2048,
        slow_body_chunk_delay_ms: 10,
        ..Knobs::default()
    })
    .await;
    let albums = fake.ids(Kind::Album);
    let artists = fake.ids(Kind::Artist);
    let (playlist, uri, add) = add_one_track(&fake);
    let before = fake.playlist_uris(&playlist).unwrap();
    let mut calls = Vec::new();
    for i in 0..24 {
        let (name, args) = match i % 4 {
            0 => ("get_album", json!({ "id": albums[i] })),
            1 => ("get_artist", json!({ "id": artists[i] })),
            2 => (
                "search",
                json!({ "q": "velvet", "type": ["track", "album"], "limit": 10 }),
            ),
            _ => (
                "get_playlist_items",
                json!({ "playlist_id": playlist, "limit": 20 }),
            ),
        };
        calls.push(realistic::call(&client, name, args));
    }
    let adding = realistic::call(&client, "add_playlist_items", add);
    let (results, added) = futures::future::join(futures::future::join_all(calls), adding).await;
    let failed = results.iter().filter(|r| r.is_error == Some(true)).count();
    for result in results.iter().filter(|r| r.is_error == Some(true)) {
        assert!(
            !common::text(result).is_empty(),
            "an error says what went wrong"
        );
    }
    let faults = fake.requests().iter().filter(|r| r.fault.is_some()).count();
    assert!(faults >= 6, "the storm happened: {faults} faults");
    // A 429, a 5xx and a slow body are waited out or retried; a reset connection, a cut or
    // garbled body and an oversized one leave a read nothing to answer with. Each trigger
    // fires once, so at most one call per such fault may fail, and no other call.
    let destroyed = fake
        .requests()
        .iter()
        .filter(|r| r.method == "GET")
        .filter(|r| {
            matches!(
                r.fault,
                Some("connection_reset" | "truncated_body" | "malformed_json" | "huge_body")
            )
        })
        .count();
    let errors: Vec<String> = results
        .iter()
        .filter(|r| r.is_error == Some(true))
        .map(common::text)
        .collect();
    assert!(
        failed <= destroyed,
        "{failed} calls failed, {destroyed} answers were destroyed:\n{}",
        errors.join("\n")
    );
    assert!(
        failed * 2 < results.len(),
        "most calls succeed: {failed} of {} failed",
        results.len()
    );

    // A 429 or 5xx changed nothing (a 429 may be followed by one permitted retry); every other
    // POST the fake received was carried out, and there is at most one of those.
    let carried_out = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/items"))
        .filter(|r| !matches!(r.fault, Some("rate_limit" | "server_error")))
        .count();
    assert!(
        carried_out <= 1,
        "the add was carried out {carried_out} times"
    );
    let after = fake.playlist_uris(&playlist).unwrap();
    let copies = |list: &[String]| list.iter().filter(|u| **u == uri).count();
    assert_eq!(
        copies(&after),
        copies(&before) + carried_out,
        "added as often as carried out: {}",
        common::text(&added)
    );
    assert!(count(&fake, "POST", "/items") <= 2);

    let calm = realistic::call(&client, "get_album", json!({ "id": albums[0] })).await;
    assert_ne!(
        calm.is_error,
        Some(true),
        "still serving: {}",
        common::text(&calm)
    );
}
