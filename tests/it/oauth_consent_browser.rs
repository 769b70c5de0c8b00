//! The consent page as a person meets it, in headless Chromium: an MCP client's `/authorize`
//! link, Spotify's sign-in (the fake, approving), the consent page, a click on "Allow", and the
//! browser lands on the client's redirect URI with a code, the state and `iss`. Also proves the
//! page's `form-action` lets Chromium follow the redirect after the POST.

use crate::common::chromedriver;
use crate::common::sign_in_server::{SignInServer, VERIFIER, param};
use fantoccini::Locator;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

/// The client's redirect URI: a listener on 127.0.0.1 that reports each request's target.
async fn client_redirect_listener() -> (String, mpsc::Receiver<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/cb", listener.local_addr().unwrap());
    let (sender, receiver) = mpsc::channel(8);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buffer = vec![0u8; 8192];
            let read = stream.read(&mut buffer).await.unwrap_or(0);
            let head = String::from_utf8_lossy(&buffer[..read]).to_string();
            let target = head
                .split_whitespace()
                .nth(1)
                .unwrap_or_default()
                .to_string();
            let reply = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 9\r\n\
                         connection: close\r\n\r\nsigned in";
            let _ = stream.write_all(reply.as_bytes()).await;
            if target.starts_with("/cb") {
                let _ = sender.send(target).await;
            }
        }
    });
    (url, receiver)
}

#[tokio::test]
async fn a_person_signs_in_and_clicks_allow_in_a_real_browser() {
    let Some(browser) = chromedriver::start_or_skip().await else {
        return;
    };
    let server = SignInServer::start().await;
    let ada = server.fake.add_user("Ada Lovelace");
    let (redirect_uri, mut landed) = client_redirect_listener().await;
    let client_id = server.register("Browser Client", &redirect_uri).await;
    let url = server.authorize_url(
        &client_id,
        "browser-state",
        &[("redirect_uri", &redirect_uri)],
    );
    server.fake.approve_next_as(&ada);

    let page = &browser.client;
    page.goto(&url).await.unwrap();
    let allow = page
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("allow"))
        .await
        .expect("the consent page");
    let name = page.find(Locator::Id("client-name")).await.unwrap();
    assert_eq!(name.text().await.unwrap(), "Browser Client");
    let account = page.find(Locator::Id("account")).await.unwrap();
    assert_eq!(account.text().await.unwrap(), "Ada Lovelace");
    allow.click().await.unwrap();

    let target = tokio::time::timeout(Duration::from_secs(20), landed.recv())
        .await
        .expect("the browser reaches the client's redirect URI within 20 s")
        .unwrap();
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(target.split_once('?').map_or("", |(_, q)| q).as_bytes())
            .into_owned()
            .collect();
    assert_eq!(param(&pairs, "state"), Some("browser-state"));
    assert_eq!(param(&pairs, "iss"), Some(server.url.as_str()));
    let code = param(&pairs, "code").expect("a code");
    let redeemed = server
        .store
        .redeem_code(code, &client_id, &redirect_uri, VERIFIER)
        .await
        .unwrap();
    let users = server.store.list_users().await.unwrap();
    assert_eq!(redeemed.user_id, users[0].user.id);
    let _ = browser.client.clone().close().await;
}
