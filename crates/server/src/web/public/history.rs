//! The history as Atom (`/history.atom`) and RSS 2.0 (`/history.rss`): one entry per thing
//! support said, newest first, for feed readers and chat bots. Texts are plain text
//! (`type="text"`), escaped, with characters XML 1.0 forbids left out.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use svetofor_channels::words::{self, Lang};
use svetofor_feed::Notice;

use super::{Sight, answer, base_url};
use crate::AppState;
use crate::error::ApiError;
use crate::http::extract::{MaybeCaller, require_read};

/// At most this many entries.
pub const ENTRIES: usize = 100;

#[derive(Debug, Deserialize)]
pub struct Params {
    lang: Option<String>,
}

/// One entry: one step of one notice.
pub struct Entry<'a> {
    pub notice: &'a Notice,
    /// Its place in the notice's timeline.
    pub index: usize,
    pub at: DateTime<Utc>,
    pub title: String,
    pub text: String,
}

/// Every step of every notice in `sight`, newest first, at most [`ENTRIES`].
pub fn entries<'a>(sight: &'a Sight, lang: &str) -> Vec<Entry<'a>> {
    let wl = Lang::read(lang);
    let dl = sight.feed.default_language.as_str();
    let mut out: Vec<Entry<'a>> = vec![];
    for n in &sight.history {
        let title = n.title.get(lang, dl);
        for (i, u) in n.updates.iter().enumerate() {
            let text = if u.text.is_empty() && i == 0 {
                n.body.get(lang, dl)
            } else {
                u.text.get(lang, dl)
            };
            let shown = svetofor_feed::Notice {
                severity: u.severity.unwrap_or(n.severity),
                ..n.clone()
            };
            out.push(Entry {
                notice: n,
                index: i,
                at: u.at,
                title: format!(
                    "[{}] {title} — {}",
                    words::severity_word(&shown, wl),
                    words::state_word(u.state, wl)
                ),
                text: text.to_owned(),
            });
        }
    }
    out.sort_by(|a, b| b.at.cmp(&a.at).then(b.index.cmp(&a.index)));
    out.truncate(ENTRIES);
    out
}

fn entry_id(feed_id: &str, e: &Entry<'_>) -> String {
    format!("urn:svetofor:{feed_id}:{}:{}", e.notice.id, e.index)
}

/// One entry as the documents write it.
pub struct Item<'a> {
    pub id: String,
    pub title: String,
    pub text: String,
    pub notice: &'a str,
    pub severity: &'static str,
    pub rfc3339: String,
    pub rfc2822: String,
}

fn items<'a>(sight: &'a Sight, lang: &str) -> Vec<Item<'a>> {
    entries(sight, lang)
        .into_iter()
        .map(|e| Item {
            id: entry_id(&sight.feed.id, &e),
            notice: &e.notice.id,
            severity: e.notice.severity.as_str(),
            rfc3339: e.at.to_rfc3339_opts(SecondsFormat::Secs, true),
            rfc2822: e.at.to_rfc2822(),
            title: e.title,
            text: e.text,
        })
        .collect()
}

/// `GET /history.atom`.
#[derive(Template)]
#[template(path = "public/history.atom")]
struct AtomDoc<'a> {
    lang: &'a str,
    feed_id: &'a str,
    name: &'a str,
    updated: String,
    base: &'a str,
    entries: Vec<Item<'a>>,
}

/// `GET /history.rss`.
#[derive(Template)]
#[template(path = "public/history.rss")]
struct RssDoc<'a> {
    lang: &'a str,
    name: &'a str,
    built: String,
    base: &'a str,
    entries: Vec<Item<'a>>,
}

/// The Atom document.
pub fn atom(sight: &Sight, lang: &str, base: &str) -> String {
    let list = entries(sight, lang);
    let updated = list.first().map_or(sight.feed.generated_at, |e| e.at).max(
        sight
            .history
            .first()
            .map_or(sight.feed.generated_at, |n| n.updated_at),
    );
    AtomDoc {
        lang,
        feed_id: &sight.feed.id,
        name: &sight.feed.name,
        updated: updated.to_rfc3339_opts(SecondsFormat::Secs, true),
        base,
        entries: items(sight, lang),
    }
    .render()
    .unwrap_or_else(|e| failed(&e))
}

/// The RSS 2.0 document.
pub fn rss(sight: &Sight, lang: &str, base: &str) -> String {
    let built = entries(sight, lang)
        .first()
        .map_or(sight.feed.generated_at, |e| e.at);
    RssDoc {
        lang,
        name: &sight.feed.name,
        built: built.to_rfc2822(),
        base,
        entries: items(sight, lang),
    }
    .render()
    .unwrap_or_else(|e| failed(&e))
}

/// A document that could not be drawn (a bug: every value is plain data): an empty answer
/// rather than a broken one, and the log says why.
fn failed(e: &askama::Error) -> String {
    tracing::error!("a history document could not be drawn: {e}");
    String::new()
}

/// The language a public request reads: `?lang=`, else `Accept-Language`, else Russian.
pub fn lang_of(query: Option<&str>, headers: &HeaderMap) -> Lang {
    match query {
        Some(l) => Lang::read(l),
        None => Lang::of_request(
            None,
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        ),
    }
}

/// One of the two documents.
#[derive(Debug, Clone, Copy)]
pub enum Syndication {
    Atom,
    Rss,
}

/// `GET /history.atom` and `GET /history.rss`.
pub async fn route(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    headers: HeaderMap,
    Query(p): Query<Params>,
    which: Syndication,
) -> Result<Response, ApiError> {
    require_read(&app, caller)?;
    let (draw, content_type): (fn(&Sight, &str, &str) -> String, _) = match which {
        Syndication::Atom => (atom, "application/atom+xml; charset=utf-8"),
        Syndication::Rss => (rss, "application/rss+xml; charset=utf-8"),
    };
    let sight = app.sight.get(&app).await?;
    let lang = lang_of(p.lang.as_deref(), &headers).tag();
    let base = base_url(&app, &headers);
    let body = sight.drawn(format!("{content_type}|{lang}|{base}"), || {
        draw(&sight, lang, &base).into_bytes()
    });
    Ok(answer(&app, &headers, content_type, 60, &body))
}
