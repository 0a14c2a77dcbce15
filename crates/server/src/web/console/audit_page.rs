//! The audit log as a page: who did what, when, filtered by person, target and time.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::form::moment_of;
use super::guard::nav_of;
use super::guard::{Person, Reader};
use super::pages::{esc, signed_page, time_tag, who};
use super::{failure, html, words_for};
use crate::AppState;
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
    headers: HeaderMap,
    Person {
        user, session: s, ..
    }: Person<Reader>,
) -> Response {
    let w = words_for(&headers);
    let person = f.person.trim();
    let actor = (!person.is_empty()).then(|| {
        if person.contains(':') || person == "system" {
            person.to_owned()
        } else {
            format!("user:{}", person.to_lowercase())
        }
    });
    let query = AuditQuery {
        limit: 200,
        before: None,
        actor,
        target: Some(f.target.trim().to_owned()).filter(|t| !t.is_empty()),
        since: moment_of(&f.since, &f.tz),
        until: moment_of(&f.until, &f.tz),
    };
    let store = app.store.clone();
    let lines = match blocking(move || store.audit_matching(&query)).await {
        Ok(l) => l,
        Err(e) => return failure(e),
    };
    let rows: String = lines
        .iter()
        .map(|a| {
            let target = a.entry.target.as_deref().unwrap_or("");
            // Notice ids start with their day: `20261201-…`.
            let is_notice = target.len() > 9
                && target.as_bytes()[8] == b'-'
                && target.as_bytes()[..8].iter().all(u8::is_ascii_digit);
            let target = if is_notice {
                format!("<a href=\"/console/notices/{0}\">{0}</a>", esc(target))
            } else {
                esc(target)
            };
            let mut detail = a.entry.detail.to_string();
            if detail.chars().count() > 300 {
                detail = detail.chars().take(300).collect::<String>() + "…";
            }
            format!(
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{target}</td><td class=\"detail\">{}</td></tr>",
                time_tag(a.entry.at),
                esc(&who(&a.entry.actor)),
                esc(&a.entry.action),
                esc(&detail),
            )
        })
        .collect();
    let input = |name: &str, key: &str, value: &str| {
        format!(
            "<label>{}<input name=\"{name}\" value=\"{}\"></label>",
            esc(&w.t(key)),
            esc(value)
        )
    };
    let body = format!(
        "<h1>{heading}</h1><form method=\"get\" action=\"/console/audit\" class=\"filters\">\
         <input type=\"hidden\" name=\"tz\" value=\"\">\
         {person}{target}{since}{until}<button type=\"submit\">{apply}</button></form>\
         <table class=\"grid list audit\"><tr><th>{when}</th><th>{who}</th><th>{what}</th><th>{on}</th><th>{detail}</th></tr>{rows}</table>{empty}",
        heading = esc(&w.t("console-nav-audit")),
        person = input("person", "console-audit-person", &f.person),
        target = input("target", "console-audit-target", &f.target),
        since = input("since", "console-audit-since", &f.since),
        until = input("until", "console-audit-until", &f.until),
        apply = esc(&w.t("console-audit-apply")),
        when = esc(&w.t("console-audit-when")),
        who = esc(&w.t("console-audit-who")),
        what = esc(&w.t("console-audit-what")),
        on = esc(&w.t("console-audit-target")),
        detail = esc(&w.t("console-audit-detail")),
        empty = if lines.is_empty() {
            format!(
                "<p class=\"empty\">{}</p>",
                esc(&w.t("console-audit-empty"))
            )
        } else {
            String::new()
        },
    );
    let nav = nav_of(&user, &s);
    html(
        StatusCode::OK,
        &[],
        signed_page(w, &nav, &w.t("console-nav-audit"), &body),
    )
}
