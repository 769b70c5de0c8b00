//! Headless Chromium through chromedriver on 127.0.0.1, driven with fantoccini. The driver runs
//! in a process group of its own that is killed on drop, browser included, even when a test
//! fails half-way. `None` where chromedriver is not installed (CI installs it: there the
//! caller must fail rather than skip, as [`start_or_skip`] does).

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Browser {
    pub client: Client,
    _driver: Driver,
}

/// The chromedriver process; its group (the browser too) is killed on drop.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.wait();
    }
}

/// [`start`] for a test that needs the browser: `None` (the test returns, `SKIPPED`) where
/// chromedriver is missing, a failure instead when `CI` is set.
pub async fn start_or_skip() -> Option<Browser> {
    let browser = start().await;
    if browser.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromedriver is not installed, and CI is set: install chromium and chromium-driver"
        );
        eprintln!("SKIPPED: chromedriver is not installed");
    }
    browser
}

/// A headless browser, or `None` when chromedriver is missing.
pub async fn start() -> Option<Browser> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let driver = Driver(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .ok()?,
    );
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-crash-reporter", "--disable-breakpad",
        ]}),
    );
    let url = format!("http://127.0.0.1:{port}");
    // chromedriver takes a moment to listen: bounded retries.
    let mut last_error = None;
    for _ in 0..100 {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => {
                return Some(Browser {
                    client,
                    _driver: driver,
                });
            }
            Err(e) => last_error = Some(e.to_string()),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(driver);
    panic!("chromedriver started but gave no browser session within 10 s: {last_error:?}")
}
