//! Several users on one fake: each token sees its own user's profile, library, player and
//! playlists and never another's; the request log names the user; Development Mode's user
//! limit; per-user knobs; the admin endpoints for users.

mod common;

use common::{call, get, http};
use fake_spotify::{FakeSpotify, Kind, Knobs, Product, USER_ID};
use reqwest::Method;
use serde_json::{Value, json};

fn ids_of(page: &Value, key: &str) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("a page of items")
        .iter()
        .map(|item| item[key]["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn two_users_see_their_own_profile_library_and_player_and_never_each_others() {
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let ada = fake.add_user("Ada Lovelace");
    let bob = fake.add_user("Bob");
    assert_eq!((ada.id.as_str(), bob.id.as_str()), ("adalovelace", "bob"));
    let (a, b) = (
        fake.issue_token(&ada).access_token,
        fake.issue_token(&bob).access_token,
    );

    let (_, me_a) = get(&fake, &a, "/me").await;
    let (_, me_b) = get(&fake, &b, "/me").await;
    assert_eq!(
        (&me_a["id"], &me_a["display_name"], &me_a["account_id"]),
        (
            &json!(ada.id),
            &json!("Ada Lovelace"),
            &json!(ada.account_id)
        )
    );
    assert_eq!(me_b["id"], json!(bob.id));
    assert_ne!(me_a["account_id"], me_b["account_id"]);
    assert_ne!(
        me_a["account_id"], me_a["id"],
        "account_id is not the user id"
    );
    let (_, me_default) = get(&fake, &fake.issue_user_token().access_token, "/me").await;
    assert_eq!(
        me_default["id"],
        json!(USER_ID),
        "the default user is unchanged"
    );

    // Each library is seeded apart, and the API answers from the token's own.
    let (_, tracks_a) = get(&fake, &a, "/me/tracks?limit=50").await;
    let (_, tracks_b) = get(&fake, &b, "/me/tracks?limit=50").await;
    assert_eq!(
        ids_of(&tracks_a, "track"),
        fake.saved_ids(&ada, "track")[..50]
    );
    assert_eq!(
        ids_of(&tracks_b, "track"),
        fake.saved_ids(&bob, "track")[..50]
    );
    assert_ne!(ids_of(&tracks_a, "track"), ids_of(&tracks_b, "track"));

    // A save by Ada shows in her library only.
    let saved: Vec<String> = [&ada, &bob]
        .iter()
        .flat_map(|u| fake.saved_ids(u, "track"))
        .collect();
    let fresh = fake
        .ids(Kind::Track)
        .into_iter()
        .find(|id| !saved.contains(id))
        .unwrap();
    let uri = format!("uris=spotify:track:{fresh}");
    let (status, _) = call(&fake, Method::PUT, &a, &format!("/me/library?{uri}")).await;
    assert_eq!(status, 200);
    let contains = format!("/me/library/contains?{uri}");
    assert_eq!(get(&fake, &a, &contains).await.1, json!([true]));
    assert_eq!(get(&fake, &b, &contains).await.1, json!([false]));
    assert_eq!(fake.saved_ids(&ada, "track")[0], fresh);
    assert!(!fake.saved_ids(&bob, "track").contains(&fresh));

    // Ada pauses and turns her volume down; Bob's player plays on at its own volume.
    let (status, _) = call(&fake, Method::PUT, &a, "/me/player/pause").await;
    assert_eq!(status, 204);
    let (status, _) = call(&fake, Method::PUT, &a, "/me/player/volume?volume_percent=5").await;
    assert_eq!(status, 204);
    let (_, player_a) = get(&fake, &a, "/me/player").await;
    let (_, player_b) = get(&fake, &b, "/me/player").await;
    assert_eq!(
        (
            &player_a["is_playing"],
            &player_a["device"]["volume_percent"]
        ),
        (&json!(false), &json!(5))
    );
    assert_eq!(
        (
            &player_b["is_playing"],
            &player_b["device"]["volume_percent"]
        ),
        (&json!(true), &json!(60))
    );
    assert_eq!(player_b["device"]["name"], json!("Bob's laptop"));
    let (_, devices_a) = get(&fake, &a, "/me/player/devices").await;
    let device_b = player_b["device"]["id"].as_str().unwrap();
    let transfer = http()
        .put(format!("{}/me/player", fake.api_url()))
        .bearer_auth(&a)
        .json(&json!({ "device_ids": [device_b] }))
        .send()
        .await
        .unwrap();
    assert_eq!(transfer.status().as_u16(), 404, "Bob's device is not Ada's");
    assert!(
        devices_a["devices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["id"] != json!(device_b))
    );
}

#[tokio::test]
async fn playlists_belong_to_their_owner() {
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let ada = fake.add_user("Ada");
    let bob = fake.add_user("Bob");
    let (a, b) = (
        fake.issue_token(&ada).access_token,
        fake.issue_token(&bob).access_token,
    );
    let created = http()
        .post(format!("{}/me/playlists", fake.api_url()))
        .bearer_auth(&a)
        .json(&json!({ "name": "Ada's secret mix", "public": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let created: Value = created.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["owner"]["id"], json!(ada.id));
    assert!(fake.playlist_ids_of(&ada).contains(&id));
    assert!(!fake.playlist_ids_of(&bob).contains(&id));

    let listed = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, mine) = get(&fake, &a, "/me/playlists?limit=50").await;
    let (_, theirs) = get(&fake, &b, "/me/playlists?limit=50").await;
    assert!(listed(&mine).contains(&id));
    assert!(!listed(&theirs).contains(&id));
    let (_, bobs_view) = get(&fake, &b, &format!("/users/{}/playlists?limit=50", ada.id)).await;
    assert!(!listed(&bobs_view).contains(&id), "private to Ada");
    let (_, search) = get(&fake, &b, "/search?q=secret&type=playlist&limit=50").await;
    assert!(!listed(&search["playlists"]).contains(&id));
    let (_, search) = get(&fake, &a, "/search?q=secret&type=playlist&limit=50").await;
    assert!(listed(&search["playlists"]).contains(&id));

    let add = |token: &str| {
        http()
            .post(format!("{}/playlists/{id}/items", fake.api_url()))
            .bearer_auth(token)
            .json(&json!({ "uris": [format!("spotify:track:{}", fake.ids(Kind::Track)[0])] }))
            .send()
    };
    assert_eq!(add(&b).await.unwrap().status().as_u16(), 403, "not Bob's");
    assert_eq!(add(&a).await.unwrap().status().as_u16(), 201);
    let follows = format!(
        "/playlists/{id}/followers/contains?ids={},{}",
        ada.id, bob.id
    );
    assert_eq!(get(&fake, &b, &follows).await.1, json!([true, false]));
}

#[tokio::test]
async fn the_request_log_names_the_user_of_each_request() {
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let ada = fake.add_user("Ada");
    let bob = fake.add_user("Bob");
    let (a, b) = (
        fake.issue_token(&ada).access_token,
        fake.issue_token(&bob).access_token,
    );
    get(&fake, &a, "/me").await;
    get(&fake, &b, "/me/player").await;
    get(&fake, "made-up", "/me").await;
    let users: Vec<_> = fake
        .requests()
        .into_iter()
        .map(|r| (r.path, r.user))
        .collect();
    assert_eq!(
        users,
        [
            ("/v1/me".to_string(), Some(ada.id)),
            ("/v1/me/player".to_string(), Some(bob.id)),
            ("/v1/me".to_string(), None),
        ]
    );
}

#[tokio::test]
async fn development_mode_refuses_a_sixth_user_of_one_app() {
    let fake = FakeSpotify::start(Knobs {
        development_mode_user_limit: Some(5),
        ..Knobs::default()
    })
    .await
    .unwrap();
    let users: Vec<_> = (1..=6)
        .map(|n| fake.add_user(&format!("Listener {n}")))
        .collect();
    let tokens: Vec<String> = users
        .iter()
        .map(|u| fake.issue_token_for_client(u, "dev-app").access_token)
        .collect();
    for token in &tokens[..5] {
        assert_eq!(get(&fake, token, "/me").await.0, 200);
    }
    let (status, body) = get(&fake, &tokens[5], "/me").await;
    assert_eq!(status, 403);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("the user may not be registered"),
        "{body}"
    );
    let album = &fake.ids(Kind::Album)[0];
    assert_eq!(
        get(&fake, &tokens[5], &format!("/albums/{album}")).await.0,
        403
    );
    let other_app = fake
        .issue_token_for_client(&users[5], "another-app")
        .access_token;
    assert_eq!(
        get(&fake, &other_app, "/me").await.0,
        200,
        "the limit is per app"
    );
    fake.update(|k| k.development_mode_user_limit = None);
    assert_eq!(
        get(&fake, &tokens[5], "/me").await.0,
        200,
        "off by the knob"
    );
}

#[tokio::test]
async fn users_have_knobs_of_their_own() {
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let ada = fake.add_user("Ada");
    let bob = fake.add_user("Bob");
    let (a, b) = (
        fake.issue_token(&ada).access_token,
        fake.issue_token(&bob).access_token,
    );
    assert!(fake.update_user(&bob, |k| {
        k.product = Product::Free;
        k.omit_account_id = true;
    }));
    let (status, body) = call(&fake, Method::PUT, &b, "/me/player/pause").await;
    assert_eq!(
        (status, &body["error"]["reason"]),
        (403, &json!("PREMIUM_REQUIRED"))
    );
    assert_eq!(
        call(&fake, Method::PUT, &a, "/me/player/pause").await.0,
        204
    );
    let (_, me_b) = get(&fake, &b, "/me").await;
    assert_eq!(me_b["product"], json!("free"));
    assert!(me_b.get("account_id").is_none(), "{me_b}");
    assert!(get(&fake, &a, "/me").await.1.get("account_id").is_some());

    fake.update_user(&ada, |k| k.no_active_device = true);
    assert_eq!(get(&fake, &a, "/me/player").await.0, 204);
    assert_eq!(get(&fake, &b, "/me/player").await.0, 200);
}

#[tokio::test]
async fn users_and_their_tokens_over_the_admin_endpoints() {
    let fake = FakeSpotify::start(Knobs::default()).await.unwrap();
    let admin = |path: &str| format!("{}/__fake/{path}", fake.url());
    let added = http()
        .post(admin("users"))
        .json(&json!({ "name": "Grace" }))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status().as_u16(), 201);
    let grace: Value = added.json().await.unwrap();
    assert_eq!(grace["id"], json!("grace"));
    let listed: Value = http()
        .get(admin("users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["id"], json!(USER_ID));
    assert_eq!(listed[1], grace);

    let issued: Value = http()
        .post(admin("tokens"))
        .json(&json!({ "user": "grace" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(issued["user"], json!("grace"));
    let token = issued["access_token"].as_str().unwrap();
    assert_eq!(get(&fake, token, "/me").await.1["id"], json!("grace"));
    let unknown = http()
        .post(admin("tokens"))
        .json(&json!({ "user": "nobody" }))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 400);
    let default: Value = http()
        .post(admin("tokens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        default["user"],
        json!(USER_ID),
        "no body: the default user, as before"
    );
}
