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
use svetofor_channels::words as say;
use svetofor_feed::{Kind, Notice, Phase, Severity};

use super::history::lang_of;
use super::{Drawn, HISTORY_DAYS, Sight, answer, base_url};
use crate::AppState;
use crate::console::pages::{esc, time_tag};
use crate::console::words::{Lang, Words};
use crate::error::ApiError;
use crate::http::extract::{MaybeCaller, require_read};

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
    let w = crate::console::words::of(lang_of(p.lang.as_deref(), &headers));
    let base = base_url(&app, &headers);
    let body = sight.drawn(format!("home|{}|{base}", w.lang().tag()), || {
        home(w, &sight, Utc::now(), &base).into_bytes()
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
    let w = crate::console::words::of(lang_of(p.lang.as_deref(), &headers));
    let page = Drawn::new(one_notice(w, &sight, n, Utc::now()).into_bytes());
    Ok(html(&app, &headers, &page))
}

/// `GET /status.css`.
pub async fn style(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    static CSS: std::sync::OnceLock<Drawn> = std::sync::OnceLock::new();
    let css = CSS.get_or_init(|| Drawn::new(include_bytes!("../../public/status.css").to_vec()));
    answer(&app, &headers, "text/css; charset=utf-8", 3600, css)
}

/// `GET /status.js`.
pub async fn script(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    static JS: std::sync::OnceLock<Drawn> = std::sync::OnceLock::new();
    let js = JS.get_or_init(|| {
        Drawn::new(
            concat!(
                include_str!("../../public/times.js"),
                include_str!("../../public/status.js")
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

/// The shape of a light, as the tray draws it, with its word for screen readers.
pub fn shape(severity: Severity, label: &str) -> String {
    let inner = match severity {
        Severity::Green => {
            "<circle cx=\"32\" cy=\"32\" r=\"29\" class=\"f\"/>\
             <path d=\"M17 33 L28 44 L47 21\" class=\"m\"/>"
        }
        Severity::Yellow => {
            "<polygon points=\"32,3 62,58 2,58\" class=\"f\"/>\
             <rect x=\"28\" y=\"20\" width=\"8\" height=\"23\" rx=\"3\" class=\"k\"/>\
             <circle cx=\"32\" cy=\"51\" r=\"5\" class=\"k\"/>"
        }
        Severity::Red => {
            "<polygon points=\"21,2 43,2 62,21 62,43 43,62 21,62 2,43 2,21\" class=\"f\"/>\
             <rect x=\"13\" y=\"27\" width=\"38\" height=\"10\" rx=\"3\" class=\"w\"/>"
        }
    };
    format!(
        "<svg class=\"shape sev-{severity}\" viewBox=\"0 0 64 64\" role=\"img\" aria-label=\"{label}\">{inner}</svg>",
        label = esc(label)
    )
}

fn say_lang(w: &Words) -> Lang {
    w.lang()
}

/// The worst in effect, and the heading that says it.
fn overall(w: &Words, in_effect: &[&Notice]) -> (Severity, String) {
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

fn layout(w: &Words, sight: &Sight, title: &str, body: &str) -> String {
    let lang = w.lang();
    let other = lang.other();
    format!(
        "<!doctype html>\n<html lang=\"{tag}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<link rel=\"stylesheet\" href=\"/status.css\">\n\
         <link rel=\"alternate\" type=\"application/atom+xml\" href=\"/history.atom?lang={tag}\" title=\"Atom\">\n\
         <script src=\"/status.js\" defer></script>\n</head>\n<body data-seq=\"{seq}\">\n\
         <a class=\"skip\" href=\"#main\">{skip}</a>\n\
         <header><a class=\"brand\" href=\"/?lang={tag}\">{name}</a>\
         <a class=\"lang\" href=\"?lang={other}\" hreflang=\"{other}\" lang=\"{other}\">{switch}</a></header>\n\
         <main id=\"main\">\n{body}\n</main>\n<footer>\n<p>{footer}</p>\n</footer>\n</body>\n</html>\n",
        tag = lang.tag(),
        other = other.tag(),
        seq = sight.seq,
        title = esc(title),
        name = esc(&sight.feed.name),
        skip = esc(&w.t("status-skip")),
        switch = esc(&crate::console::words::of(other).t("status-switch")),
        footer = footer_links(w),
    )
}

fn footer_links(w: &Words) -> String {
    let tag = w.lang().tag();
    [
        (format!("/history.atom?lang={tag}"), "status-link-atom"),
        (format!("/history.rss?lang={tag}"), "status-link-rss"),
        ("/api/v2/summary.json".to_owned(), "status-link-api"),
        (format!("/?lang={tag}#app"), "status-link-app"),
    ]
    .iter()
    .map(|(href, key)| format!("<a href=\"{href}\">{}</a>", esc(&w.t(key))))
    .collect::<Vec<_>>()
    .join(" · ")
}

fn with_time(w: &Words, key: &str, t: DateTime<Utc>) -> String {
    crate::console::pages::with_time(w, key, t)
}

/// The home page.
pub fn home(w: &Words, sight: &Sight, now: DateTime<Utc>, base: &str) -> String {
    let in_effect: Vec<&Notice> = sight
        .history
        .iter()
        .filter(|n| n.phase_by_clock(now) == Phase::Active)
        .collect();
    let mut in_effect = in_effect;
    in_effect.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.updated_at.cmp(&a.updated_at))
    });
    let mut upcoming: Vec<&Notice> = sight
        .history
        .iter()
        .filter(|n| n.phase_by_clock(now) == Phase::Upcoming)
        .collect();
    upcoming.sort_by_key(|n| n.window.as_ref().map(|win| win.starts_at));
    let (severity, heading) = overall(w, &in_effect);
    let mut body = format!(
        "<section class=\"overall sev-{severity}\" aria-labelledby=\"overall\">{shape}\
         <div><h1 id=\"overall\">{heading}</h1><p class=\"age\">{updated}</p></div></section>\n",
        shape = shape(severity, &heading),
        heading = esc(&heading),
        updated = with_time(w, "status-updated", sight.feed.generated_at),
    );
    body.push_str(&format!(
        "<section aria-labelledby=\"now\"><h2 id=\"now\">{}</h2>\n",
        esc(&w.t("status-now"))
    ));
    if in_effect.is_empty() {
        body.push_str(&format!("<p>{}</p>\n", esc(&w.t("status-now-none"))));
    }
    for n in &in_effect {
        body.push_str(&notice_card(w, sight, n, now, true));
    }
    body.push_str("</section>\n");
    if !upcoming.is_empty() {
        body.push_str(&format!(
            "<section aria-labelledby=\"upcoming\"><h2 id=\"upcoming\">{}</h2>\n",
            esc(&w.t("status-upcoming"))
        ));
        for n in &upcoming {
            body.push_str(&notice_card(w, sight, n, now, false));
        }
        body.push_str("</section>\n");
    }
    body.push_str(&days_section(w, sight, now));
    body.push_str(&past_section(w, sight, now));
    body.push_str(&app_section(w, base));
    layout(
        w,
        sight,
        &format!("{} — {}", heading, sight.feed.name),
        &body,
    )
}

fn lang_tag(w: &Words) -> &'static str {
    w.lang().tag()
}

fn text<'a>(w: &Words, sight: &Sight, t: &'a svetofor_feed::Text) -> &'a str {
    t.get(lang_tag(w), &sight.feed.default_language)
}

/// "Since …", "from … to …", and the promised next word.
fn when(w: &Words, n: &Notice, now: DateTime<Utc>) -> String {
    let mut parts = vec![];
    match (&n.window, n.kind) {
        (Some(win), Kind::Maintenance) => {
            parts.push(with_time(w, "status-window-from", win.starts_at));
            if let Some(end) = win.ends_at {
                parts.push(with_time(w, "status-window-to", end));
            }
        }
        _ => parts.push(with_time(w, "status-since", n.created_at)),
    }
    if let Some(t) = n.next_update_at.filter(|_| !n.state.is_final()) {
        let key = if n.is_overdue(now) {
            "status-next-overdue"
        } else {
            "status-next"
        };
        parts.push(with_time(w, key, t));
    }
    parts.join(" · ")
}

fn components_line(w: &Words, sight: &Sight, n: &Notice) -> String {
    let names = if n.components.is_empty() {
        w.t("status-whole-product")
    } else {
        n.components
            .iter()
            .map(|c| sight.component_name(c, lang_tag(w)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "<p class=\"parts\">{}: {}</p>",
        esc(&w.t("status-affects")),
        esc(&names)
    )
}

fn timeline(w: &Words, sight: &Sight, n: &Notice) -> String {
    let sl = say_lang(w);
    let items: Vec<String> = n
        .updates
        .iter()
        .enumerate()
        .rev()
        .map(|(i, u)| {
            let said = if u.text.is_empty() && i == 0 {
                text(w, sight, &n.body)
            } else {
                text(w, sight, &u.text)
            };
            format!(
                "<li><span class=\"step\">{state}</span> {at}<p class=\"said\">{said}</p></li>",
                state = esc(&capitalised(&say::state_word(u.state, sl))),
                at = time_tag(u.at),
                said = esc(said),
            )
        })
        .collect();
    if items.is_empty() {
        return format!("<p class=\"said\">{}</p>", esc(text(w, sight, &n.body)));
    }
    format!("<ol class=\"timeline\">{}</ol>", items.join(""))
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn notice_card(w: &Words, sight: &Sight, n: &Notice, now: DateTime<Utc>, full: bool) -> String {
    let word = say::severity_word(n, say_lang(w));
    let tag = lang_tag(w);
    let id = esc(&n.id);
    format!(
        "<article class=\"notice sev-{severity}\" aria-labelledby=\"n-{id}\">{shape}<div>\
         <h3 id=\"n-{id}\"><span class=\"word\">{word}:</span> <a href=\"/notices/{id}?lang={tag}\">{title}</a></h3>\
         <p class=\"when\">{when}</p>{parts}{timeline}</div></article>\n",
        severity = n.severity,
        shape = shape(n.severity, &word),
        word = esc(&word),
        title = esc(text(w, sight, &n.title)),
        when = when(w, n, now),
        parts = components_line(w, sight, n),
        timeline = if full {
            timeline(w, sight, n)
        } else {
            format!("<p class=\"said\">{}</p>", esc(text(w, sight, &n.body)))
        },
    )
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

fn day_key(d: Day) -> &'static str {
    match d {
        Day::Fine => "status-day-fine",
        Day::Maintenance => "status-day-maintenance",
        Day::Problems => "status-day-problems",
        Day::Outage => "status-day-outage",
    }
}

fn day_class(d: Day) -> &'static str {
    match d {
        Day::Fine => "fine",
        Day::Maintenance => "maint",
        Day::Problems => "minor",
        Day::Outage => "major",
    }
}

fn days_row(w: &Words, name: &str, days: &[(NaiveDate, Day)]) -> String {
    let count = |d: Day| days.iter().filter(|(_, x)| *x == d).count().to_string();
    let summary = w.tr_str(
        "status-days-summary",
        &[
            ("outage", &count(Day::Outage)),
            ("problems", &count(Day::Problems)),
            ("maintenance", &count(Day::Maintenance)),
        ],
    );
    let cells: String = days
        .iter()
        .map(|(date, d)| {
            format!(
                "<span class=\"day {}\" title=\"{} — {}\"></span>",
                day_class(*d),
                date.format("%Y-%m-%d"),
                esc(&w.t(day_key(*d)))
            )
        })
        .collect();
    format!(
        "<div class=\"component\"><h3>{name}</h3>\
         <div class=\"days\" role=\"img\" aria-label=\"{label}\">{cells}</div>\
         <p class=\"ends\" aria-hidden=\"true\"><span>{ago}</span><span>{today}</span></p>\
         <p class=\"summary\">{summary}</p></div>\n",
        ago = esc(&w.tr_str("status-days-ago", &[("days", &HISTORY_DAYS.to_string())])),
        today = esc(&w.t("status-today")),
        name = esc(name),
        label = esc(&format!("{name}: {summary}")),
        summary = esc(&summary),
    )
}

fn days_section(w: &Words, sight: &Sight, now: DateTime<Utc>) -> String {
    let mut out = format!(
        "<section aria-labelledby=\"days\"><h2 id=\"days\">{}</h2>\n<p class=\"legend\">{}</p>\n",
        esc(&w.tr_str("status-days", &[("days", &HISTORY_DAYS.to_string())])),
        legend(w),
    );
    if sight.components().is_empty() {
        out.push_str(&days_row(
            w,
            &w.t("status-whole-product-heading"),
            &days(sight, None, now),
        ));
    }
    for c in sight.components() {
        out.push_str(&days_row(
            w,
            &sight.component_name(&c.id, lang_tag(w)),
            &days(sight, Some(&c.id), now),
        ));
    }
    out.push_str("</section>\n");
    out
}

fn legend(w: &Words) -> String {
    [Day::Fine, Day::Maintenance, Day::Problems, Day::Outage]
        .iter()
        .map(|d| {
            format!(
                "<span class=\"key\"><span class=\"day {}\"></span> {}</span>",
                day_class(*d),
                esc(&w.t(day_key(*d)))
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn past_section(w: &Words, sight: &Sight, now: DateTime<Utc>) -> String {
    let past: Vec<&Notice> = sight
        .history
        .iter()
        .filter(|n| n.phase_by_clock(now) == Phase::Past)
        .take(30)
        .collect();
    let mut out = format!(
        "<section aria-labelledby=\"past\"><h2 id=\"past\">{}</h2>\n",
        esc(&w.t("status-past"))
    );
    if past.is_empty() {
        out.push_str(&format!("<p>{}</p>\n", esc(&w.t("status-past-none"))));
    } else {
        out.push_str("<ul class=\"past\">");
        for n in past {
            let word = say::severity_word(n, say_lang(w));
            out.push_str(&format!(
                "<li><span class=\"word sev-{sev}\">{word}</span> <a href=\"/notices/{id}?lang={tag}\">{title}</a> {at}</li>",
                sev = n.severity,
                word = esc(&word),
                id = esc(&n.id),
                tag = lang_tag(w),
                title = esc(text(w, sight, &n.title)),
                at = time_tag(n.created_at),
            ));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
    out
}

fn app_section(w: &Words, base: &str) -> String {
    format!(
        "<section id=\"app\" aria-labelledby=\"app-h\"><h2 id=\"app-h\">{heading}</h2>\
         <p>{why}</p><p>{how}</p>\
         <p><code>{base}/feed.json</code> · <a href=\"/feed.pub\">{key}</a></p></section>\n",
        heading = esc(&w.t("status-app")),
        why = esc(&w.t("status-app-why")),
        how = esc(&w.t("status-app-how")),
        base = esc(base),
        key = esc(&w.t("status-app-key")),
    )
}

/// A notice's own page.
pub fn one_notice(w: &Words, sight: &Sight, n: &Notice, now: DateTime<Utc>) -> String {
    let word = say::severity_word(n, say_lang(w));
    let title = text(w, sight, &n.title);
    let state = capitalised(&say::state_word(n.state, say_lang(w)));
    let body = format!(
        "<p><a href=\"/?lang={tag}\">{back}</a></p>\n\
         <section><article class=\"notice sev-{sev} whole\" aria-labelledby=\"title\">{shape}<div>\
         <h1 id=\"title\"><span class=\"word\">{word}:</span> {title}</h1>\
         <p class=\"state\">{state}</p><p class=\"when\">{when}</p>{parts}{timeline}</div></article></section>\n",
        tag = lang_tag(w),
        back = esc(&w.t("status-back")),
        sev = n.severity,
        shape = shape(n.severity, &word),
        word = esc(&word),
        title = esc(title),
        state = esc(&state),
        when = when(w, n, now),
        parts = components_line(w, sight, n),
        timeline = timeline(w, sight, n),
    );
    layout(w, sight, &format!("{word}: {title}"), &body)
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
