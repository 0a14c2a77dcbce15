//! A client for the notices API, as `svetoforctl post`, `update` and friends use it.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use svetofor_feed::{Notice, root_cause};
use url::Url;

use crate::{
    ChannelList, ComponentSettings, CreatedChannel, DeliveryList, Draft, DraftBody, DraftList,
    ErrorBody, ErrorCode, NewChannel, NewNotice, NoticeChange, NoticePage,
};

/// Why a call failed, in words for the person at the terminal.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server address is not an http(s) URL.
    #[error("\"{0}\" is not an http or https server address")]
    BadServer(String),
    /// The server could not be reached.
    #[error("cannot reach the server at {url}: {reason}")]
    Unreachable {
        /// The server URL.
        url: String,
        /// The innermost cause ("connection refused").
        reason: String,
    },
    /// The server refused the request and said why.
    #[error("{message} (HTTP {status})")]
    Refused {
        /// The HTTP status, 400–599.
        status: u16,
        /// The server's code, when it sent one this version knows.
        code: Option<ErrorCode>,
        /// The server's message, with advice for the person at the terminal.
        message: String,
    },
    /// The server's answer could not be understood.
    #[error("the server at {url} answered something unexpected: {reason}")]
    BadAnswer {
        /// The URL called.
        url: String,
        /// What was wrong.
        reason: String,
    },
}

/// A client for one server, with one token.
pub struct ApiClient {
    http: reqwest::Client,
    base: Url,
    token: Option<String>,
}

impl ApiClient {
    /// A client for the server at `base` (e.g. `http://127.0.0.1:8380`).
    pub fn new(base: &str, token: Option<String>) -> Result<Self, ClientError> {
        let base = svetofor_feed::parse_web_url(base.trim_end_matches('/'))
            .map_err(|_| ClientError::BadServer(base.to_owned()))?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("svetoforctl/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| ClientError::Unreachable {
                url: base.to_string(),
                reason: root_cause(&e),
            })?;
        Ok(ApiClient { http, base, token })
    }

    /// `base` + `/api/v1/` + the segments, each percent-encoded as one path segment.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(["api", "v1"]).extend(segments);
        }
        url
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<T, ClientError> {
        let bytes = self.send(method, url.clone(), body).await?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::BadAnswer {
            url: url.to_string(),
            reason: e.to_string(),
        })
    }

    /// Sends a request and returns the body of a successful answer.
    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<Vec<u8>, ClientError> {
        let unreachable = |e: reqwest::Error| ClientError::Unreachable {
            url: self.base.to_string(),
            reason: root_cause(&e),
        };
        let mut req = self.http.request(method, url.clone());
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.map_err(unreachable)?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(unreachable)?;
        if !status.is_success() {
            return Err(refusal(status, &bytes));
        }
        Ok(bytes.to_vec())
    }

    /// `POST /api/v1/notices`.
    pub async fn post(&self, req: &NewNotice) -> Result<Notice, ClientError> {
        self.call(Method::POST, self.url(&["notices"]), Some(req))
            .await
    }

    /// `POST /api/v1/notices/{id}/…`: an update, resolve or withdraw.
    pub async fn change(&self, id: &str, change: &NoticeChange) -> Result<Notice, ClientError> {
        let url = self.url(&["notices", id, change.endpoint()]);
        self.call(Method::POST, url, Some(&change.body())).await
    }

    /// `PUT /api/v1/components/{id}`: names (or renames) a component, so it is listed in the
    /// feed under that name.
    pub async fn set_component(
        &self,
        id: &str,
        settings: &ComponentSettings,
    ) -> Result<serde_json::Value, ClientError> {
        let url = self.url(&["components", id]);
        self.call(Method::PUT, url, Some(settings)).await
    }

    /// `DELETE /api/v1/components/{id}`: retires an id no notice should use any more.
    pub async fn remove_component(&self, id: &str) -> Result<(), ClientError> {
        let url = self.url(&["components", id]);
        self.send(Method::DELETE, url, None::<&()>)
            .await
            .map(|_| ())
    }

    /// `POST /api/v1/drafts`: saves a notice without publishing it (or for the clock to
    /// publish at `publish_at`).
    pub async fn create_draft(&self, body: &DraftBody) -> Result<Draft, ClientError> {
        self.call(Method::POST, self.url(&["drafts"]), Some(body))
            .await
    }

    /// `GET /api/v1/drafts`.
    pub async fn drafts(&self) -> Result<DraftList, ClientError> {
        self.call(Method::GET, self.url(&["drafts"]), None::<&()>)
            .await
    }

    /// `POST /api/v1/drafts/{id}/publish`: the draft's notice goes into the feed now.
    pub async fn publish_draft(&self, id: &str) -> Result<Notice, ClientError> {
        let url = self.url(&["drafts", id, "publish"]);
        self.call(Method::POST, url, None::<&()>).await
    }

    /// `POST /api/v1/channels` (admin).
    pub async fn add_channel(&self, req: &NewChannel) -> Result<CreatedChannel, ClientError> {
        self.call(Method::POST, self.url(&["channels"]), Some(req))
            .await
    }

    /// `GET /api/v1/channels` (admin).
    pub async fn channels(&self) -> Result<ChannelList, ClientError> {
        self.call(Method::GET, self.url(&["channels"]), None::<&()>)
            .await
    }

    /// `POST /api/v1/channels/{name}/test` (admin): `{"ok", "detail" | "error"}`.
    pub async fn test_channel(&self, name: &str) -> Result<serde_json::Value, ClientError> {
        let url = self.url(&["channels", name, "test"]);
        self.call(Method::POST, url, None::<&()>).await
    }

    /// `DELETE /api/v1/channels/{name}` (admin).
    pub async fn remove_channel(&self, name: &str) -> Result<(), ClientError> {
        let url = self.url(&["channels", name]);
        self.send(Method::DELETE, url, None::<&()>)
            .await
            .map(|_| ())
    }

    /// `GET /api/v1/deliveries?notice=…`.
    pub async fn deliveries(&self, notice: Option<&str>) -> Result<DeliveryList, ClientError> {
        let mut url = self.url(&["deliveries"]);
        if let Some(n) = notice {
            url.query_pairs_mut().append_pair("notice", n);
        }
        self.call(Method::GET, url, None::<&()>).await
    }

    /// `GET /api/v1/notices`.
    pub async fn list(
        &self,
        status: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<NoticePage, ClientError> {
        let mut url = self.url(&["notices"]);
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("status", status)
                .append_pair("limit", &limit.to_string());
            if let Some(c) = cursor {
                q.append_pair("cursor", c);
            }
        }
        self.call(Method::GET, url, None::<&()>).await
    }
}

fn refusal(status: StatusCode, body: &[u8]) -> ClientError {
    let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
    let code = parsed.as_ref().and_then(|b| b.error.code);
    let message = parsed.map(|b| b.error.message).unwrap_or_else(|| {
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
