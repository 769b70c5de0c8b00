//! Helpers of the multi-user tests: an HTTP client that never follows redirects, calls with a
//! bearer token, and the token endpoint.

#![allow(dead_code)]

use fake_spotify::FakeSpotify;
use serde_json::Value;
use std::time::Duration;

/// A client that stops at redirects, so a test reads `Location` itself.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `(status, JSON body or Null)` of a Web API call with `token`.
pub async fn call(
    fake: &FakeSpotify,
    method: reqwest::Method,
    token: &str,
    path: &str,
) -> (u16, Value) {
    let response = http()
        .request(method, format!("{}{path}", fake.api_url()))
        .bearer_auth(token)
        .header("content-length", "0")
        .send()
        .await
        .expect("answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub async fn get(fake: &FakeSpotify, token: &str, path: &str) -> (u16, Value) {
    call(fake, reqwest::Method::GET, token, path).await
}

/// `POST /api/token` with a form; `(status, JSON body)`.
pub async fn token_request(fake: &FakeSpotify, pairs: &[(&str, &str)]) -> (u16, Value) {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let response = http()
        .post(format!("{}/api/token", fake.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The `Location` of a redirect, with its query decoded.
pub fn location(response: &reqwest::Response) -> (String, Vec<(String, String)>) {
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let query = location
        .split_once('?')
        .map(|(_, q)| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    (location, query)
}

/// The value of `name` in decoded query pairs.
pub fn value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
