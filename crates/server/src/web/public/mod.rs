//! What anyone may read without the app: the status page (`/`, `/notices/ID`), the
//! Statuspage-compatible API (`/api/v2/…`), the history as Atom and RSS, and the in-product
//! banner script (`/embed.js` with `/embed.json`). All of it is drawn from the signed feed
//! the desktops get and from the store's last 90 days, so every place says the same.
//!
//! A `--private` publisher keeps all of it behind a reader token, like the feed, and never
//! answers a cross-origin request.

mod cors;
mod embed;
mod history;
mod page;
mod sight;
mod statuspage;
mod views;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::AppState;

pub use cors::{EmbedOrigins, cors};
pub use embed::{EmbedAnswers, EmbedBanner};
pub use sight::{Drawn, HISTORY_DAYS, Sight, SightCache};

/// The public routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(page::status_page))
        .route("/notices/{id}", get(page::notice_page))
        .route("/status.css", get(page::style))
        .route("/status.js", get(page::script))
        .route("/embed.js", get(embed::script))
        .route("/embed.json", get(embed::banner))
        .route("/history.atom", syndication(history::Syndication::Atom))
        .route("/history.rss", syndication(history::Syndication::Rss))
        .nest("/api/v2", statuspage::routes())
}

fn syndication(which: history::Syndication) -> axum::routing::MethodRouter<Arc<AppState>> {
    get(
        move |app: axum::extract::State<Arc<AppState>>,
              caller: crate::http::extract::MaybeCaller,
              headers: HeaderMap,
              q: axum::extract::Query<history::Params>| {
            history::route(app, caller, headers, q, which)
        },
    )
}

/// How long browsers and CDNs may keep a public answer, and how long a cache may keep
/// serving it while this publisher cannot be reached (the moment it matters most). No
/// `stale-while-revalidate`: browsers would show a page a change old even on reload.
fn cache_control(app: &AppState, max_age: u32) -> HeaderValue {
    let value = if app.private {
        format!("private, max-age={max_age}")
    } else {
        format!("public, max-age={max_age}, stale-if-error=86400")
    };
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("no-cache"))
}

/// A strong ETag of `body`.
fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// A public answer made once and served many times ([`Drawn`]): the body with its type, its
/// strong ETag (a 304 when the request has it), caching, and `nosniff`.
fn answer(
    app: &AppState,
    headers: &HeaderMap,
    content_type: &'static str,
    max_age: u32,
    drawn: &Drawn,
) -> Response {
    let etag = drawn.etag.as_str();
    let matched = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().trim_start_matches("W/") == etag);
    let mut resp = if matched {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], drawn.body.clone()).into_response()
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, cache_control(app, max_age));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let vary = if app.private {
        "Accept-Language, Authorization"
    } else {
        "Accept-Language"
    };
    h.insert(header::VARY, HeaderValue::from_static(vary));
    resp
}

/// Where readers reach this publisher: `--public-url`, else the request's own host.
fn base_url(app: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &app.console.public_origin {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}
