//! MCP Apps views (issue 19): `resources/list` lists them with the MCP Apps MIME type and CSP,
//! four tools link to them, and in headless Chromium each view, embedded by a small host page
//! in a sandboxed iframe, renders a result recorded from a real call against the fake, calls
//! the player tools through the host (by mouse and keyboard), shows hostile names as text, and
//! becomes a static card when the host refuses a call. Screenshots per view and theme go to
//! `target/tmp/apps-views/` (not committed).

use crate::common::apps_host::{AppsHost, Scenario};
use crate::common::{Client, chromedriver, realistic};
use ::fake_spotify::{FakeSpotify, Kind, Knobs};
use base64::Engine;
use fantoccini::{Client as Browser, Locator};
use rmcp::model::{ReadResourceRequestParams, ResourceContents};
use serde_json::{Value, json};
use spotify_mcp::mcp::apps;
use std::sync::Arc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);
const HOSTILE_NAME: &str = "<img src=x onerror=alert(1)>";

#[tokio::test]
async fn resources_list_the_views_and_four_tools_link_to_them() {
    let (_fake, client) = realistic::start(Knobs::default()).await;
    let capabilities = &client
        .peer_info()
        .expect("the server introduced itself")
        .capabilities;
    let extension = capabilities
        .extensions
        .as_ref()
        .and_then(|e| e.get(apps::EXTENSION_ID))
        .expect("the server declares MCP Apps");
    assert_eq!(extension["mimeTypes"], json!(["text/html;profile=mcp-app"]));
    let resources = client.list_all_resources().await.unwrap();
    let views: Vec<_> = resources
        .iter()
        .filter(|r| r.uri.starts_with("ui://"))
        .collect();
    assert_eq!(views.len(), 4, "{resources:?}");
    for view in &views {
        assert_eq!(view.mime_type.as_deref(), Some("text/html;profile=mcp-app"));
        let meta = serde_json::to_value(&view.meta).unwrap();
        assert_eq!(
            meta["ui"]["csp"]["resourceDomains"],
            json!(apps::IMAGE_ORIGINS),
            "{}",
            view.uri
        );
        let (html, domains) = read_view(&client, &view.uri).await;
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert_eq!(domains, apps::IMAGE_ORIGINS);
        println!("{}: {} bytes", view.uri, html.len());
    }
    let tools = client.list_all_tools().await.unwrap();
    let mut linked = Vec::new();
    for tool in &tools {
        if let Some(uri) = tool
            .meta
            .as_ref()
            .and_then(|m| m.0.get("ui"))
            .and_then(|ui| ui["resourceUri"].as_str())
        {
            assert!(
                views.iter().any(|v| v.uri == uri),
                "{} links to {uri}",
                tool.name
            );
            linked.push(tool.name.to_string());
        }
    }
    linked.sort();
    assert_eq!(
        linked,
        [
            "get_album",
            "get_playback_state",
            "get_playlist",
            "get_playlist_items",
            "search"
        ]
    );
    // What the links would cost a client that did send `_meta` to its model (none we know of).
    let links: String = tools
        .iter()
        .filter_map(|t| t.meta.as_ref())
        .map(|m| format!(r#","_meta":{}"#, serde_json::to_string(m).unwrap()))
        .collect();
    let tokens = spotify_mcp::mcp::listing::TokenCounter::cl100k().count(&links);
    println!(
        "the view links add {} bytes, {tokens} cl100k tokens to tools/list; the catalog budget counts none of it",
        links.len()
    );
}

/// A view's page and the image origins its CSP allows, read over MCP.
async fn read_view(client: &Client, uri: &str) -> (String, Vec<String>) {
    let read = client
        .read_resource(ReadResourceRequestParams::new(uri))
        .await
        .unwrap();
    let Some(ResourceContents::TextResourceContents {
        text,
        mime_type,
        meta,
        ..
    }) = read.contents.into_iter().next()
    else {
        panic!("{uri} has no text contents");
    };
    assert_eq!(mime_type.as_deref(), Some("text/html;profile=mcp-app"));
    let meta = serde_json::to_value(meta).unwrap();
    let domains = meta["ui"]["csp"]["resourceDomains"]
        .as_array()
        .expect("the contents carry the CSP")
        .iter()
        .map(|d| d.as_str().unwrap().to_string())
        .collect();
    (text, domains)
}

/// A cover the test browser can show without leaving 127.0.0.1 (the CSP allows `data:`).
fn test_cover(seed: usize) -> String {
    let hue = (seed * 67) % 360;
    let svg = format!(
        "<svg xmlns='http://www.w3.org/2000/svg' width='300' height='300'><defs>\
         <linearGradient id='g' x1='0' y1='0' x2='1' y2='1'><stop offset='0' stop-color='hsl({hue},70%,55%)'/>\
         <stop offset='1' stop-color='hsl({},70%,30%)'/></linearGradient></defs>\
         <rect width='300' height='300' fill='url(#g)'/><circle cx='150' cy='150' r='70' fill='none' \
         stroke='white' stroke-opacity='.5' stroke-width='14'/></svg>",
        (hue + 140) % 360
    );
    format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    )
}

/// Every image URL in `value` becomes a local data: cover.
fn covers_as_data(value: &mut Value, seed: &mut usize) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key == "images" {
                    for image in child.as_array_mut().into_iter().flatten() {
                        *seed += 1;
                        image["url"] = json!(test_cover(*seed));
                    }
                } else {
                    covers_as_data(child, seed);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| covers_as_data(i, seed)),
        _ => {}
    }
}

/// The view for `tool`, with the result of a real call of it (covers made local).
async fn scenario(client: &Client, tool: &str, input: Value) -> Scenario {
    let uri = apps::view_of_tool(tool).expect("the tool has a view");
    let (html, resource_domains) = read_view(client, uri).await;
    let result = realistic::call(client, tool, input.clone()).await;
    assert_ne!(result.is_error, Some(true), "{tool}: {result:?}");
    let mut tool_result = serde_json::to_value(result).unwrap();
    covers_as_data(&mut tool_result, &mut 0);
    Scenario {
        html,
        resource_domains,
        tool_input: input,
        tool_result,
    }
}

/// Loads the host page and enters the view's frame once the view shows `title`.
async fn open(page: &Browser, host: &AppsHost, theme: &str, refuse: bool, title: &str) {
    page.goto(&host.page(theme, refuse)).await.unwrap();
    let frame = page
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Id("view"))
        .await
        .unwrap();
    frame.enter_frame().await.unwrap();
    let heading = page
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("h1#title"))
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    // The title changes once the host's result arrives: polled, bounded.
    while heading.text().await.unwrap() != title {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the view shows `{title}` within {WAIT:?} (it shows `{}`)",
            heading.text().await.unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Saves the view (the iframe, as the host shows it) under target/tmp/apps-views/.
async fn screenshot(page: &Browser, name: &str) {
    page.enter_parent_frame().await.unwrap();
    let png = page
        .find(Locator::Id("view"))
        .await
        .unwrap()
        .screenshot()
        .await
        .unwrap();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("apps-views");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    page.enter_frame(0).await.unwrap();
}

async fn click(page: &Browser, css: &str) {
    // A re-render can replace the element between finding and clicking it: bounded retries.
    for _ in 0..20 {
        let element = page
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await;
        match element.unwrap().click().await {
            Ok(()) => return,
            Err(e) if e.to_string().contains("stale") => continue,
            Err(e) => panic!("clicking {css}: {e}"),
        }
    }
    panic!("{css} kept going stale");
}

fn title_of(scenario: &Scenario, pointer: &str) -> String {
    scenario.tool_result["structuredContent"]
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{pointer} in {}", scenario.tool_result))
        .to_string()
}

struct Setup {
    fake: FakeSpotify,
    client: Arc<Client>,
}

#[tokio::test]
async fn views_in_a_real_browser() {
    let Some(browser) = chromedriver::start_or_skip().await else {
        return;
    };
    let (fake, client) = realistic::start(Knobs::default()).await;
    let setup = Setup {
        fake,
        client: Arc::new(client),
    };
    let page = &browser.client;
    page.set_window_size(520, 900).await.unwrap();

    let playing = scenario(&setup.client, "get_playback_state", json!({})).await;
    let title = title_of(&playing, "/item/name");
    let mut host = AppsHost::start(setup.client.clone(), playing).await;
    for theme in ["light", "dark"] {
        open(page, &host, theme, false, &title).await;
        screenshot(page, &format!("now-playing-{theme}")).await;
    }
    now_playing_controls(page, &mut host, &setup).await;
    refused_call_leaves_a_static_card(page, &mut host, &title).await;
    hostile_names_are_text(page, &mut host, &setup).await;
    album_plays_and_queues(page, &mut host, &setup).await;
    playlist_plays_from_here_and_removes(page, &mut host, &setup).await;
    search_lists_results(page, &mut host, &setup).await;
}

/// Pause by mouse, next by keyboard: each reaches the player tools, through the host, at the fake.
async fn now_playing_controls(page: &Browser, host: &mut AppsHost, setup: &Setup) {
    click(page, "button[aria-label^='Open ']").await;
    let link = host.next_call().await;
    assert!(
        link["openLink"]
            .as_str()
            .unwrap()
            .starts_with("https://open.spotify.com/track/"),
        "{link}"
    );
    let pause = page
        .find(Locator::Css("button[aria-label='Pause']"))
        .await
        .unwrap();
    pause.click().await.unwrap();
    let call = host.next_call().await;
    assert_eq!(call["name"], "pause_playback", "{call}");
    // The server answered, so the button now offers to play.
    page.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("button#play-pause[aria-label='Play']"))
        .await
        .unwrap();
    assert!(
        setup
            .fake
            .requests()
            .iter()
            .any(|r| r.method == "PUT" && r.path.ends_with("/me/player/pause")),
        "the pause reached the fake Spotify"
    );
    page.find(Locator::Css("button[aria-label='Next track']"))
        .await
        .unwrap()
        .send_keys("\u{E007}")
        .await
        .unwrap();
    assert_eq!(host.next_call().await["name"], "skip_to_next");
    assert_eq!(
        host.next_call().await["name"],
        "get_playback_state",
        "the card refreshes"
    );
}

async fn refused_call_leaves_a_static_card(page: &Browser, host: &mut AppsHost, title: &str) {
    open(page, host, "light", true, title).await;
    click(page, "button#play-pause").await;
    assert_eq!(
        host.next_call().await,
        json!({ "refused": "pause_playback" })
    );
    page.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("body.static"))
        .await
        .unwrap();
    let controls = page.find(Locator::Css(".controls")).await.unwrap();
    assert!(
        !controls.is_displayed().await.unwrap(),
        "the controls are gone"
    );
    assert_eq!(
        page.find(Locator::Id("title"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        title
    );
    let status = page
        .find(Locator::Id("status"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(status.contains("refused"), "the card says why: {status}");
    screenshot(page, "now-playing-static").await;
}

async fn hostile_names_are_text(page: &Browser, host: &mut AppsHost, setup: &Setup) {
    let mut hostile = scenario(&setup.client, "get_playback_state", json!({})).await;
    hostile.tool_result["structuredContent"]["item"]["name"] = json!(HOSTILE_NAME);
    hostile.tool_result["structuredContent"]["item"]["artists"][0]["name"] = json!(HOSTILE_NAME);
    host.show(hostile);
    open(page, host, "dark", false, HOSTILE_NAME).await;
    let artists = page
        .find(Locator::Id("artists"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(artists.contains(HOSTILE_NAME), "{artists}");
    let injected = page.find_all(Locator::Css("img[src='x']")).await.unwrap();
    assert!(injected.is_empty(), "a name became markup");
    assert!(
        page.get_alert_text().await.is_err(),
        "no script ran from a name"
    );
}

async fn album_plays_and_queues(page: &Browser, host: &mut AppsHost, setup: &Setup) {
    let id = setup.fake.ids(Kind::Album)[0].clone();
    let album = scenario(&setup.client, "get_album", json!({ "id": id })).await;
    let title = title_of(&album, "/name");
    let second = title_of(&album, "/tracks/items/1/name");
    let second_id = title_of(&album, "/tracks/items/1/id");
    host.show(album);
    for theme in ["light", "dark"] {
        open(page, host, theme, false, &title).await;
        screenshot(page, &format!("album-{theme}")).await;
    }
    click(page, &format!("button[aria-label='Play {second}']")).await;
    let call = host.next_call().await;
    assert_eq!(call["name"], "start_playback");
    assert_eq!(
        call["arguments"],
        json!({ "context_uri": format!("spotify:album:{id}"), "offset": { "position": 1 } })
    );
    click(page, &format!("button[aria-label='Add {second} to queue']")).await;
    let call = host.next_call().await;
    assert_eq!(call["name"], "add_to_queue");
    assert_eq!(
        call["arguments"],
        json!({ "uri": format!("spotify:track:{second_id}") })
    );
}

async fn playlist_plays_from_here_and_removes(page: &Browser, host: &mut AppsHost, setup: &Setup) {
    let id = setup.fake.own_playlist_ids()[0].clone();
    let playlist = scenario(&setup.client, "get_playlist", json!({ "playlist_id": id })).await;
    let title = title_of(&playlist, "/name");
    let third = title_of(&playlist, "/items/items/2/item/name");
    let third_id = title_of(&playlist, "/items/items/2/item/id");
    host.show(playlist);
    for theme in ["light", "dark"] {
        open(page, host, theme, false, &title).await;
        screenshot(page, &format!("playlist-{theme}")).await;
    }
    let facts = page
        .find(Locator::Id("facts"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(facts.contains("items ·"), "total duration shown: {facts}");
    click(page, &format!("button[aria-label='Play from {third}']")).await;
    let call = host.next_call().await;
    assert_eq!(
        call["arguments"],
        json!({ "context_uri": format!("spotify:playlist:{id}"), "offset": { "position": 2 } })
    );
    let before = page
        .find_all(Locator::Css("#items li"))
        .await
        .unwrap()
        .len();
    click(
        page,
        &format!("button[aria-label='Remove {third} from the playlist']"),
    )
    .await;
    let call = host.next_call().await;
    assert_eq!(call["name"], "remove_playlist_items");
    assert_eq!(
        call["arguments"],
        json!({ "playlist_id": id, "items": [{ "uri": format!("spotify:track:{third_id}") }] })
    );
    let deadline = tokio::time::Instant::now() + WAIT;
    // The row goes once the server reports the removal done: polled, bounded.
    while page
        .find_all(Locator::Css("#items li"))
        .await
        .unwrap()
        .len()
        != before - 1
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the removed row goes"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let uris = setup.fake.playlist_uris(&id).unwrap();
    assert!(
        !uris.contains(&format!("spotify:track:{third_id}")),
        "removed at the fake"
    );
}

async fn search_lists_results(page: &Browser, host: &mut AppsHost, setup: &Setup) {
    let input = json!({ "q": "heart", "type": ["track", "album", "playlist"], "limit": 4 });
    let results = scenario(&setup.client, "search", input).await;
    let track = title_of(&results, "/tracks/items/0/name");
    let track_id = title_of(&results, "/tracks/items/0/id");
    host.show(results);
    for theme in ["light", "dark"] {
        open(page, host, theme, false, "Search results").await;
        page.wait()
            .at_most(WAIT)
            .for_element(Locator::Css("section[aria-label='Tracks'] li"))
            .await
            .unwrap();
        screenshot(page, &format!("search-{theme}")).await;
    }
    let sections = page
        .find_all(Locator::Css("#results section"))
        .await
        .unwrap();
    assert_eq!(sections.len(), 3);
    click(page, &format!("button[aria-label='Play {track}']")).await;
    let call = host.next_call().await;
    assert_eq!(
        call["arguments"],
        json!({ "uris": [format!("spotify:track:{track_id}")] })
    );
}
