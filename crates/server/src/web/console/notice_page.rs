//! A notice's page: its timeline with who said what, and the forms that update, correct,
//! resolve or withdraw it.

use std::sync::Arc;
use std::time::Instant;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use svetofor_api::{Closing, Correction, NoticeChange};
use svetofor_feed::{Kind, Notice, State as NoticeState};

use super::checks::{self, Check};
use super::form::{
    Choice, Marks, Select, confirmed, in_lang, marks_of, overrides, refusal_text, same_words, text,
};
use super::guard::nav_of;
use super::guard::{Person, Posted, Support};
use super::pages::{Layout, Nav, draw, message};
use super::update_form;
use super::{failure, html, redirect};
use crate::AppState;
use crate::web::timed::{Moment, Timed};
use crate::web::words::Words;
use svetofor_publisher::accounts::UserRecord;
use svetofor_publisher::publisher::PublishError;
use svetofor_store::{AuditQuery, AuditRecord, SessionRecord, blocking};

async fn notice_of(app: &AppState, id: &str) -> Result<Option<Notice>, Response> {
    let store = app.store.clone();
    let id = id.to_owned();
    blocking(move || store.notice(&id)).await.map_err(failure)
}

pub(super) fn state_key(s: NoticeState) -> &'static str {
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
    /// The others who have the notice open now.
    others: &'a [String],
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
    steps: Vec<super::timeline::Step<'a>>,
    deliveries: Vec<super::deliveries::Row<'a>>,
    states: Select,
    next: Select,
    /// How serious, the parts of the product (as typed, and as drawn), and, for a
    /// maintenance, its window's new start and end as typed.
    severities: Select,
    components: &'a str,
    components_were: String,
    maintenance: bool,
    /// The window as it is (start, end).
    window: Option<(Moment, Option<Moment>)>,
    starts_at: &'a str,
    ends_at: &'a str,
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
    /// The withdraw or correction form was sent and refused: shown open.
    withdraw_open: bool,
    correct_open: bool,
    /// The ending form's heading and button, by kind: a maintenance is completed and news
    /// taken down, not "resolved".
    end_heading: &'static str,
    end_button: &'static str,
    /// The version every form is made from, and the wording the correction form started
    /// from (title ru, en, body ru, en): a save names them, so it never undoes a colleague's.
    version: String,
    was: [&'a str; 4],
    /// "Also open now: …" (empty when nobody else is).
    others: String,
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
    // A refused form keeps what it was made from: the refusal changed nothing.
    let basis = v.kept.map(|(_, f)| f).filter(|f| !f.version.is_empty());
    let components_now = update_form::components_text(n);
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
        steps: super::timeline::timeline(w, n, v.audit),
        deliveries: super::deliveries::rows(
            w,
            v.deliveries,
            v.nav.role >= svetofor_publisher::auth::Role::Support,
        ),
        states,
        severities: update_form::severity_choices(
            w,
            n,
            typed("update").map_or("", |f| f.severity.as_str()),
        ),
        components: typed("update").map_or(components_now.as_str(), |f| &f.components),
        components_were: basis
            .map_or_else(|| components_now.clone(), |f| f.components_were.clone()),
        maintenance: n.kind == Kind::Maintenance,
        window: n
            .window
            .as_ref()
            .map(|w| (Moment::of(w.starts_at), w.ends_at.map(Moment::of))),
        starts_at: typed("update").map_or("", |f| &f.starts_at),
        ends_at: typed("update").map_or("", |f| &f.ends_at),
        next: update_form::promise_choices(
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
        correct_open: corrected.is_some(),
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
        version: basis.map_or_else(|| svetofor_api::version(n), |f| f.version.clone()),
        was: match basis {
            Some(f) => [
                &f.was_title_ru,
                &f.was_title_en,
                &f.was_body_ru,
                &f.was_body_en,
            ],
            None => [
                in_lang(&n.title, "ru"),
                in_lang(&n.title, "en"),
                in_lang(&n.body, "ru"),
                in_lang(&n.body, "en"),
            ],
        },
        others: super::together::others_text(w, v.others),
    })
}

pub(super) async fn notice(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    Person(user, s, w, ..): Person<Support>,
) -> Response {
    match notice_of(&app, &id).await {
        Ok(Some(n)) => {
            let others = app.console.presence.seen(&n.id, &user.name, Instant::now());
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
                others: &others,
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

/// The page's script asks every 20 s: the person is still there, and who else is.
pub(super) async fn here(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    Person(user, _, w, ..): Person<Support>,
) -> Response {
    // Only notices that exist are followed: the map stays bounded by real ids.
    match notice_of(&app, &id).await {
        Ok(Some(n)) => {
            let others = app.console.presence.seen(&n.id, &user.name, Instant::now());
            (
                [(header::CACHE_CONTROL, "no-store")],
                super::together::others_text(w, &others),
            )
                .into_response()
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(r) => r,
    }
}

/// A form on a notice's page.
#[derive(Debug, Default, Clone, Deserialize)]
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
    /// The notice's version the form was drawn from.
    #[serde(default)]
    version: String,
    /// The update form's severity, parts of the product (now, and as drawn) and window.
    #[serde(default)]
    severity: String,
    #[serde(default)]
    components: String,
    #[serde(default)]
    components_were: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    /// The wording the correction form was drawn with: only what the person changed is
    /// corrected.
    #[serde(default)]
    was_title_ru: String,
    #[serde(default)]
    was_title_en: String,
    #[serde(default)]
    was_body_ru: String,
    #[serde(default)]
    was_body_en: String,
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
    let version = Some(f.version.trim().to_owned()).filter(|v| !v.is_empty());
    let mut failed = vec![];
    let change = match action.as_str() {
        "update" => {
            let typed = update_form::Typed {
                text: words,
                state: &f.state,
                severity: &f.severity,
                next_update_at: &f.next_update_at,
                components: &f.components,
                components_were: &f.components_were,
                starts_at: &f.starts_at,
                ends_at: &f.ends_at,
                tz: &f.tz,
                version,
            };
            match update_form::request(w, &typed, Utc::now()) {
                Ok(req) => NoticeChange::Update(req),
                Err(marks) => {
                    return again(&app, w, (&user, &s), &n, &[], &marks, (&action, &f)).await;
                }
            }
        }
        "resolve" => {
            failed = checks::before_resolve(n.severity, &format!("{}{}", f.text_ru, f.text_en));
            if !failed.is_empty() && !confirmed(&f.confirm, &f.confirm_reason) {
                let marks = marks_of(w, &failed);
                return again(&app, w, (&user, &s), &n, &failed, &marks, (&action, &f)).await;
            }
            NoticeChange::Resolve(Closing {
                text: words,
                version,
            })
        }
        // Only what the person changed is corrected: what the form was drawn with, or (a form
        // from elsewhere) the wording now.
        "correct" => {
            let (was_title, was_body) = if version.is_some() {
                (
                    text(&f.was_title_ru, &f.was_title_en).unwrap_or_default(),
                    text(&f.was_body_ru, &f.was_body_en).unwrap_or_default(),
                )
            } else {
                (n.title.clone(), n.body.clone())
            };
            let title = text(&f.title_ru, &f.title_en).filter(|t| !same_words(t, &was_title));
            let body = text(&f.body_ru, &f.body_en).filter(|b| !same_words(b, &was_body));
            NoticeChange::Correct(Correction {
                title,
                body,
                version,
            })
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
            NoticeChange::Withdraw(Closing {
                text: words,
                version,
            })
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
        Err(PublishError::Stale { meanwhile, .. }) => {
            let now = match notice_of(&app, &id).await {
                Ok(Some(now)) => now,
                Ok(None) => return redirect("/console/", &[]),
                Err(r) => return r,
            };
            let mut marks = Marks::new();
            marks.insert(
                "title_ru".into(),
                vec![super::together::stale_text(w, &meanwhile, &f.tz)],
            );
            let kept = made_again(&f, &now);
            let response = again(&app, w, (&user, &s), &now, &[], &marks, (&action, &kept)).await;
            with_status(response, StatusCode::CONFLICT)
        }
        Err(PublishError::Rejected(r)) => {
            let mut marks = Marks::new();
            // Next to the field at fault, where the form has it.
            let at = match (action.as_str(), r.field.as_str()) {
                ("correct", _) => "title_ru",
                (
                    "update",
                    f @ ("severity" | "components" | "starts_at" | "ends_at" | "next_update_at"),
                ) => f,
                _ => "text",
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

/// A form refused as stale, made again from the notice as it is now: what the person typed
/// stays, and in a correction a field they did not touch shows the wording now.
fn made_again(f: &ChangeForm, now: &Notice) -> ChangeForm {
    let current = [
        in_lang(&now.title, "ru").to_owned(),
        in_lang(&now.title, "en").to_owned(),
        in_lang(&now.body, "ru").to_owned(),
        in_lang(&now.body, "en").to_owned(),
    ];
    let keep = |typed: &str, was: &str, current: &str| {
        if typed.trim() == was.trim() {
            current.to_owned()
        } else {
            typed.to_owned()
        }
    };
    ChangeForm {
        title_ru: keep(&f.title_ru, &f.was_title_ru, &current[0]),
        title_en: keep(&f.title_en, &f.was_title_en, &current[1]),
        body_ru: keep(&f.body_ru, &f.was_body_ru, &current[2]),
        body_en: keep(&f.body_en, &f.was_body_en, &current[3]),
        version: svetofor_api::version(now),
        was_title_ru: current[0].clone(),
        was_title_en: current[1].clone(),
        was_body_ru: current[2].clone(),
        was_body_en: current[3].clone(),
        ..f.clone()
    }
}

fn with_status(mut response: Response, status: StatusCode) -> Response {
    *response.status_mut() = status;
    response
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
        others: &app.console.presence.seen(&n.id, &user.name, Instant::now()),
    };
    html(StatusCode::UNPROCESSABLE_ENTITY, &[], notice_page(w, &view))
}
