//! The audit log as a page: who did what, when, filtered by person, target and time.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::form::{Marks, moment_of, time_refusal};
use super::guard::nav_of;
use super::guard::{Person, Reader};
use super::pages::{Layout, draw, who};
use super::{failure, html};
use crate::AppState;
use crate::web::timed::Moment;
use svetofor_store::{AuditQuery, blocking};

/// The filters, as the page's GET form sends them.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Filters {
    /// A person's name (`anna`), or an actor as logged (`system`, `token:…`).
    #[serde(default)]
    person: String,
    /// A notice, draft, token or account.
    #[serde(default)]
    target: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    tz: String,
}

pub(super) async fn audit(
    State(app): State<Arc<AppState>>,
    Query(f): Query<Filters>,
    Person(user, s, w, ..): Person<Reader>,
) -> Response {
    let person = f.person.trim();
    let actor = (!person.is_empty()).then(|| {
        if person.contains(':') || person == "system" {
            person.to_owned()
        } else {
            format!("user:{}", person.to_lowercase())
        }
    });
    let mut marks = Marks::new();
    let mut bound = |field: &str, raw: &str| {
        moment_of(raw, &f.tz).unwrap_or_else(|e| {
            marks.insert(field.to_owned(), vec![time_refusal(w, e)]);
            None
        })
    };
    let query = AuditQuery {
        limit: 200,
        before: None,
        actor,
        target: Some(f.target.trim().to_owned()).filter(|t| !t.is_empty()),
        since: bound("since", &f.since),
        until: bound("until", &f.until),
    };
    // A filter that could not be read is said next to its field; no lines are shown as if
    // they matched it.
    let lines = if marks.is_empty() {
        let store = app.store.clone();
        match blocking(move || store.audit_matching(&query)).await {
            Ok(l) => l,
            Err(e) => return failure(e),
        }
    } else {
        vec![]
    };
    let rows = lines
        .iter()
        .map(|a| {
            let target = a.entry.target.as_deref().unwrap_or("");
            // Notice ids start with their day: `20261201-…`.
            let is_notice = target.len() > 9
                && target.as_bytes()[8] == b'-'
                && target.as_bytes()[..8].iter().all(u8::is_ascii_digit);
            let mut detail = a.entry.detail.to_string();
            if detail.chars().count() > 300 {
                detail = detail.chars().take(300).collect::<String>() + "…";
            }
            Line {
                at: Moment::of(a.entry.at),
                who: who(&a.entry.actor),
                action: &a.entry.action,
                target,
                is_notice,
                detail,
            }
        })
        .collect();
    let nav = nav_of(&user, &s);
    html(
        StatusCode::OK,
        &[],
        draw(&Page {
            l: Layout::new(w, &w.t("console-nav-audit"), Some(&nav)),
            f: &f,
            rows,
            marks: &marks,
        }),
    )
}

/// One line of the log, as drawn.
struct Line<'a> {
    at: Moment,
    who: String,
    action: &'a str,
    target: &'a str,
    /// A notice's id: a link to its page.
    is_notice: bool,
    /// The request as logged, cut at 300 characters.
    detail: String,
}

#[derive(Template)]
#[template(path = "console/audit.html")]
struct Page<'a> {
    l: Layout<'a>,
    f: &'a Filters,
    rows: Vec<Line<'a>>,
    /// Filters that could not be read, and why.
    marks: &'a Marks,
}
