//! The audit log as a page: who did what, when, filtered by person, target and time.

use std::collections::BTreeMap;
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
use crate::web::words::Words;
use svetofor_store::{AuditAction, AuditQuery, blocking};

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
    let (lines, titles) = if marks.is_empty() {
        let store = app.store.clone();
        let lang = w.lang().tag();
        match blocking(move || {
            let lines = store.audit_matching(&query)?;
            // The notices' titles, read once each, so a line names the notice, not its id.
            let mut titles = BTreeMap::new();
            for id in lines.iter().filter_map(|a| a.entry.target.as_deref()) {
                if is_notice_id(id) && !titles.contains_key(id) {
                    let title = store.notice(id)?.map(|n| n.title.get(lang, "").to_owned());
                    titles.insert(id.to_owned(), title);
                }
            }
            Ok::<_, svetofor_store::StoreError>((lines, titles))
        })
        .await
        {
            Ok(l) => l,
            Err(e) => return failure(e),
        }
    } else {
        (vec![], BTreeMap::new())
    };
    let rows = lines
        .iter()
        .map(|a| {
            let target = a.entry.target.as_deref().unwrap_or("");
            let is_notice = is_notice_id(target);
            let detail = match &a.entry.detail {
                serde_json::Value::Null => String::new(),
                d => serde_json::to_string_pretty(d).unwrap_or_default(),
            };
            Line {
                at: Moment::of(a.entry.at),
                who: who(&a.entry.actor),
                action: action_words(w, &a.entry.action),
                target,
                title: titles.get(target).cloned().flatten(),
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

/// Notice ids start with their day: `20261201-…`.
fn is_notice_id(target: &str) -> bool {
    target.len() > 9
        && target.as_bytes()[8] == b'-'
        && target.as_bytes()[..8].iter().all(u8::is_ascii_digit)
}

/// What was done, in the console's words ("published a notice"); an action this console
/// does not know yet is shown by its name.
fn action_words(w: &Words, name: &str) -> String {
    match AuditAction::from_name(name) {
        Some(a) => w.t(&format!(
            "console-audit-did-{}",
            a.name().replace(['.', '_'], "-")
        )),
        None => name.to_owned(),
    }
}

/// One line of the log, as drawn.
struct Line<'a> {
    at: Moment,
    who: String,
    /// What was done, in words.
    action: String,
    target: &'a str,
    /// The notice's title, when the target is a notice that is still kept.
    title: Option<String>,
    /// A notice's id: a link to its page.
    is_notice: bool,
    /// The request as logged, laid out to read, folded on the page.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::words::{self, Lang};

    /// Every action the log keeps reads as words in each console language.
    #[test]
    fn every_action_has_words() {
        for lang in Lang::ALL {
            for a in AuditAction::ALL {
                let said = action_words(words::of(lang), a.name());
                assert!(
                    !said.starts_with("console-audit"),
                    "{lang} {}: {said}",
                    a.name()
                );
                assert_ne!(said, a.name());
            }
        }
        assert_eq!(
            action_words(words::of(Lang::Ru), "notice.create"),
            "опубликовал(а) сообщение"
        );
        assert_eq!(
            action_words(words::of(Lang::En), "some.future"),
            "some.future"
        );
    }
}
