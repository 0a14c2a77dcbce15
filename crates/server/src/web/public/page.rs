//! The public status page (`/`) and a notice's page (`/notices/ID`): server-rendered, whole
//! without JavaScript, in Russian or English. Every text from a notice goes through [`esc`].
//! The overall status is said in words and drawn as the tray's shapes (circle, triangle,
//! octagon), never by colour alone.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;
use svetofor_feed::{Kind, Notice, Phase, Severity};

use super::history::lang_of;
use super::{Drawn, HISTORY_DAYS, Sight, answer, base_url, views};
use crate::AppState;
use crate::error::ApiError;
use crate::http::extract::{MaybeCaller, require_read};
use crate::web::words::Words;

const CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; \
                   img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

#[derive(Debug, Deserialize)]
pub struct Params {
    lang: Option<String>,
}

/// `GET /`.
pub async fn status_page(
    State(app): State<Arc<AppState>>,
    caller: MaybeCaller,
    headers: HeaderMap,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    require_read(&app, caller.0)?;
    let sight = app.sight.get(&app).await?;
    let w = crate::web::words::of(lang_of(p.lang.as_deref(), &headers));
    let base = base_url(&app, &headers);
    let body = sight.drawn(format!("home|{}|{base}", w.lang().tag()), || {
        views::home(w, &sight, Utc::now(), &base).into_bytes()
    });
    Ok(html(&app, &headers, &body))
}

/// `GET /notices/{id}`.
pub async fn notice_page(
    State(app): State<Arc<AppState>>,
    caller: MaybeCaller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    require_read(&app, caller.0)?;
    let sight = app.sight.get(&app).await?;
    let Some(n) = sight.notice(&id) else {
        return Err(ApiError::not_found(format!(
            "no notice \"{id}\" in the last {HISTORY_DAYS} days"
        )));
    };
    let w = crate::web::words::of(lang_of(p.lang.as_deref(), &headers));
    let page = Drawn::new(views::one_notice(w, &sight, n, Utc::now()).into_bytes());
    Ok(html(&app, &headers, &page))
}

/// `GET /status.css`.
pub async fn style(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    static CSS: std::sync::OnceLock<Drawn> = std::sync::OnceLock::new();
    let css = CSS.get_or_init(|| Drawn::new(include_bytes!("../../../static/status.css").to_vec()));
    answer(&app, &headers, "text/css; charset=utf-8", 3600, css)
}

/// `GET /status.js`.
pub async fn script(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    static JS: std::sync::OnceLock<Drawn> = std::sync::OnceLock::new();
    let js = JS.get_or_init(|| {
        Drawn::new(
            concat!(
                include_str!("../../../static/times.js"),
                include_str!("../../../static/status.js")
            )
            .as_bytes()
            .to_vec(),
        )
    });
    answer(&app, &headers, "text/javascript; charset=utf-8", 3600, js)
}

fn html(app: &AppState, headers: &HeaderMap, page: &Drawn) -> Response {
    let mut resp = answer(app, headers, "text/html; charset=utf-8", 15, page);
    let h = resp.headers_mut();
    // Browsers ask every time (a 304 when nothing changed): a reader must not see an outage
    // that is over, even for seconds. A CDN keeps the page for 15 s, and serves it for a day
    // when this publisher cannot answer.
    if !app.private {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=0, s-maxage=15, stale-if-error=86400"),
        );
    }
    crate::http::page_headers::secure(h, CSP, "no-referrer");
    resp.into_response()
}

/// The worst in effect, and the heading that says it.
pub(super) fn overall(w: &Words, in_effect: &[&Notice]) -> (Severity, String) {
    let worst = in_effect.iter().map(|n| n.severity).max();
    match worst {
        Some(Severity::Red) => (Severity::Red, w.t("status-overall-red")),
        Some(Severity::Yellow)
            if in_effect
                .iter()
                .filter(|n| n.severity == Severity::Yellow)
                .all(|n| n.kind == Kind::Maintenance) =>
        {
            (Severity::Yellow, w.t("status-overall-maintenance"))
        }
        Some(Severity::Yellow) => (Severity::Yellow, w.t("status-overall-yellow")),
        _ => (Severity::Green, w.t("status-overall-green")),
    }
}

fn lang_tag(w: &Words) -> &'static str {
    w.lang().tag()
}

pub(super) fn text<'a>(w: &Words, sight: &Sight, t: &'a svetofor_feed::Text) -> &'a str {
    t.get(lang_tag(w), &sight.feed.default_language)
}

pub(super) fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// When a notice was in effect: from its start to its end (or now).
fn span_of(n: &Notice, now: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let start = match (&n.window, n.kind) {
        (Some(win), Kind::Maintenance) => win.starts_at,
        _ => n.created_at,
    };
    let end = match n.phase_by_clock(now) {
        Phase::Upcoming => return None,
        Phase::Active => now,
        Phase::Past => n
            .updates
            .iter()
            .rev()
            .find(|u| u.state.is_final())
            .map_or(n.updated_at, |u| u.at),
    };
    (end >= start).then_some((start, end))
}

/// How bad one day was for one component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Day {
    Fine,
    Maintenance,
    Problems,
    Outage,
}

/// The last [`HISTORY_DAYS`] days (UTC) for `component` (`None`: the whole product), oldest
/// first.
pub fn days(sight: &Sight, component: Option<&str>, now: DateTime<Utc>) -> Vec<(NaiveDate, Day)> {
    let today = now.date_naive();
    let first = today - Duration::days(HISTORY_DAYS - 1);
    let mut out: Vec<(NaiveDate, Day)> = (0..HISTORY_DAYS)
        .map(|i| (first + Duration::days(i), Day::Fine))
        .collect();
    for n in &sight.history {
        if n.severity == Severity::Green && n.kind != Kind::Maintenance {
            continue;
        }
        let touches = match component {
            None => true,
            Some(c) => n.components.is_empty() || n.components.iter().any(|x| x == c),
        };
        let Some((start, end)) = span_of(n, now).filter(|_| touches) else {
            continue;
        };
        let day = match (n.kind, n.severity) {
            (Kind::Maintenance, _) => Day::Maintenance,
            (_, Severity::Red) => Day::Outage,
            _ => Day::Problems,
        };
        for (date, worst) in out.iter_mut() {
            if *date >= start.date_naive() && *date <= end.date_naive() && day > *worst {
                *worst = day;
            }
        }
    }
    out
}

pub(super) fn day_key(d: Day) -> &'static str {
    match d {
        Day::Fine => "status-day-fine",
        Day::Maintenance => "status-day-maintenance",
        Day::Problems => "status-day-problems",
        Day::Outage => "status-day-outage",
    }
}

pub(super) fn day_class(d: Day) -> &'static str {
    match d {
        Day::Fine => "fine",
        Day::Maintenance => "maint",
        Day::Problems => "minor",
        Day::Outage => "major",
    }
}

/// The shape of a light, as the tray draws it, with its word for screen readers (for tests:
/// pages draw it with the `shape` macro).
#[cfg(test)]
#[derive(askama::Template)]
#[template(
    source = "{% import \"macros.html\" as m %}{% call m::shape(severity, label) %}{% endcall %}",
    ext = "html"
)]
struct ShapeOnly<'a> {
    severity: &'a str,
    label: &'a str,
}

#[cfg(test)]
fn shape(severity: Severity, label: &str) -> String {
    use askama::Template;
    ShapeOnly {
        severity: severity.as_str(),
        label,
    }
    .render()
    .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_light_has_its_own_shape_and_a_word() {
        let shapes: Vec<String> = [Severity::Green, Severity::Yellow, Severity::Red]
            .iter()
            .map(|s| shape(*s, "<x>"))
            .collect();
        assert!(shapes[0].contains("<circle") && !shapes[0].contains("<polygon"));
        assert!(shapes[1].contains("points=\"32,3 62,58 2,58\""));
        assert!(shapes[2].contains("points=\"21,2 43,2"));
        assert!(
            shapes
                .iter()
                .all(|s| s.contains("aria-label=\"&lt;x&gt;\""))
        );
    }
}
