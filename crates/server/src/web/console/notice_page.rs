//! A notice's page: its timeline with who said what, and the forms that update, correct,
//! resolve or withdraw it.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use svetofor_api::{Closing, Correction, NoticeChange, NoticeUpdate};
use svetofor_feed::{Kind, Notice, State as NoticeState};

use super::checks::{self, Check};
use super::form::{
    Choice, Marks, Select, confirmed, delays, in_lang, marks_of, moment, overrides, refusal_text,
    same_words, text, time_refusal, word,
};
use super::guard::nav_of;
use super::guard::{Person, Posted, Support};
use super::pages::{Layout, Nav, draw, message, who};
use super::{failure, html, redirect};
use crate::AppState;
use crate::web::timed::{Moment, Timed};
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
    /// A refused form as it was typed, and which it was (`update`, `resolve` …), to fill in
    /// again: a refusal loses nothing.
    kept: Option<(&'a str, &'a ChangeForm)>,
}

/// One line of the timeline.
struct Step<'a> {
    at: Moment,
    /// "by anna", when the audit log says who.
    by: Option<String>,
    /// The state it moved to ("Identified"); `None` for a correction.
    state: Option<String>,
    text: &'a str,
}

/// The timeline, newest first: every step with who said it, and every correction.
fn timeline<'a>(w: &Words, n: &'a Notice, audit: &[AuditRecord]) -> Vec<Step<'a>> {
    let lang = w.lang().tag();
    let by = |at: DateTime<Utc>| {
        audit
            .iter()
            // The audit log keeps microseconds; the notice keeps what the clock gave.
            .find(|a| {
                a.entry.at.timestamp_micros() == at.timestamp_micros()
                    && a.entry.action != AuditAction::NoticeCorrect.name()
            })
            .map(|a| w.tr_str("console-timeline-by", &[("name", &who(&a.entry.actor))]))
    };
    let mut items: Vec<(DateTime<Utc>, Step<'a>)> = n
        .updates
        .iter()
        .map(|u| {
            (
                u.at,
                Step {
                    at: Moment::of(u.at),
                    by: by(u.at),
                    state: Some(w.t(state_key(u.state))),
                    text: u.text.get(lang, ""),
                },
            )
        })
        .collect();
    for a in audit
        .iter()
        .filter(|a| a.entry.action == AuditAction::NoticeCorrect.name())
    {
        items.push((
            a.entry.at,
            Step {
                at: Moment::of(a.entry.at),
                by: Some(w.tr_str("console-timeline-by", &[("name", &who(&a.entry.actor))])),
                state: None,
                text: "",
            },
        ));
    }
    items.sort_by_key(|item| std::cmp::Reverse(item.0));
    items.into_iter().map(|(_, step)| step).collect()
}

#[derive(Template)]
#[template(path = "console/notice.html")]
struct Page<'a> {
    l: Layout<'a>,
    n: &'a Notice,
    title: &'a str,
    sev: &'static str,
    state: String,
    csrf: &'a str,
    open: bool,
    /// The promised next update, and whether it is overdue.
    promise: Option<(Timed, bool)>,
    marks: &'a Marks,
    failed: bool,
    steps: Vec<Step<'a>>,
    deliveries: Vec<super::deliveries::Row<'a>>,
    states: Select,
    next: Select,
    /// The correction form (not for a withdrawn notice).
    correctable: bool,
    title_ru: &'a str,
    title_en: &'a str,
    body_ru: &'a str,
    body_en: &'a str,
    /// What was typed in the update, resolve and withdraw forms (refused: typed again).
    update_text: [&'a str; 2],
    resolve_text: [&'a str; 2],
    withdraw_text: [&'a str; 2],
    /// The withdraw form was sent and refused: shown open.
    withdraw_open: bool,
    /// The ending form's heading and button, by kind: a maintenance is completed and news
    /// taken down, not "resolved".
    end_heading: &'static str,
    end_button: &'static str,
}

/// The update form's value that takes the promise back.
const NO_PROMISE: &str = "none";

/// The update form's promise: with one made, it stands unless changed ("keep as it is", the
/// presets, "take it back"); without one, "no promise" and the presets.
fn promise_choices(w: &Words, promised: bool, current: &str) -> Select {
    let shown = if current == NO_PROMISE { "" } else { current };
    let mut s = delays(w, "next_update_at", shown);
    if promised {
        s.options[0].label = w.t("console-update-keep-promise");
        s.options[0].selected = current.is_empty();
        s.options.push(Choice::new(
            NO_PROMISE,
            w.t("console-update-take-promise-back"),
            current == NO_PROMISE,
        ));
    }
    s
}

fn notice_page(w: &Words, v: &View<'_>) -> String {
    let n = v.notice;
    let lang = w.lang().tag();
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
    let states = Select {
        name: "state",
        options: std::iter::once(Choice::new("", w.t("console-update-same-state"), true))
            .chain(
                states
                    .iter()
                    .map(|s| Choice::new(s.as_str(), w.t(state_key(*s)), false)),
            )
            .collect(),
    };
    let promise = n.next_update_at.filter(|_| open).map(|t| {
        if n.is_overdue(v.now) {
            (Timed::new(w, "console-notice-overdue", t), true)
        } else {
            (Timed::new(w, "console-now-next-update", t), false)
        }
    });
    let title = n.title.get(lang, "");
    let typed = |action: &str| match v.kept {
        Some((a, f)) if a == action => Some(f),
        _ => None,
    };
    let text_of =
        |action: &str| typed(action).map_or(["", ""], |f| [f.text_ru.as_str(), f.text_en.as_str()]);
    let corrected = typed("correct");
    draw(&Page {
        l: Layout::new(w, title, Some(&v.nav)),
        n,
        title,
        sev: n.severity.as_str(),
        state: w.t(state_key(n.state)),
        csrf: v.nav.csrf,
        open,
        promise,
        marks: v.marks,
        failed: !v.failed.is_empty(),
        steps: timeline(w, n, v.audit),
        deliveries: super::deliveries::rows(
            w,
            v.deliveries,
            v.nav.role >= svetofor_publisher::auth::Role::Support,
        ),
        states,
        next: promise_choices(
            w,
            n.next_update_at.is_some() && open,
            typed("update").map_or("", |f| f.next_update_at.trim()),
        ),
        correctable: n.state != NoticeState::Withdrawn,
        title_ru: corrected.map_or(in_lang(&n.title, "ru"), |f| &f.title_ru),
        title_en: corrected.map_or(in_lang(&n.title, "en"), |f| &f.title_en),
        body_ru: corrected.map_or(in_lang(&n.body, "ru"), |f| &f.body_ru),
        body_en: corrected.map_or(in_lang(&n.body, "en"), |f| &f.body_en),
        update_text: text_of("update"),
        resolve_text: text_of("resolve"),
        withdraw_text: text_of("withdraw"),
        withdraw_open: typed("withdraw").is_some(),
        end_heading: match n.kind {
            Kind::Maintenance => "console-complete-heading",
            Kind::Info => "console-take-down-heading",
            _ => "console-resolve-heading",
        },
        end_button: match n.kind {
            Kind::Maintenance => "console-complete-publish",
            Kind::Info => "console-take-down-publish",
            _ => "console-resolve-publish",
        },
    })
}

pub(super) async fn notice(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    Person(user, s, w, ..): Person<Support>,
) -> Response {
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
                kept: None,
            };
            html(StatusCode::OK, &[], notice_page(w, &view))
        }
        Ok(None) => html(
            StatusCode::NOT_FOUND,
            &[],
            message(w, &w.t("console-title"), w.t("console-no-notice")),
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
    /// Withdrawing: "yes, it was posted by mistake" ticked.
    #[serde(default)]
    mistake: String,
}

impl super::guard::WithCsrf for ChangeForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub(super) async fn change(
    State(app): State<Arc<AppState>>,
    Path((id, action)): Path<(String, String)>,
    Posted(user, s, f, w, ..): Posted<Support, ChangeForm>,
) -> Response {
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
            // "none": the promise is taken back; empty: it stands.
            no_next_update: f.next_update_at.trim() == NO_PROMISE,
            next_update_at: match moment(
                Some(f.next_update_at.trim())
                    .filter(|t| *t != NO_PROMISE)
                    .unwrap_or(""),
                Utc::now(),
                &f.tz,
            ) {
                Ok(t) => t,
                Err(e) => {
                    let mut marks = Marks::new();
                    marks
                        .entry("next_update_at".into())
                        .or_default()
                        .push(time_refusal(w, e));
                    return again(&app, w, (&user, &s), &n, &[], &marks, (&action, &f)).await;
                }
            },
            title: None,
            body: None,
            starts_at: None,
            ends_at: None,
        }),
        "resolve" => {
            failed = checks::before_resolve(n.severity, &format!("{}{}", f.text_ru, f.text_en));
            if !failed.is_empty() && !confirmed(&f.confirm, &f.confirm_reason) {
                let marks = marks_of(w, &failed);
                return again(&app, w, (&user, &s), &n, &failed, &marks, (&action, &f)).await;
            }
            NoticeChange::Resolve(Closing { text: words })
        }
        // Only what differs from the wording now is corrected.
        "correct" => {
            let title = text(&f.title_ru, &f.title_en).filter(|t| !same_words(t, &n.title));
            let body = text(&f.body_ru, &f.body_en).filter(|b| !same_words(b, &n.body));
            NoticeChange::Correct(Correction { title, body })
        }
        // Employees are told the notice was posted by mistake, and why: both must be meant.
        "withdraw" => {
            let mut marks = Marks::new();
            if words.is_none() {
                marks.insert(
                    "withdraw_text".into(),
                    vec![w.t("console-withdraw-needs-reason")],
                );
            }
            if f.mistake.is_empty() {
                marks.insert(
                    "mistake".into(),
                    vec![w.t("console-withdraw-needs-confirm")],
                );
            }
            if !marks.is_empty() {
                return again(&app, w, (&user, &s), &n, &[], &marks, (&action, &f)).await;
            }
            NoticeChange::Withdraw(Closing { text: words })
        }
        _ => return redirect("/console/", &[]),
    };
    let note = (!failed.is_empty()).then(|| overrides(&failed, &f.confirm_reason));
    match app
        .publisher
        .change_noted(&id, change, user.actor(), note)
        .await
    {
        Ok(_) => redirect(
            match action.as_str() {
                "update" => "/console/?done=update",
                "resolve" => "/console/?done=resolve",
                "withdraw" => "/console/?done=withdraw",
                _ => "/console/?done=correct",
            },
            &[],
        ),
        Err(PublishError::Rejected(r)) => {
            let mut marks = Marks::new();
            let at = if action == "correct" {
                "title_ru"
            } else {
                "text"
            };
            marks
                .entry(at.into())
                .or_default()
                .push(refusal_text(w, &r));
            again(&app, w, (&user, &s), &n, &failed, &marks, (&action, &f)).await
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
    kept: (&str, &ChangeForm),
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
        kept: Some(kept),
    };
    html(StatusCode::UNPROCESSABLE_ENTITY, &[], notice_page(w, &view))
}
