//! HTTP(S) GETs with limits: at most [`MAX_DOCUMENT_BYTES`] read, bounded time, at most five
//! redirects, http and https only. TLS is rustls with the operating system's trust store, so
//! corporate CAs installed on the machine are trusted.

use std::time::Duration;

use reqwest::{StatusCode, Url, header};
use svetofor_feed::{MAX_DOCUMENT_BYTES, root_cause};

/// Most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 5;

/// A bearer token and the feed it was configured for. It goes only to that feed's origin
/// (scheme, host and port): never to a mirror, which may be anybody's CDN, and over plain
/// HTTP only to this machine.
#[derive(Clone)]
pub struct ScopedToken {
    pub secret: String,
    pub feed: Url,
}

impl std::fmt::Debug for ScopedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ScopedToken({}, (hidden))",
            self.feed.origin().ascii_serialization()
        )
    }
}

impl ScopedToken {
    /// Whether a request to `url` may carry the token.
    pub fn may_go_to(&self, url: &Url) -> bool {
        let loopback = match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => false,
        };
        url.origin() == self.feed.origin() && (url.scheme() == "https" || loopback)
    }
}

/// Limits and network settings for a [`Fetcher`].
#[derive(Debug, Clone)]
pub struct FetcherOptions {
    /// Bearer token for a private feed, and which feed it is for.
    pub token: Option<ScopedToken>,
    /// Proxy URL for every request; without it the usual environment variables apply
    /// (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`).
    pub proxy: Option<String>,
    /// Extra CA certificates (PEM), trusted in addition to the operating system's.
    pub extra_ca_pem: Option<Vec<u8>>,
    /// Longest silence on an event stream before it counts as stalled.
    pub stream_idle_timeout: Duration,
    /// Time to establish a connection.
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of a response.
    pub read_timeout: Duration,
    /// Longest time for a whole request, body included (a body that trickles ends here).
    pub total_timeout: Duration,
    /// Most bytes of body read.
    pub max_bytes: usize,
}

impl Default for FetcherOptions {
    fn default() -> Self {
        FetcherOptions {
            token: None,
            proxy: None,
            extra_ca_pem: None,
            stream_idle_timeout: Duration::from_secs(50),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(15),
            total_timeout: Duration::from_secs(30),
            max_bytes: MAX_DOCUMENT_BYTES,
        }
    }
}

impl FetcherOptions {
    /// The network settings of a configuration (token, proxy, extra CA file read now) with
    /// the default limits.
    pub fn from_config(cfg: &crate::config::Config) -> Result<FetcherOptions, CaFileError> {
        let extra_ca_pem = match &cfg.extra_ca_file {
            Some(p) => Some(std::fs::read(p).map_err(|source| CaFileError {
                path: p.clone(),
                source,
            })?),
            None => None,
        };
        let feed = cfg.feeds.first().and_then(|f| web_url(f).ok());
        Ok(FetcherOptions {
            token: cfg
                .token
                .clone()
                .zip(feed)
                .map(|(secret, feed)| ScopedToken { secret, feed }),
            proxy: cfg.proxy.clone(),
            extra_ca_pem,
            ..FetcherOptions::default()
        })
    }
}

/// The configured `extra_ca_file` cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("extra_ca_file {}: {source}", .path.display())]
pub struct CaFileError {
    pub path: std::path::PathBuf,
    pub source: std::io::Error,
}

/// Why a GET did not produce a body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// Not a URL, or not http/https.
    #[error("{url}: not an http or https URL")]
    BadUrl {
        /// What was given.
        url: String,
    },
    /// The server could not be reached.
    #[error("{url}: cannot connect: {reason}")]
    Connect {
        url: String,
        /// Why, in the network stack's words.
        reason: String,
    },
    /// The server took too long.
    #[error("{url}: no complete answer within {secs} s")]
    Timeout {
        url: String,
        /// The limit that was hit.
        secs: u64,
    },
    /// The server answered with an error status.
    #[error("{url}: the server answered HTTP {status}")]
    Status {
        url: String,
        /// The HTTP status code.
        status: u16,
        /// Seconds from a `Retry-After` header, when given.
        retry_after: Option<u64>,
    },
    /// The body is larger than allowed.
    #[error("{url}: the answer is larger than {limit} bytes")]
    TooLarge { url: String, limit: usize },
    /// Too many or disallowed redirects.
    #[error("{url}: {reason}")]
    Redirect {
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// Anything else the HTTP stack reported.
    #[error("{url}: {reason}")]
    Other {
        url: String,
        /// What went wrong.
        reason: String,
    },
}

/// The answer to a conditional GET.
#[derive(Debug, Clone)]
pub enum Conditional {
    /// `304`: what we have is current.
    NotModified,
    /// A new body.
    Fresh(Fetched),
}

/// A successful GET.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The body.
    pub bytes: Vec<u8>,
    /// The URL after redirects.
    pub final_url: String,
    /// The `ETag` header, when sent.
    pub etag: Option<String>,
    /// The `Last-Modified` header, when sent.
    pub last_modified: Option<String>,
}

/// An HTTP client with the limits above. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    /// For event streams: no overall time limit, but a limit on silence.
    stream_client: reqwest::Client,
    options: FetcherOptions,
}

/// Parses `url` and accepts only http and https (the one rule: [`svetofor_feed::parse_web_url`]).
pub fn web_url(url: &str) -> Result<Url, FetchError> {
    svetofor_feed::parse_web_url(url).map_err(|_| FetchError::BadUrl {
        url: url.to_owned(),
    })
}

impl Fetcher {
    /// Builds a fetcher with these limits and settings.
    pub fn new(options: FetcherOptions) -> Result<Self, FetchError> {
        // reqwest is built without a crypto provider of its own (see the workspace manifest)
        // and takes the process default; an error only means one is installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let setup = |reason: String| FetchError::Other {
            url: String::new(),
            reason,
        };
        let certs = match &options.extra_ca_pem {
            Some(pem) => reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| setup(format!("extra CA file: {}", root_cause(&e))))?,
            None => vec![],
        };
        let proxy = match &options.proxy {
            Some(p) => Some(
                reqwest::Proxy::all(p)
                    .map_err(|e| setup(format!("proxy {p}: {}", root_cause(&e))))?,
            ),
            None => None,
        };
        let builder = || {
            let redirect = reqwest::redirect::Policy::custom(|attempt| {
                if attempt.previous().len() >= MAX_REDIRECTS {
                    attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
                } else if !matches!(attempt.url().scheme(), "http" | "https") {
                    attempt.error("redirect to a URL that is not http or https")
                } else {
                    attempt.follow()
                }
            });
            let mut b = reqwest::Client::builder()
                .user_agent(concat!("svetofor/", env!("CARGO_PKG_VERSION")))
                .connect_timeout(options.connect_timeout)
                .redirect(redirect)
                .tls_certs_merge(certs.clone());
            if let Some(p) = &proxy {
                b = b.proxy(p.clone());
            }
            b
        };
        let client = builder()
            .read_timeout(options.read_timeout)
            .timeout(options.total_timeout)
            .build()
            .map_err(|e| setup(root_cause(&e)))?;
        let stream_client = builder()
            .read_timeout(options.stream_idle_timeout)
            .build()
            .map_err(|e| setup(root_cause(&e)))?;
        Ok(Fetcher {
            client,
            stream_client,
            options,
        })
    }

    fn request(&self, client: &reqwest::Client, url: Url) -> reqwest::RequestBuilder {
        match &self.options.token {
            Some(t) if t.may_go_to(&url) => client.get(url).bearer_auth(&t.secret),
            _ => client.get(url),
        }
    }

    fn status_error(url: &str, resp: &reqwest::Response) -> FetchError {
        let retry_after = resp
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        FetchError::Status {
            url: url.to_owned(),
            status: resp.status().as_u16(),
            retry_after,
        }
    }

    /// Opens an event stream (`Accept: text/event-stream`), resuming after `last_event_id`.
    /// Returns the response once its headers arrived; a body silent for longer than
    /// `stream_idle_timeout` fails the next read.
    pub async fn open_stream(
        &self,
        url: &str,
        last_event_id: Option<&str>,
    ) -> Result<reqwest::Response, FetchError> {
        let parsed = web_url(url)?;
        let mut req = self
            .request(&self.stream_client, parsed)
            .header(header::ACCEPT, "text/event-stream");
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id);
        }
        let resp = tokio::time::timeout(self.options.total_timeout, req.send())
            .await
            .map_err(|_| FetchError::Timeout {
                url: url.to_owned(),
                secs: self.options.total_timeout.as_secs(),
            })?
            .map_err(|e| self.classify(url, &e))?;
        if !resp.status().is_success() {
            return Err(Self::status_error(url, &resp));
        }
        Ok(resp)
    }

    /// Reads the next piece of an event stream; `Ok(None)` at its end.
    pub async fn next_chunk(
        &self,
        url: &str,
        resp: &mut reqwest::Response,
    ) -> Result<Option<Vec<u8>>, FetchError> {
        match resp.chunk().await {
            Ok(c) => Ok(c.map(|b| b.to_vec())),
            Err(e) => Err(self.classify(url, &e)),
        }
    }

    fn classify(&self, url: &str, e: &reqwest::Error) -> FetchError {
        let url = url.to_owned();
        if e.is_timeout() {
            FetchError::Timeout {
                url,
                secs: self.options.total_timeout.as_secs(),
            }
        } else if e.is_redirect() {
            FetchError::Redirect {
                url,
                reason: root_cause(e),
            }
        } else if e.is_connect() {
            FetchError::Connect {
                url,
                reason: root_cause(e),
            }
        } else {
            FetchError::Other {
                url,
                reason: root_cause(e),
            }
        }
    }

    /// GETs `url` and reads the body within the limits.
    pub async fn get(&self, url: &str) -> Result<Fetched, FetchError> {
        match self.get_conditional(url, None, None).await? {
            Conditional::Fresh(f) => Ok(f),
            Conditional::NotModified => Err(FetchError::Other {
                url: url.to_owned(),
                reason: "the server answered 304 to an unconditional request".to_owned(),
            }),
        }
    }

    /// GETs `url` with `If-None-Match` / `If-Modified-Since` when given.
    pub async fn get_conditional(
        &self,
        url: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> Result<Conditional, FetchError> {
        let parsed = web_url(url)?;
        let mut req = self.request(&self.client, parsed);
        if let Some(e) = etag {
            req = req.header(header::IF_NONE_MATCH, e);
        }
        if let Some(m) = last_modified {
            req = req.header(header::IF_MODIFIED_SINCE, m);
        }
        let mut resp = req.send().await.map_err(|e| self.classify(url, &e))?;
        let status = resp.status();
        if status == StatusCode::NOT_MODIFIED && (etag.is_some() || last_modified.is_some()) {
            return Ok(Conditional::NotModified);
        }
        if !status.is_success() {
            return Err(Self::status_error(url, &resp));
        }
        let limit = self.options.max_bytes;
        let too_large = || FetchError::TooLarge {
            url: url.to_owned(),
            limit,
        };
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let header = |name| {
            resp.headers()
                .get(name)
                .and_then(|v: &header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let etag = header(header::ETAG);
        let last_modified = header(header::LAST_MODIFIED);
        let final_url = resp.url().to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.classify(url, &e))? {
            if bytes.len() + chunk.len() > limit {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Conditional::Fresh(Fetched {
            bytes,
            final_url,
            etag,
            last_modified,
        }))
    }

    /// Like [`Fetcher::get`], but a 404 or 410 is `Ok(None)`: for files that may be absent,
    /// such as a signature.
    pub async fn get_optional(&self, url: &str) -> Result<Option<Fetched>, FetchError> {
        match self.get(url).await {
            Ok(f) => Ok(Some(f)),
            Err(FetchError::Status { status, .. })
                if status == StatusCode::NOT_FOUND.as_u16()
                    || status == StatusCode::GONE.as_u16() =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token_for(feed: &str) -> ScopedToken {
        ScopedToken {
            secret: "svt_x".into(),
            feed: Url::parse(feed).unwrap(),
        }
    }

    #[test]
    fn a_token_goes_to_its_feed_only_and_in_clear_text_only_on_this_machine() {
        let t = token_for("https://status.example.com/feed.json");
        let to = |u: &str| t.may_go_to(&Url::parse(u).unwrap());
        assert!(to("https://status.example.com/feed.json.minisig"));
        assert!(to("https://status.example.com/events"));
        assert!(!to("https://mirror.example.net/feed.json"), "a mirror");
        assert!(
            !to("https://status.example.com:8443/feed.json"),
            "another port"
        );
        assert!(!to("http://status.example.com/feed.json"), "plain http");
        let plain = token_for("http://status.example.com/feed.json");
        assert!(!plain.may_go_to(&Url::parse("http://status.example.com/feed.json").unwrap()));
        for local in [
            "http://127.0.0.1:8380/feed.json",
            "http://localhost:8380/feed.json",
            "http://[::1]:8380/feed.json",
        ] {
            let t = token_for(local);
            assert!(t.may_go_to(&Url::parse(local).unwrap()), "{local}");
        }
        assert!(
            !format!("{t:?}").contains("svt_x"),
            "the secret stays out of logs"
        );
    }
}
