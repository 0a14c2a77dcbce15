//! HTTP(S) GETs with limits: at most [`MAX_DOCUMENT_BYTES`] read, bounded time, at most five
//! redirects, http and https only. TLS is rustls with the operating system's trust store, so
//! corporate CAs installed on the machine are trusted.

use std::time::Duration;

use reqwest::{StatusCode, Url, header};
use svetofor_feed::MAX_DOCUMENT_BYTES;

/// Most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 5;

/// Limits for a [`Fetcher`].
#[derive(Debug, Clone)]
pub struct FetcherOptions {
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
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(15),
            total_timeout: Duration::from_secs(30),
            max_bytes: MAX_DOCUMENT_BYTES,
        }
    }
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
        /// The URL.
        url: String,
        /// Why, in the network stack's words.
        reason: String,
    },
    /// The server took too long.
    #[error("{url}: no complete answer within {secs} s")]
    Timeout {
        /// The URL.
        url: String,
        /// The limit that was hit.
        secs: u64,
    },
    /// The server answered with an error status.
    #[error("{url}: the server answered HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// Seconds from a `Retry-After` header, when given.
        retry_after: Option<u64>,
    },
    /// The body is larger than allowed.
    #[error("{url}: the answer is larger than {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit.
        limit: usize,
    },
    /// Too many or disallowed redirects.
    #[error("{url}: {reason}")]
    Redirect {
        /// The URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// Anything else the HTTP stack reported.
    #[error("{url}: {reason}")]
    Other {
        /// The URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
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
    options: FetcherOptions,
}

/// Parses `url` and accepts only http and https.
pub fn web_url(url: &str) -> Result<Url, FetchError> {
    match Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(u),
        _ => Err(FetchError::BadUrl {
            url: url.to_owned(),
        }),
    }
}

/// The innermost cause of an error: the part a person can act on ("connection refused").
fn root_cause(e: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

impl Fetcher {
    /// Builds a fetcher with these limits.
    pub fn new(options: FetcherOptions) -> Result<Self, FetchError> {
        let redirect = reqwest::redirect::Policy::custom(|attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
            } else if !matches!(attempt.url().scheme(), "http" | "https") {
                attempt.error("redirect to a URL that is not http or https")
            } else {
                attempt.follow()
            }
        });
        let client = reqwest::Client::builder()
            .user_agent(concat!("svetofor/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(options.connect_timeout)
            .read_timeout(options.read_timeout)
            .timeout(options.total_timeout)
            .redirect(redirect)
            .build()
            .map_err(|e| FetchError::Other {
                url: String::new(),
                reason: root_cause(&e),
            })?;
        Ok(Fetcher { client, options })
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
        let parsed = web_url(url)?;
        let mut resp = self
            .client
            .get(parsed)
            .send()
            .await
            .map_err(|e| self.classify(url, &e))?;
        let status = resp.status();
        if !status.is_success() {
            let retry_after = resp
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok());
            return Err(FetchError::Status {
                url: url.to_owned(),
                status: status.as_u16(),
                retry_after,
            });
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
        Ok(Fetched {
            bytes,
            final_url,
            etag,
            last_modified,
        })
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
