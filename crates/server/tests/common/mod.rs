//! A real server on loopback with a real SQLite file, and a small SSE reader.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;
use serde_json::Value;
use svetofor_feed::{Accepted, TrustedKey, accept};
use svetofor_publisher::auth::{Role, new_token};
use svetofor_publisher::publisher::FeedSettings;
use svetofor_server::http::limits::Limits;
use svetofor_server::{ServeOptions, Server};
use svetofor_store::AuditEntry;

pub struct Harness {
    pub server: Server,
    pub base: String,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
    pub key: TrustedKey,
}

pub fn options(dir: &std::path::Path) -> ServeOptions {
    ServeOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        db: svetofor_store::Database::Sqlite(dir.join("svetofor.db")),
        key: dir.join("svetofor.key"),
        private: false,
        mirror_dir: None,
        edge: None,
        mirror: None,
        feed: FeedSettings::default(),
        limits: Limits::default(),
        public_url: None,
        previewer: None,
        embed_origins: Default::default(),
    }
}

pub async fn start_with(f: impl FnOnce(&mut ServeOptions)) -> Harness {
    start_in(tempfile::tempdir().unwrap(), f).await
}

/// A server with its files in `dir` (kept across a restart), options changed by `f`.
pub async fn start_in(dir: tempfile::TempDir, f: impl FnOnce(&mut ServeOptions)) -> Harness {
    let mut opts = options(dir.path());
    f(&mut opts);
    let server = Server::start(opts).await.expect("server starts");
    let base = format!("http://{}", server.addr);
    let key: TrustedKey = server.publisher.public_key_file().parse().unwrap();
    Harness {
        server,
        base,
        dir,
        http: reqwest::Client::builder().no_gzip().build().unwrap(),
        key,
    }
}

pub async fn start() -> Harness {
    start_with(|_| {}).await
}

impl Harness {
    pub fn token(&self, role: Role) -> String {
        let (secret, record) = new_token(&format!("test-{role}"), role, Utc::now()).unwrap();
        let audit = AuditEntry {
            at: Utc::now(),
            actor: "test".to_owned(),
            action: "token.create".to_owned(),
            target: Some(record.id.clone()),
            detail: serde_json::Value::Null,
        };
        self.server
            .publisher
            .store()
            .insert_token(&record, &audit)
            .unwrap();
        secret
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Names component `id` as an admin does (`PUT /api/v1/components/{id}`).
    pub async fn component(&self, admin: &str, id: &str, ru: &str, en: &str, group: Option<&str>) {
        let mut body = serde_json::json!({"name": {"ru": ru, "en": en}});
        if let Some(g) = group {
            body["group"] = serde_json::json!(g);
        }
        let resp = self
            .http
            .put(self.url(&format!("/api/v1/components/{id}")))
            .bearer_auth(admin)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{}", resp.text().await.unwrap());
    }

    /// GET `path`, with a bearer token and an `If-None-Match` when given.
    pub async fn get(
        &self,
        path: &str,
        token: Option<&str>,
        if_none_match: Option<&str>,
    ) -> reqwest::Response {
        let mut req = self.http.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(e) = if_none_match {
            req = req.header("If-None-Match", e);
        }
        req.send().await.unwrap()
    }

    /// GET `path` and parse the JSON answer.
    pub async fn get_json(&self, path: &str, token: Option<&str>) -> serde_json::Value {
        self.get(path, token, None).await.json().await.unwrap()
    }

    /// `DELETE path` with a bearer token.
    pub async fn delete(&self, token: &str, path: &str) -> reqwest::Response {
        let req = self.http.delete(self.url(path)).bearer_auth(token);
        req.send().await.unwrap()
    }

    /// `post`, then the answer's JSON body.
    pub async fn post_json(&self, token: &str, path: &str, body: Value) -> Value {
        self.post(token, path, body).await.json().await.unwrap()
    }

    pub async fn post(
        &self,
        token: &str,
        path: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// The body of `GET path`.
    pub async fn body(&self, path: &str) -> Vec<u8> {
        let resp = self.http.get(self.url(path)).send().await.unwrap();
        resp.bytes().await.unwrap().to_vec()
    }

    /// Fetches and verifies the feed as a client would.
    pub async fn feed(&self) -> Accepted {
        self.try_feed().await.expect("feed verifies")
    }

    /// [`Harness::feed`] while the server may publish: the document and its signature are two
    /// requests, and a change between them pairs a new signature with an old document, so
    /// that is tried again (a few times) as a client would on its next poll.
    pub async fn try_feed(&self) -> Result<Accepted, svetofor_feed::FeedError> {
        let mut last = None;
        for _ in 0..5 {
            let bytes = self.body("/feed.json").await;
            let sig = String::from_utf8(self.body("/feed.json.minisig").await).unwrap();
            match accept(
                &bytes,
                Some(&sig),
                std::slice::from_ref(&self.key),
                Utc::now(),
                None,
            ) {
                Ok(a) => return Ok(a),
                Err(e) => last = Some(e),
            }
        }
        Err(last.expect("tried"))
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("svetofor.db")
    }
}

pub fn red_outage() -> serde_json::Value {
    serde_json::json!({
        "severity": "red", "kind": "outage",
        "title": {"en": "Payments down", "ru": "Платежи не работают"},
        "body": "Card payments fail.", "components": ["payments"],
        // No admin named "payments" in these servers: it is added as it is written.
        "new_components": true
    })
}

/// One server-sent event.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub event: String,
    pub id: String,
    pub data: String,
}

pub struct SseReader {
    resp: reqwest::Response,
    buf: String,
    pub comments: usize,
}

impl SseReader {
    pub async fn open(h: &Harness, last_event_id: Option<&str>) -> SseReader {
        SseReader::open_as(h, last_event_id, None).await
    }

    /// Opens `/events` with a bearer token.
    pub async fn open_as(
        h: &Harness,
        last_event_id: Option<&str>,
        token: Option<&str>,
    ) -> SseReader {
        let mut req = h.http.get(h.url("/events"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream"),
            "{:?}",
            resp.headers()
        );
        SseReader {
            resp,
            buf: String::new(),
            comments: 0,
        }
    }

    /// Whether the server ends the stream within `within` (events and comments on the way
    /// are read and dropped).
    pub async fn ends_within(&mut self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.resp.chunk()).await {
                Err(_) => return false,
                Ok(Ok(Some(_))) => {}
                Ok(Ok(None) | Err(_)) => return true,
            }
        }
    }

    /// The next event within `within`, or None.
    pub async fn next(&mut self, within: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            while let Some(i) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..i + 2).collect();
                let mut ev = SseEvent {
                    event: "message".to_owned(),
                    id: String::new(),
                    data: String::new(),
                };
                let mut any = false;
                for line in block.lines() {
                    if line.starts_with(':') {
                        self.comments += 1;
                    } else if let Some(v) = line.strip_prefix("event:") {
                        ev.event = v.trim().to_owned();
                        any = true;
                    } else if let Some(v) = line.strip_prefix("id:") {
                        ev.id = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        if !ev.data.is_empty() {
                            ev.data.push('\n');
                        }
                        ev.data.push_str(v.strip_prefix(' ').unwrap_or(v));
                        any = true;
                    }
                }
                if any {
                    return Some(ev);
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.resp.chunk())
                .await
                .ok()?
                .ok()??;
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

/// Verifies a `snapshot` event's feed with `key`.
pub fn verify_event(ev: &SseEvent, key: &TrustedKey) -> Accepted {
    assert_eq!(ev.event, "snapshot");
    let data: serde_json::Value = serde_json::from_str(&ev.data).unwrap();
    let feed = data["feed"].as_str().unwrap();
    let sig = data["signature"].as_str().unwrap();
    assert_eq!(data["seq"].as_u64().unwrap().to_string(), ev.id);
    accept(
        feed.as_bytes(),
        Some(sig),
        std::slice::from_ref(key),
        Utc::now(),
        None,
    )
    .expect("event verifies")
}

/// The value of header `name` in `resp`, which must have it, as text.
pub fn header<'a>(resp: &'a reqwest::Response, name: &str) -> &'a str {
    resp.headers()[name].to_str().unwrap()
}

/// The status and JSON body of a refusal.
pub async fn error_of(resp: reqwest::Response) -> (u16, serde_json::Value) {
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(
        ct.as_deref(),
        Some("application/json"),
        "errors are JSON (status {status})"
    );
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(body["error"]["message"].is_string(), "{body}");
    (status, body)
}
