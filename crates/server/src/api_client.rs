//! A client for the notices API, as `svetoforctl post`, `update` and friends use it.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use svetofor_feed::Notice;

use crate::notices::{Closing, NewNotice, NoticeUpdate};

/// Why a call failed, in words for the person at the terminal.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server could not be reached.
    #[error("cannot reach the server at {url}: {reason}")]
    Unreachable {
        /// The server URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The server refused the request and said why.
    #[error("{message} (HTTP {status})")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The server's machine code (`invalid`, `unauthorized`, …).
        code: String,
        /// The server's message, with the field at fault when it named one.
        message: String,
    },
    /// The server's answer could not be understood.
    #[error("the server at {url} answered something unexpected: {reason}")]
    BadAnswer {
        /// The server URL.
        url: String,
        /// What was wrong.
        reason: String,
    },
}

/// A page of notices.
#[derive(Debug, serde::Deserialize)]
pub struct NoticePage {
    /// The notices, newest first.
    pub notices: Vec<Notice>,
    /// Cursor for the next page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// A client for one server, with one token.
pub struct ApiClient {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

fn root_cause(e: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

impl ApiClient {
    /// A client for the server at `base` (e.g. `http://127.0.0.1:8380`).
    pub fn new(base: &str, token: Option<String>) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("svetoforctl/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| ClientError::Unreachable {
                url: base.to_owned(),
                reason: root_cause(&e),
            })?;
        Ok(ApiClient {
            http,
            base: base.trim_end_matches('/').to_owned(),
            token,
        })
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<T, ClientError> {
        let url = format!("{}{path}", self.base);
        let mut req = self.http.request(method, &url);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.map_err(|e| ClientError::Unreachable {
            url: self.base.clone(),
            reason: root_cause(&e),
        })?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| ClientError::Unreachable {
            url: self.base.clone(),
            reason: root_cause(&e),
        })?;
        if !status.is_success() {
            return Err(refusal(status, &bytes));
        }
        serde_json::from_slice(&bytes).map_err(|e| ClientError::BadAnswer {
            url: url.clone(),
            reason: e.to_string(),
        })
    }

    /// `POST /api/v1/notices`.
    pub async fn post(&self, req: &NewNotice) -> Result<Notice, ClientError> {
        self.call(Method::POST, "/api/v1/notices", Some(req)).await
    }

    /// `POST /api/v1/notices/{id}/updates`.
    pub async fn update(&self, id: &str, req: &NoticeUpdate) -> Result<Notice, ClientError> {
        self.call(
            Method::POST,
            &format!("/api/v1/notices/{}/updates", enc(id)),
            Some(req),
        )
        .await
    }

    /// `POST /api/v1/notices/{id}/resolve`.
    pub async fn resolve(&self, id: &str, req: &Closing) -> Result<Notice, ClientError> {
        self.call(
            Method::POST,
            &format!("/api/v1/notices/{}/resolve", enc(id)),
            Some(req),
        )
        .await
    }

    /// `POST /api/v1/notices/{id}/withdraw`.
    pub async fn withdraw(&self, id: &str, req: &Closing) -> Result<Notice, ClientError> {
        self.call(
            Method::POST,
            &format!("/api/v1/notices/{}/withdraw", enc(id)),
            Some(req),
        )
        .await
    }

    /// `GET /api/v1/notices`.
    pub async fn list(
        &self,
        status: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<NoticePage, ClientError> {
        let mut path = format!("/api/v1/notices?status={}&limit={limit}", enc(status));
        if let Some(c) = cursor {
            path.push_str(&format!("&cursor={}", enc(c)));
        }
        self.call(Method::GET, &path, None::<&()>).await
    }
}

/// Percent-encodes everything but unreserved characters.
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn refusal(status: StatusCode, body: &[u8]) -> ClientError {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let err = parsed.as_ref().and_then(|v| v.get("error"));
    let code = err
        .and_then(|e| e.get("code"))
        .and_then(|c| c.as_str())
        .unwrap_or("http_error")
        .to_owned();
    let message = err
        .and_then(|e| e.get("message"))
        .and_then(|m| m.as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            if text.is_empty() {
                status.canonical_reason().unwrap_or("error").to_owned()
            } else {
                text.chars().take(200).collect()
            }
        });
    let message = match status {
        StatusCode::UNAUTHORIZED => {
            format!("the server refused the token: {message} (give --token or set SVETOFOR_TOKEN)")
        }
        StatusCode::FORBIDDEN => format!("not allowed: {message}"),
        _ => format!("the server refused: {message}"),
    };
    ClientError::Refused {
        status: status.as_u16(),
        code,
        message,
    }
}
