//! Real Chromium, headless, driven over WebDriver by `chromedriver`: for the web pages the
//! publisher serves (the console). Started with the flags this machine needs (no sandbox as
//! root, no background networking on a closed network) and a fresh profile each time.

use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::free_port;

/// One browser session.
pub struct Browser {
    child: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts `chromedriver` and a Chromium session that prefers `language` (`ru`, `en`).
    pub async fn start(language: &str) -> Browser {
        let port = free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is not installed (package chromium-driver)");
        let profile = tempfile::tempdir().expect("profile dir");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--window-size=1280,900",
                    format!("--lang={language}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {"intl.accept_languages": language}
            }
        }}});
        let session = crate::webdriver_session(&http, &base, &caps).await;
        Browser {
            child,
            base,
            session,
            http,
            _profile: profile,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("webdriver request");
        resp.json::<Value>().await.expect("webdriver json")["value"].clone()
    }

    /// A Chrome DevTools Protocol command through chromedriver (`Network.setBlockedURLs`…).
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.call(
            reqwest::Method::POST,
            "/goog/cdp/execute",
            Some(json!({"cmd": cmd, "params": params})),
        )
        .await
    }

    /// Opens `url` and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    /// The page's address now.
    pub async fn url(&self) -> String {
        let v = self.call(reqwest::Method::GET, "/url", None).await;
        v.as_str().unwrap_or_default().to_owned()
    }

    /// Runs `script` in the page and returns its value.
    pub async fn run(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Runs an async script: it ends by calling `done(value)`, the last argument.
    pub async fn run_async(&self, script: &str) -> Value {
        let script = format!("const done = arguments[arguments.length - 1];\n{script}");
        self.call(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// The element matching `css`, as a WebDriver element id.
    pub async fn find(&self, css: &str) -> String {
        let v = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_owned()
    }

    /// Types `text` into the element matching `css`, as a person would.
    pub async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// The page's visible text, once the page has loaded (empty while it loads, so a wait on
    /// its text never acts on a page still arriving).
    pub async fn text(&self) -> String {
        let v = self
            .run("return document.readyState === 'complete' ? document.body.innerText : ''")
            .await;
        v.as_str().unwrap_or_default().to_owned()
    }

    /// The value of the form field matching `css`.
    pub async fn value(&self, css: &str) -> String {
        let script = format!(
            "const e = document.querySelector({}); return e ? e.value : null;",
            serde_json::to_string(css).unwrap_or_default()
        );
        let v = self.run(&script).await;
        v.as_str().unwrap_or_default().to_owned()
    }

    /// Saves a screenshot of the viewport as PNG.
    pub async fn screenshot(&self, path: &Path) {
        use base64::Engine;
        let v = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .expect("screenshot base64");
        std::fs::write(path, png).expect("write screenshot");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = Command::new("curl")
            .args([
                "-s",
                "-X",
                "DELETE",
                &format!("{}/session/{}", self.base, self.session),
            ])
            .output();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
