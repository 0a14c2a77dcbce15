//! The history as Atom (`/history.atom`) and RSS 2.0 (`/history.rss`): one entry per thing
//! support said, newest first, for feed readers and chat bots. Texts are plain text
//! (`type="text"`), escaped, with characters XML 1.0 forbids left out.

use std::sync::Arc;

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

/// Text for XML: escaped, and without the control characters XML 1.0 cannot carry.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn entry_id(feed_id: &str, e: &Entry<'_>) -> String {
    format!("urn:svetofor:{feed_id}:{}:{}", e.notice.id, e.index)
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
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
    let name = xml(&sight.feed.name);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{lang}\">\n\
         <id>urn:svetofor:{id}</id>\n<title>{name}</title>\n<updated>{updated}</updated>\n\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{base}/history.atom?lang={lang}\"/>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{base}/?lang={lang}\"/>\n\
         <author><name>{name}</name></author>\n<generator>Svetofor</generator>\n",
        lang = xml(lang),
        id = xml(&sight.feed.id),
        updated = rfc3339(updated),
        base = xml(base),
    );
    for e in &list {
        out.push_str(&format!(
            "<entry>\n<id>{id}</id>\n<title type=\"text\">{title}</title>\n\
             <updated>{at}</updated>\n<published>{at}</published>\n\
             <link rel=\"alternate\" type=\"text/html\" href=\"{base}/notices/{notice}?lang={lang}\"/>\n\
             <category term=\"{severity}\"/>\n<content type=\"text\">{text}</content>\n</entry>\n",
            id = xml(&entry_id(&sight.feed.id, e)),
            title = xml(&e.title),
            at = rfc3339(e.at),
            base = xml(base),
            notice = xml(&e.notice.id),
            lang = xml(lang),
            severity = e.notice.severity,
            text = xml(&e.text),
        ));
    }
    out.push_str("</feed>\n");
    out
}

/// The RSS 2.0 document.
pub fn rss(sight: &Sight, lang: &str, base: &str) -> String {
    let list = entries(sight, lang);
    let built = list.first().map_or(sight.feed.generated_at, |e| e.at);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n\
         <title>{name}</title>\n<link>{base}/?lang={lang}</link>\n<description>{name}</description>\n\
         <language>{lang}</language>\n<lastBuildDate>{built}</lastBuildDate>\n\
         <atom:link href=\"{base}/history.rss?lang={lang}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        name = xml(&sight.feed.name),
        base = xml(base),
        lang = xml(lang),
        built = built.to_rfc2822(),
    );
    for e in &list {
        out.push_str(&format!(
            "<item>\n<title>{title}</title>\n<link>{base}/notices/{notice}?lang={lang}</link>\n\
             <guid isPermaLink=\"false\">{id}</guid>\n<pubDate>{at}</pubDate>\n\
             <category>{severity}</category>\n<description>{text}</description>\n</item>\n",
            title = xml(&e.title),
            base = xml(base),
            notice = xml(&e.notice.id),
            lang = xml(lang),
            id = xml(&entry_id(&sight.feed.id, e)),
            at = e.at.to_rfc2822(),
            severity = e.notice.severity,
            text = xml(&e.text),
        ));
    }
    out.push_str("</channel>\n</rss>\n");
    out
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

#[cfg(test)]
mod tests {
    use super::xml;

    #[test]
    fn xml_text_is_escaped_and_keeps_only_what_xml_can_carry() {
        assert_eq!(
            xml("<b>a & 'b'</b>\u{1}\u{1b}\tc\n"),
            "&lt;b&gt;a &amp; &apos;b&apos;&lt;/b&gt;\tc\n"
        );
    }
}
