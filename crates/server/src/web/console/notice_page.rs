//! A notice's page: its timeline with who said what, and the forms that update, correct,
//! resolve or withdraw it.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use svetofor_api::{Closing, Correction, NoticeChange, NoticeUpdate};
use svetofor_feed::{Kind, Notice, State as NoticeState};

use super::checks::{self, Check};
use super::form::{
    Marks, confirm_box, confirmed, delay_select, in_lang, marks_at, marks_of, moment, option,
    overrides, same_words, text, word,
};
use super::guard::nav_of;
use super::guard::{Person, Posted, Support};
use super::pages::{Nav, esc, page, signed_page, time_tag, who, with_time};
use super::{failure, html, redirect, words_for};
use crate::AppState;
use crate::web::words::Words;
use svetofor_publisher::accounts::UserRecord;
use svetofor_publisher::publisher::PublishError;
use svetofor_store::{AuditAction, AuditQuery, AuditRecord, SessionRecord, blocking};

async fn notice_of(app: &AppState, id: &str) -> Result<Option<Notice>, Response> {
    let store = app.store.clone();
    let id = id.to_owned();
    blocking(move || store.notice(&id)).await.map_err(failure)
}

fn state_key(s: NoticeState) -> &'static str {
    match s {
        NoticeState::Investigating => "console-state-investigating",
        NoticeState::Identified => "console-state-identified",
        NoticeState::Monitoring => "console-state-monitoring",
        NoticeState::Resolved => "console-state-resolved",
        NoticeState::Scheduled => "console-state-scheduled",
        NoticeState::InProgress => "console-state-in-progress",
        NoticeState::Completed => "console-state-completed",
        NoticeState::Withdrawn => "console-state-withdrawn",
        NoticeState::Published => "console-state-published",
    }
}

/// What a notice's page shows.
struct View<'a> {
    nav: Nav<'a>,
    notice: &'a Notice,
    /// The audit lines about it, newest first: who said each step.
    audit: &'a [AuditRecord],
    failed: &'a [Check],
    marks: &'a Marks,
    now: DateTime<Utc>,
    /// Its deliveries to channels.
    deliveries: &'a [svetofor_api::DeliveryInfo],
}

/// The timeline, newest first: every step with who said it, and every correction.
fn timeline(w: &Words, n: &Notice, audit: &[AuditRecord]) -> String {
    let lang = w.lang().tag();
    let by = |at: DateTime<Utc>| {
        audit
            .iter()
            // The audit log keeps microseconds; the notice keeps what the clock gave.
            .find(|a| {
                a.entry.at.timestamp_micros() == at.timestamp_micros()
                    && a.entry.action != AuditAction::NoticeCorrect.name()
            })
            .map(|a| who(&a.entry.actor))
    };
    let mut items: Vec<(DateTime<Utc>, String)> = n
        .updates
        .iter()
        .map(|u| {
            let actor = by(u.at)
                .map(|p| {
                    format!(
                        " · {}",
                        esc(&w.tr_str("console-timeline-by", &[("name", &p)]))
                    )
                })
                .unwrap_or_default();
            (
                u.at,
                format!(
                    "<li><span class=\"meta\">{}{actor}</span> <strong>{}</strong> {}</li>",
                    time_tag(u.at),
                    esc(&w.t(state_key(u.state))),
                    esc(u.text.get(lang, ""))
                ),
            )
        })
        .collect();
    for a in audit
        .iter()
        .filter(|a| a.entry.action == AuditAction::NoticeCorrect.name())
    {
        items.push((
            a.entry.at,
            format!(
                "<li class=\"correction\"><span class=\"meta\">{} · {}</span> <strong>{}</strong></li>",
                time_tag(a.entry.at),
                esc(&w.tr_str("console-timeline-by", &[("name", &who(&a.entry.actor))])),
                esc(&w.t("console-timeline-corrected")),
            ),
        ));
    }
    items.sort_by_key(|item| std::cmp::Reverse(item.0));
    items.into_iter().map(|(_, li)| li).collect()
}

fn promise(w: &Words, n: &Notice, now: DateTime<Utc>) -> String {
    match n.next_update_at {
        Some(t) if n.is_overdue(now) => format!(
            "<p class=\"error overdue\" role=\"alert\">{}</p>",
            with_time(w, "console-notice-overdue", t)
        ),
        Some(t) => format!(
            "<p class=\"meta\">{}</p>",
            with_time(w, "console-now-next-update", t)
        ),
        None => String::new(),
    }
}

fn correction_form(w: &Words, n: &Notice, csrf: &str) -> String {
    let field = |name: &str, key: &str, value: &str, rows: u8| {
        if rows == 0 {
            format!(
                "<label>{}<input name=\"{name}\" value=\"{}\" maxlength=\"200\"></label>",
                esc(&w.t(key)),
                esc(value)
            )
        } else {
            format!(
                "<label>{}<textarea name=\"{name}\" rows=\"{rows}\">{}</textarea></label>",
                esc(&w.t(key)),
                esc(value)
            )
        }
    };
    format!(
        "<details><summary>{heading}</summary><form method=\"post\" action=\"/console/notices/{id}/correct\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><p class=\"meta\">{hint}</p>\
         <div class=\"pair\">{title_ru}{title_en}</div><div class=\"pair\">{body_ru}{body_en}</div>\
         <button type=\"submit\" class=\"secondary\">{button}</button></form></details>",
        heading = esc(&w.t("console-correct-heading")),
        id = esc(&n.id),
        csrf = esc(csrf),
        hint = esc(&w.t("console-correct-hint")),
        title_ru = field(
            "title_ru",
            "console-compose-title-ru",
            in_lang(&n.title, "ru"),
            0
        ),
        title_en = field(
            "title_en",
            "console-compose-title-en",
            in_lang(&n.title, "en"),
            0
        ),
        body_ru = field(
            "body_ru",
            "console-compose-body-ru",
            in_lang(&n.body, "ru"),
            3
        ),
        body_en = field(
            "body_en",
            "console-compose-body-en",
            in_lang(&n.body, "en"),
            3
        ),
        button = esc(&w.t("console-correct-publish")),
    )
}

fn notice_page(w: &Words, v: &View<'_>) -> String {
    let (n, csrf, failed, marks) = (v.notice, v.nav.csrf, v.failed, v.marks);
    let lang = w.lang().tag();
    let timeline = timeline(w, n, v.audit);
    let open = !n.state.is_final();
    let states: &[NoticeState] = match n.kind {
        Kind::Maintenance => &[NoticeState::Scheduled, NoticeState::InProgress],
        Kind::Info => &[],
        _ => &[
            NoticeState::Investigating,
            NoticeState::Identified,
            NoticeState::Monitoring,
        ],
    };
    let state_options: String =
        std::iter::once(option("", &w.t("console-update-same-state"), true))
            .chain(
                states
                    .iter()
                    .map(|s| option(s.as_str(), &w.t(state_key(*s)), false)),
            )
            .collect();
    let forms = if open {
        format!(
            "<h2>{upd}</h2><form method=\"post\" action=\"/console/notices/{id}/update\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <div class=\"pair\"><label>{text_ru}<textarea name=\"text_ru\" rows=\"3\"></textarea></label>\
             <label>{text_en}<textarea name=\"text_en\" rows=\"3\"></textarea></label></div>{upd_marks}\
             <label>{state}<select name=\"state\">{state_options}</select></label>\
             <label>{next}{next_select}</label>\
             <button type=\"submit\">{upd_button}</button></form>\
             <h2>{res}</h2><form method=\"post\" action=\"/console/notices/{id}/resolve\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <div class=\"pair\"><label>{sum_ru}<textarea name=\"text_ru\" rows=\"3\"></textarea></label>\
             <label>{sum_en}<textarea name=\"text_en\" rows=\"3\"></textarea></label></div>{res_marks}{confirm}\
             <button type=\"submit\">{res_button}</button></form>\
             <h2>{wd}</h2><form method=\"post\" action=\"/console/notices/{id}/withdraw\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <div class=\"pair\"><label>{why_ru}<textarea name=\"text_ru\" rows=\"2\"></textarea></label>\
             <label>{why_en}<textarea name=\"text_en\" rows=\"2\"></textarea></label></div>\
             <button type=\"submit\" class=\"secondary\">{wd_button}</button></form>",
            id = esc(&n.id),
            csrf = esc(csrf),
            upd = esc(&w.t("console-update-heading")),
            text_ru = esc(&w.t("console-update-text-ru")),
            text_en = esc(&w.t("console-update-text-en")),
            upd_marks = marks_at(marks, "text"),
            state = esc(&w.t("console-update-state")),
            next = esc(&w.t("console-compose-next-update")),
            next_select = delay_select(w, "next_update_at", ""),
            upd_button = esc(&w.t("console-update-publish")),
            res = esc(&w.t("console-resolve-heading")),
            sum_ru = esc(&w.t("console-resolve-summary-ru")),
            sum_en = esc(&w.t("console-resolve-summary-en")),
            res_marks = marks_at(marks, "text_ru"),
            confirm = confirm_box(w, failed),
            res_button = esc(&w.t("console-resolve-publish")),
            wd = esc(&w.t("console-withdraw-heading")),
            why_ru = esc(&w.t("console-withdraw-reason-ru")),
            why_en = esc(&w.t("console-withdraw-reason-en")),
            wd_button = esc(&w.t("console-withdraw-publish")),
        )
    } else {
        String::new()
    };
    let correction = if n.state == NoticeState::Withdrawn {
        String::new()
    } else {
        correction_form(w, n, csrf)
    };
    let body = format!(
        "<p><a href=\"/console/\">{back}</a></p><h1 class=\"{sev}\">{title}</h1>\
         <p class=\"meta\">{state}</p>{promise}{general}<ol class=\"timeline\">{timeline}</ol>{deliveries}{forms}{correction}",
        deliveries = super::deliveries::table(
            w,
            csrf,
            v.deliveries,
            v.nav.role >= svetofor_publisher::auth::Role::Support
        ),
        back = esc(&w.t("console-back")),
        sev = n.severity.as_str(),
        title = esc(n.title.get(lang, "")),
        state = esc(&w.t(state_key(n.state))),
        promise = if open {
            promise(w, n, v.now)
        } else {
            String::new()
        },
        general = marks_at(marks, "title_ru"),
    );
    signed_page(w, &v.nav, n.title.get(lang, ""), &body)
}

pub(super) async fn notice(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Person {
        user, session: s, ..
    }: Person<Support>,
) -> Response {
    let w = words_for(&headers);
    match notice_of(&app, &id).await {
        Ok(Some(n)) => {
            let audit = match audit_of(&app, &id).await {
                Ok(a) => a,
                Err(r) => return r,
            };
            let sent = match super::deliveries::recent(&app, Some(&id)).await {
                Ok(d) => d,
                Err(e) => return failure(e),
            };
            let view = View {
                nav: nav_of(&user, &s),
                notice: &n,
                audit: &audit,
                failed: &[],
                marks: &Marks::new(),
                now: Utc::now(),
                deliveries: &sent,
            };
            html(StatusCode::OK, &[], notice_page(w, &view))
        }
        Ok(None) => html(
            StatusCode::NOT_FOUND,
            &[],
            page(w, &w.t("console-title"), &esc(&w.t("console-no-notice"))),
        ),
        Err(r) => r,
    }
}

/// A form on a notice's page.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ChangeForm {
    #[serde(default)]
    text_ru: String,
    #[serde(default)]
    text_en: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    next_update_at: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    confirm_reason: String,
    /// A correction's wording.
    #[serde(default)]
    title_ru: String,
    #[serde(default)]
    title_en: String,
    #[serde(default)]
    body_ru: String,
    #[serde(default)]
    body_en: String,
    #[serde(default)]
    tz: String,
}

impl super::guard::WithCsrf for ChangeForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub(super) async fn change(
    State(app): State<Arc<AppState>>,
    Path((id, action)): Path<(String, String)>,
    headers: HeaderMap,
    Posted {
        user,
        session: s,
        form: f,
        ..
    }: Posted<Support, ChangeForm>,
) -> Response {
    let w = words_for(&headers);
    let n = match notice_of(&app, &id).await {
        Ok(Some(n)) => n,
        Ok(None) => return redirect("/console/", &[]),
        Err(r) => return r,
    };
    let words = text(&f.text_ru, &f.text_en);
    let mut failed = vec![];
    let change = match action.as_str() {
        "update" => NoticeChange::Update(NoticeUpdate {
            text: words,
            state: word(&f.state),
            severity: None,
            next_update_at: moment(&f.next_update_at, Utc::now(), &f.tz).ok().flatten(),
            title: None,
            body: None,
            starts_at: None,
            ends_at: None,
        }),
        "resolve" => {
            failed = checks::before_resolve(n.severity, &format!("{}{}", f.text_ru, f.text_en));
            if !failed.is_empty() && !confirmed(&f.confirm, &f.confirm_reason) {
                let marks = marks_of(w, &failed);
                return again(&app, w, (&user, &s), &n, &failed, &marks).await;
            }
            NoticeChange::Resolve(Closing { text: words })
        }
        // Only what differs from the wording now is corrected.
        "correct" => {
            let title = text(&f.title_ru, &f.title_en).filter(|t| !same_words(t, &n.title));
            let body = text(&f.body_ru, &f.body_en).filter(|b| !same_words(b, &n.body));
            NoticeChange::Correct(Correction { title, body })
        }
        "withdraw" => NoticeChange::Withdraw(Closing { text: words }),
        _ => return redirect("/console/", &[]),
    };
    let note = (!failed.is_empty()).then(|| overrides(&failed, &f.confirm_reason));
    match app
        .publisher
        .change_noted(&id, change, user.actor(), note)
        .await
    {
        Ok(_) => redirect("/console/", &[]),
        Err(PublishError::Rejected(r)) => {
            let mut marks = Marks::new();
            let at = if action == "correct" {
                "title_ru"
            } else {
                "text"
            };
            marks.entry(at.into()).or_default().push(r.message);
            again(&app, w, (&user, &s), &n, &failed, &marks).await
        }
        Err(e) => failure(e),
    }
}

async fn audit_of(app: &AppState, id: &str) -> Result<Vec<AuditRecord>, Response> {
    let store = app.store.clone();
    let query = AuditQuery {
        limit: 1000,
        target: Some(id.to_owned()),
        ..AuditQuery::default()
    };
    blocking(move || store.audit_matching(&query))
        .await
        .map_err(failure)
}

/// The notice's page again, with what was wrong marked (422).
async fn again(
    app: &AppState,
    w: &Words,
    (user, s): (&UserRecord, &SessionRecord),
    n: &Notice,
    failed: &[Check],
    marks: &Marks,
) -> Response {
    let audit = match audit_of(app, &n.id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let sent = match super::deliveries::recent(app, Some(&n.id)).await {
        Ok(d) => d,
        Err(e) => return failure(e),
    };
    let view = View {
        nav: nav_of(user, s),
        notice: n,
        audit: &audit,
        failed,
        marks,
        now: Utc::now(),
        deliveries: &sent,
    };
    html(StatusCode::UNPROCESSABLE_ENTITY, &[], notice_page(w, &view))
}
