//! A small WebDriver client for `WebKitWebDriver`: wry hands the app's first webview to the
//! session when `TAURI_WEBVIEW_AUTOMATION` is set.

use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::desktop::Desktop;
use crate::free_port;

/// A WebDriver session on the app's first webview, through `WebKitWebDriver`.
pub struct Driver {
    child: Child,
    base: String,
    session: Option<String>,
    http: reqwest::Client,
}

impl Driver {
    /// Starts `WebKitWebDriver` on `desktop`; the app it starts gets the desktop's
    /// environment with `extra_env` over it.
    pub fn start(desktop: &Desktop, extra_env: &[(&str, &str)]) -> Driver {
        let port = free_port();
        let child = Command::new("WebKitWebDriver")
            .arg(format!("--port={port}"))
            .envs(desktop.env())
            .envs(extra_env.iter().copied())
            // Lets wry hand the first webview to the automation session.
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("WebKitWebDriver is not installed (package webkit2gtk-driver)");
        Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            session: None,
            http: reqwest::Client::new(),
        }
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .expect("webdriver request");
        resp.json::<Value>().await.expect("webdriver json")
    }

    /// Starts the app at `binary` with `args`; its first webview becomes the session's.
    pub async fn new_session(&mut self, binary: &str, args: &[&str]) {
        let caps = json!({"capabilities": {"alwaysMatch": {
            "webkitgtk:browserOptions": {"binary": binary, "args": args}
        }}});
        let id = crate::webdriver_session(&self.http, &self.base, &caps).await;
        self.session = Some(id);
    }

    /// Runs `script` in the page and returns its value.
    pub async fn run(&self, script: &str) -> Value {
        self.execute("sync", script).await
    }

    /// Runs `script` in the page; it answers by calling its last argument.
    pub async fn run_async(&self, script: &str) -> Value {
        self.execute("async", script).await
    }

    async fn execute(&self, how: &str, script: &str) -> Value {
        let id = self.session.as_deref().expect("session");
        self.post(
            &format!("/session/{id}/execute/{how}"),
            json!({"script": script, "args": []}),
        )
        .await["value"]
            .clone()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(id) = &self.session {
            let _ = Command::new("curl")
                .args(["-s", "-X", "DELETE", &format!("{}/session/{id}", self.base)])
                .output();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
