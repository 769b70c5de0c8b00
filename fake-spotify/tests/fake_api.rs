//! The fake on its own, over HTTP: deterministic data in the spec's shapes, paging links that
//! lead through a playlist, the token grants and their expiry, and knobs set over HTTP.

use fake_spotify::{FakeSpotify, Kind, Knobs};
use serde_json::{Value, json};
use std::time::Duration;

/// An `application/x-www-form-urlencoded` body, as OAuth clients send to the token endpoint.
fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn get(fake: &FakeSpotify, token: &str, url: &str) -> (u16, Value) {
    let url = if url.starts_with("http") {
        url.to_string()
    } else {
        format!("{}{url}", fake.api_url())
    };
    let response = http()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_same_seed_gives_the_same_catalog_in_the_specs_shapes() {
    let one = FakeSpotify::start(Knobs::default()).await.unwrap();
    let two = FakeSpotify::start(Knobs::default()).await.unwrap();
    let other = FakeSpotify::start(Knobs {
        seed: 99,
        ..Knobs::default()
    })
    .await
    .unwrap();
    assert_eq!(one.ids(Kind::Album), two.ids(Kind::Album));
    assert_ne!(one.ids(Kind::Album), other.ids(Kind::Album));

    let token = one.issue_user_token().access_token;
    let id = &one.ids(Kind::Album)[3];
    let (status, album) = get(&one, &token, &format!("/albums/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(album["id"], json!(id));
    assert_eq!(album["available_markets"].as_array().unwrap().len(), 185);
    let sizes: Vec<_> = album["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["height"].clone())
        .collect();
    assert_eq!(sizes, [json!(640), json!(300), json!(64)]);
    let tracks = album["tracks"]["items"].as_array().unwrap();
    assert!((10..=20).contains(&tracks.len()));
    assert_eq!(album["tracks"]["total"], json!(tracks.len()));
    for key in ["href", "limit", "offset", "total"] {
        assert!(album["tracks"].get(key).is_some(), "paging has {key}");
    }
    let token_two = two.issue_user_token().access_token;
    let (_, again) = get(&two, &token_two, &format!("/albums/{id}")).await;
    assert_eq!(again["name"], album["name"]);
}

#[tokio::test]
async fn next_links_lead_through_a_playlist_of_a_hundred_items() {
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let token = fake.issue_user_token().access_token;
    let playlist = &fake.own_playlist_ids()[0];
    let mut url = format!("{}/playlists/{playlist}/items?limit=30", fake.api_url());
    let mut items = Vec::new();
    for _ in 0..10 {
        let (status, page) = get(&fake, &token, &url).await;
        assert_eq!(status, 200, "{page}");
        items.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["item"]["uri"].clone()),
        );
        match page["next"].as_str() {
            Some(next) => url = next.to_string(),
            None => break,
        }
    }
    let expected: Vec<Value> = fake
        .playlist_uris(playlist)
        .unwrap()
        .into_iter()
        .map(Value::from)
        .collect();
    assert_eq!(items.len(), 100);
    assert_eq!(items, expected);
}

#[tokio::test]
async fn tokens_are_granted_checked_and_expire() {
    let fake = FakeSpotify::start(Knobs {
        token_lifetime_secs: 2,
        ..Knobs::default()
    })
    .await
    .unwrap();
    let token_url = format!("{}/api/token", fake.url());
    let grant = |form: &'static [(&'static str, &'static str)]| {
        http()
            .post(&token_url)
            .basic_auth("client", Some("secret"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(self::form(form))
            .send()
    };
    let app: Value = grant(&[("grant_type", "client_credentials")])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let app_token = app["access_token"].as_str().unwrap();
    assert!(app.get("refresh_token").is_none());
    let album = &fake.ids(Kind::Album)[0];
    assert_eq!(
        get(&fake, app_token, &format!("/albums/{album}")).await.0,
        200
    );
    assert_eq!(
        get(&fake, app_token, "/me").await.0,
        403,
        "an app token has no user"
    );
    assert_eq!(get(&fake, "made-up", "/me").await.0, 401);

    let user = fake.issue_user_token();
    assert_eq!(get(&fake, &user.access_token, "/me").await.0, 200);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, body) = get(&fake, &user.access_token, "/me").await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (401, Some("The access token expired"))
    );

    let refresh = user.refresh_token.unwrap();
    let renewed: Value = http()
        .post(&token_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
            ("client_id", "client"),
        ]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        get(&fake, renewed["access_token"].as_str().unwrap(), "/me")
            .await
            .0,
        200
    );
    let refused = grant(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", "unknown"),
    ])
    .await
    .unwrap();
    assert_eq!(refused.status().as_u16(), 400);
    assert_eq!(
        refused.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );
}

#[tokio::test]
async fn knobs_set_over_http_take_effect_and_show_in_the_request_log() {
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let token = fake.issue_user_token().access_token;
    let knobs = format!("{}/__fake/knobs", fake.url());
    let set = http()
        .post(&knobs)
        .json(&json!({ "rate_limit": { "nth": 2 }, "retry_after_secs": 7 }))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status().as_u16(), 200);
    assert_eq!(fake.knobs().retry_after_secs, 7);
    let unknown = http()
        .post(&knobs)
        .json(&json!({ "no_such_knob": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 400);

    let album = &fake.ids(Kind::Album)[0];
    let url = format!("{}/albums/{album}", fake.api_url());
    assert_eq!(get(&fake, &token, &url).await.0, 200);
    let limited = http().get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(limited.status().as_u16(), 429);
    assert_eq!(limited.headers()["retry-after"], "7");
    assert_eq!(
        get(&fake, &token, &url).await.0,
        200,
        "only the 2nd request"
    );

    let log: Vec<Value> = http()
        .get(format!("{}/__fake/requests", fake.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let faults: Vec<_> = log
        .iter()
        .map(|r| (r["status"].clone(), r["fault"].clone()))
        .collect();
    assert_eq!(
        faults,
        [
            (json!(200), Value::Null),
            (json!(429), json!("rate_limit")),
            (json!(200), Value::Null)
        ]
    );
    assert_eq!(fake.requests().len(), 3);
}
