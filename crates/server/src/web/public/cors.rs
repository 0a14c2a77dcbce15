//! Cross-origin reads for the in-product banner: the feed, its signature, `/events`,
//! `/embed.json`, the Statuspage API and the history feeds answer the product origins an
//! admin lists (`--embed-origin`), and nobody else. A `--private` publisher answers none:
//! its token must never be sent from a product page.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// The origins allowed to read cross-origin: `https://app.example.com` (scheme, host and
/// port, lower case, no path), or `*` for any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmbedOrigins {
    list: Vec<String>,
}

/// Why an `--embed-origin` value is refused.
#[derive(Debug, thiserror::Error)]
#[error(
    "--embed-origin {0}: an origin such as https://app.example.com (scheme, host, optional port; no path), or *"
)]
pub struct BadOrigin(pub String);

impl EmbedOrigins {
    /// Checks and keeps `origins`.
    pub fn new(origins: &[String]) -> Result<Self, BadOrigin> {
        let mut list = vec![];
        for o in origins {
            let o = o.trim().trim_end_matches('/').to_ascii_lowercase();
            if o != "*" && !is_origin(&o) {
                return Err(BadOrigin(o));
            }
            list.push(o);
        }
        Ok(EmbedOrigins { list })
    }

    /// Whether any origin is allowed.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    fn allows(&self, origin: &str) -> Option<HeaderValue> {
        let origin = origin.to_ascii_lowercase();
        if self.list.iter().any(|o| o == "*") {
            return Some(HeaderValue::from_static("*"));
        }
        self.list
            .contains(&origin)
            .then(|| HeaderValue::from_str(&origin).ok())
            .flatten()
    }
}

fn is_origin(o: &str) -> bool {
    let Some(rest) = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"))
    else {
        return false;
    };
    !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
}

fn shared(path: &str) -> bool {
    matches!(
        path,
        "/feed.json"
            | "/feed.json.minisig"
            | "/feed.bundle.json"
            | "/events"
            | "/embed.json"
            | "/history.atom"
            | "/history.rss"
    ) || path.starts_with("/api/v2/")
}

/// The middleware: preflights answered here, the others get their `Access-Control-*`
/// headers on the way out.
pub async fn cors(State(app): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if app.private || app.embed_origins.is_empty() || !shared(req.uri().path()) {
        return next.run(req).await;
    }
    let allowed = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .and_then(|o| app.embed_origins.allows(o));
    if req.method() == Method::OPTIONS {
        let mut resp = StatusCode::NO_CONTENT.into_response();
        let h = resp.headers_mut();
        if let Some(origin) = allowed {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("last-event-id"),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
        }
        h.append(header::VARY, HeaderValue::from_static("Origin"));
        return resp;
    }
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    if let Some(origin) = allowed {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("ETag"),
        );
    }
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked_and_matched_exactly() {
        let o = EmbedOrigins::new(&["https://App.example.com/".into()]).unwrap();
        assert!(o.allows("https://app.example.com").is_some());
        assert!(o.allows("https://app.example.com.evil.test").is_none());
        assert!(o.allows("http://app.example.com").is_none());
        assert!(EmbedOrigins::new(&["https://a.test/path".into()]).is_err());
        assert!(EmbedOrigins::new(&["a.test".into()]).is_err());
        let any = EmbedOrigins::new(&["*".into()]).unwrap();
        assert_eq!(any.allows("https://x.test").unwrap(), "*");
    }
}
