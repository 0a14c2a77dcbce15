//! The in-product banner: `/embed.js`, one script tag in the product's pages, and
//! `/embed.json`, what it shows. The banner's rules and words are the desktop's own (the
//! [`Previewer`](crate::web::console::preview::Previewer) `svetoforctl serve` hands in draws them
//! with `svetofor-desktop-model`), so a product page and a desktop never disagree.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use svetofor_api::ErrorCode;
use svetofor_feed::Severity;

use super::{Drawn, answer, base_url};
use crate::AppState;
use crate::error::ApiError;
use crate::http::extract::{MaybeCaller, require_read};
use crate::web::console::preview::{InProduct, InProductAsk, InProductBanner, InProductRecovery};
use crate::web::words::Lang;

/// The banner `/embed.json` describes, and the words of the strip around it.
#[derive(Debug, Clone, Serialize)]
pub struct EmbedBanner {
    /// The seq of the signed feed it was drawn from: the script checks that feed.
    pub seq: u64,
    /// `null` when nothing is to be shown.
    pub banner: Option<InProductBanner>,
    /// A notice that ended moments ago: a page that was showing it shows this green banner
    /// until `until` (then `banner`, if any), as the desktop does.
    pub recovery: Option<InProductRecovery>,
    /// The notice's page on the status page, or the status page.
    pub details_url: String,
    pub words: StripWords,
}

/// The strip's own words, from the publisher's catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct StripWords {
    pub details: String,
    pub dismiss: String,
    /// Said when the script checked the feed's signature.
    pub verified: String,
    /// Said when this browser cannot check signatures (TLS is all there is).
    pub unverified: String,
}

/// What the script sends.
#[derive(Debug, Deserialize)]
pub struct Params {
    lang: Option<String>,
    /// Component ids, comma-separated.
    components: Option<String>,
    /// `yellow` (the default), `red`, or `green` (news too).
    min: Option<String>,
    /// Minutes east of UTC.
    tz: Option<i32>,
}

/// Answers of `/embed.json` by (seq, request) for a few seconds: every product page asks on
/// load, and the desktop model's catalogue is not free to build.
#[derive(Debug, Default)]
pub struct EmbedAnswers {
    answers: Mutex<HashMap<AnswerKey, Kept>>,
    /// The script with the key written in, plain and gzip-compressed (made once).
    script: std::sync::OnceLock<(Drawn, Drawn)>,
}

/// The feed's seq, and what was asked.
type AnswerKey = (u64, String);
/// When an answer was made, and its bytes.
type Kept = (DateTime<Utc>, Arc<Drawn>);

/// How long an answer is reused ("since 14:25" does not change; a stale line might).
const REUSE: TimeDelta = TimeDelta::seconds(15);
/// At most this many distinct requests are kept.
const KEPT: usize = 256;

/// `GET /embed.json`.
pub async fn banner(
    State(app): State<Arc<AppState>>,
    caller: MaybeCaller,
    headers: HeaderMap,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    require_read(&app, caller.0)?;
    let Some(previewer) = app.console.previewer.clone() else {
        return Err(ApiError::new(
            ErrorCode::Busy,
            "this publisher was started without the banner's rules (svetoforctl serve has them)",
        ));
    };
    let lang = Lang::read(p.lang.as_deref().unwrap_or("ru"));
    let min = match p.min.as_deref() {
        None | Some("yellow") => Severity::Yellow,
        Some("red") => Severity::Red,
        Some("green") => Severity::Green,
        Some(other) => {
            return Err(
                ApiError::bad_request(format!("min={other}: one of yellow, red, green"))
                    .with_field("min"),
            );
        }
    };
    let mut components: Vec<String> = p
        .components
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    if components.len() > 64 || components.iter().any(|c| c.len() > 64) {
        return Err(
            ApiError::bad_request("components: at most 64 ids of 64 characters")
                .with_field("components"),
        );
    }
    components.sort();
    components.dedup();
    let offset_minutes = p.tz.unwrap_or(180).clamp(-14 * 60, 14 * 60);
    let base = base_url(&app, &headers);
    let published = app.publisher.current();
    let key = (
        published.seq,
        format!(
            "{}|{}|{min}|{offset_minutes}|{base}",
            lang.tag(),
            components.join(",")
        ),
    );
    let now = Utc::now();
    let cached = app.embed.answers.lock().ok().and_then(|a| {
        a.get(&key)
            .filter(|(at, _)| now - *at < REUSE)
            .map(|(_, b)| b.clone())
    });
    let body = match cached {
        Some(b) => b,
        None => {
            let sight = app.sight.get(&app).await?;
            let ask = InProductAsk {
                lang: lang.tag().to_owned(),
                components,
                min,
                offset_minutes,
                now,
            };
            let InProduct { banner, recovery } = previewer.in_product(&sight.snapshot, &ask);
            let w = crate::web::words::of(lang);
            let details_url = match &banner {
                Some(b) => format!("{base}/notices/{}?lang={}", b.notice_id, lang.tag()),
                None => format!("{base}/?lang={}", lang.tag()),
            };
            let answer = EmbedBanner {
                seq: sight.seq,
                banner,
                recovery,
                details_url,
                words: StripWords {
                    details: w.t("status-embed-details"),
                    dismiss: w.t("status-embed-dismiss"),
                    verified: w.t("status-embed-verified"),
                    unverified: w.t("status-embed-unverified"),
                },
            };
            let bytes = Arc::new(Drawn::new(
                serde_json::to_vec(&answer).map_err(svetofor_store::StoreError::Encode)?,
            ));
            if let Ok(mut a) = app.embed.answers.lock() {
                if a.len() >= KEPT {
                    a.retain(|(seq, _), (at, _)| *seq == published.seq && now - *at < REUSE);
                }
                if a.len() < KEPT {
                    a.insert(key, (now, bytes.clone()));
                }
            }
            bytes
        }
    };
    Ok(answer(
        &app,
        &headers,
        "application/json; charset=utf-8",
        5,
        &body,
    ))
}

/// The script, with this publisher's public key written in (a product page may pin its
/// own copy with `data-key`).
pub async fn script(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let (plain, gzip) = app.embed.script.get_or_init(|| {
        let key = app.publisher.public_key_file();
        let key = key.lines().nth(1).unwrap_or("").trim().to_owned();
        let js = include_str!("../../../static/embed.js").replace("__SVETOFOR_PUBLIC_KEY__", &key);
        let gzip = svetofor_publisher::publisher::gzip(js.as_bytes());
        (Drawn::new(js.into_bytes()), Drawn::new(gzip))
    });
    let compressed = crate::api::feed::accepts_gzip(&headers);
    let body = if compressed { gzip } else { plain };
    let mut resp = answer(&app, &headers, "text/javascript; charset=utf-8", 300, body);
    let h = resp.headers_mut();
    if compressed {
        h.insert(
            axum::http::header::CONTENT_ENCODING,
            axum::http::HeaderValue::from_static("gzip"),
        );
    }
    h.insert(
        axum::http::header::VARY,
        axum::http::HeaderValue::from_static("Accept-Encoding"),
    );
    resp
}
