//! Publishing from the browser: the compose form (a new notice, Russian and English side by
//! side, with the checks before publishing, a preview, drafts, a time to publish at, and
//! templates to start from). Field names are the API's, so scripts and browser tests find them.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;
use svetofor_api::{Draft, DraftBody, Placeholders, Template};
use svetofor_feed::{Component, Kind, Text};

use super::checks::{self, Check, Draft as CheckedDraft};
use super::compose_form::{Asked, ComposeAction, ComposeForm, asked};
use super::form::{
    Choice, Marks, Select, confirmed, delays, form_field, form_time, in_lang, marks_of,
    offset_minutes, overrides, refusal_text, time_refusal,
};
use super::guard::nav_of;
use super::guard::{Person, Posted, Support};
use super::pages::{Layout, Nav, draw};
use super::{failure, html, redirect};
use crate::AppState;
use crate::web::words::{Lang, Words};
use svetofor_publisher::publisher::PublishError;
use svetofor_store::blocking;

/// A preview in one language: the desktop's, and what Telegram and e-mail would say.
type Previewed = (
    Lang,
    super::preview::Preview,
    svetofor_channels::words::Message,
);

/// What the compose page shows besides the form: who it is for, and the templates to
/// start from.
struct Setting<'a> {
    nav: Nav<'a>,
    templates: &'a [Template],
}

#[derive(askama::Template)]
#[template(path = "console/compose.html")]
struct Page<'a> {
    l: Layout<'a>,
    f: &'a ComposeForm,
    /// "New notice" or "Draft".
    heading: &'static str,
    csrf: &'a str,
    /// Templates to start from (a new notice only).
    chooser: Option<Select>,
    marks: &'a Marks,
    /// Checks failed: "publish anyway" is offered.
    failed: bool,
    /// The one choice of what happened, and the choice a carried severity came with.
    whats: Vec<What>,
    what_was: String,
    next: Select,
    previews: Vec<Shown<'a>>,
}

/// One answer to "what happened?": its value, colour class, word and hint.
struct What {
    value: &'static str,
    sev: &'static str,
    word: String,
    hint: String,
    checked: bool,
}

/// One language of the preview.
struct Shown<'a> {
    /// "In Russian".
    heading: &'static str,
    p: &'a super::preview::Preview,
    said: &'a svetofor_channels::words::Message,
    /// The e-mail subject's title (the headline after its word).
    subject_title: &'a str,
}

fn compose_page(
    w: &Words,
    setting: &Setting<'_>,
    f: &ComposeForm,
    failed: &[Check],
    marks: &Marks,
    previews: &[Previewed],
) -> String {
    let chooser = (f.draft_id.is_empty() && !setting.templates.is_empty()).then(|| Select {
        name: "template",
        options: setting
            .templates
            .iter()
            .map(|t| {
                let label = format!("{} — {}", t.name, t.title.get(w.lang().tag(), ""));
                Choice::new(&t.name, label, false)
            })
            .collect(),
    });
    // A form from a template or draft names the kind; a posted one, the choice.
    let chosen = if f.what.is_empty() { &f.kind } else { &f.what };
    let whats = [
        (Kind::Outage, "console-what-outage"),
        (Kind::Degraded, "console-what-degraded"),
        (Kind::Maintenance, "console-what-maintenance"),
        (Kind::Info, "console-what-info"),
    ]
    .into_iter()
    .map(|(kind, key)| What {
        value: kind.as_str(),
        sev: super::compose_form::usual(kind).as_str(),
        word: w.t(key),
        hint: w.t(&format!("{key}-hint")),
        checked: chosen == kind.as_str(),
    })
    .collect();
    let what_was = if f.what_was.is_empty() {
        chosen.clone()
    } else {
        f.what_was.clone()
    };
    let previews = previews
        .iter()
        .map(|(lang, p, said)| Shown {
            heading: match lang {
                Lang::Ru => "console-preview-in-russian",
                Lang::En => "console-preview-in-english",
            },
            p,
            said,
            subject_title: said.headline.split_once(": ").map_or("", |(_, t)| t),
        })
        .collect();
    draw(&Page {
        l: Layout::new(w, &w.t("console-compose-heading"), Some(&setting.nav)),
        f,
        heading: if f.draft_id.is_empty() {
            "console-compose-heading"
        } else {
            "console-draft-heading"
        },
        csrf: setting.nav.csrf,
        chooser,
        marks,
        failed: !failed.is_empty(),
        whats,
        what_was,
        next: delays(w, "next_update_at", &f.next_update_at),
        previews,
    })
}

/// `?template=…&component=…&time=…`: start from a template.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Start {
    #[serde(default)]
    template: String,
    #[serde(default)]
    component: String,
    #[serde(default)]
    time: String,
}

/// The templates, and the components' names by id in `lang` (for `{component}`).
async fn catalogue(app: &AppState) -> Result<(Vec<Template>, Vec<Component>), Response> {
    let store = app.store.clone();
    blocking(move || Ok::<_, svetofor_store::StoreError>((store.templates()?, store.components()?)))
        .await
        .map_err(failure)
}

/// The compose form as a template fills it.
fn from_template(t: &Template, start: &Start, components: &[Component]) -> ComposeForm {
    let name_in = |lang: &str| {
        components
            .iter()
            .find(|c| c.id == start.component.trim())
            .map(|c| c.name.get(lang, &c.id).to_owned())
            .or_else(|| Some(start.component.trim().to_owned()).filter(|c| !c.is_empty()))
    };
    let fill = |text: &Text, lang: &str| {
        let component = name_in(lang);
        Placeholders {
            component: component.as_deref(),
            time: Some(start.time.as_str()),
        }
        .fill(in_lang(text, lang))
    };
    let mut components_list = t.components.clone();
    if !start.component.trim().is_empty() && !components_list.contains(&start.component) {
        components_list.push(start.component.trim().to_owned());
    }
    ComposeForm {
        severity: t.severity.as_str().to_owned(),
        kind: t.kind.as_str().to_owned(),
        title_ru: fill(&t.title, "ru"),
        title_en: fill(&t.title, "en"),
        body_ru: fill(&t.body, "ru"),
        body_en: fill(&t.body, "en"),
        components: components_list.join(", "),
        next_update_at: t
            .next_update_minutes
            .map(|m| match m {
                15 | 30 => format!("{m}m"),
                60 | 120 | 240 => format!("{}h", m / 60),
                m => format!("{m}m"),
            })
            .unwrap_or_default(),
        ..ComposeForm::default()
    }
}

/// The compose form as a draft fills it.
fn from_draft(d: &Draft) -> ComposeForm {
    let n = &d.notice;
    let get = |t: &Option<Text>, lang: &str| t.as_ref().map_or("", |t| in_lang(t, lang)).to_owned();
    ComposeForm {
        severity: n
            .severity
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        kind: n.kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
        title_ru: get(&n.title, "ru"),
        title_en: get(&n.title, "en"),
        body_ru: get(&n.body, "ru"),
        body_en: get(&n.body, "en"),
        components: n.components.join(", "),
        next_update_at: n.next_update_at.map(form_time).unwrap_or_default(),
        starts_at: n.starts_at.map(form_time).unwrap_or_default(),
        ends_at: n.ends_at.map(form_time).unwrap_or_default(),
        url: n.url.clone().unwrap_or_default(),
        publish_at: d.publish_at.map(form_time).unwrap_or_default(),
        draft_id: d.id.clone(),
        ..ComposeForm::default()
    }
}

pub(super) async fn compose_form(
    State(app): State<Arc<AppState>>,
    Query(start): Query<Start>,
    Person(user, s, w, ..): Person<Support>,
) -> Response {
    let (templates, components) = match catalogue(&app).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let f = match templates.iter().find(|t| t.name == start.template) {
        Some(t) => from_template(t, &start, &components),
        None => ComposeForm {
            severity: "red".into(),
            kind: "outage".into(),
            next_update_at: "30m".into(),
            ..ComposeForm::default()
        },
    };
    let setting = Setting {
        nav: nav_of(&user, &s),
        templates: &templates,
    };
    let page = compose_page(w, &setting, &f, &[], &Marks::new(), &[]);
    html(StatusCode::OK, &[], page)
}

/// A draft's page: the compose form filled with it.
pub(super) async fn draft(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    Person(user, s, w, ..): Person<Support>,
) -> Response {
    match app.publisher.draft(&id).await {
        Ok(d) => {
            let f = from_draft(&d);
            let mut marks = Marks::new();
            if let Some(e) = &d.last_error {
                marks
                    .entry(String::new())
                    .or_default()
                    .push(w.tr_str("console-draft-failed", &[("reason", e)]));
            }
            let setting = Setting {
                nav: nav_of(&user, &s),
                templates: &[],
            };
            html(
                StatusCode::OK,
                &[],
                compose_page(w, &setting, &f, &[], &marks, &[]),
            )
        }
        Err(PublishError::NoDraft(_)) => redirect("/console/", &[]),
        Err(e) => failure(e),
    }
}

pub(super) async fn delete_draft(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    Posted(user, ..): Posted<Support, super::CsrfForm>,
) -> Response {
    match app.publisher.delete_draft(&id, user.actor()).await {
        Ok(()) | Err(PublishError::NoDraft(_)) => redirect("/console/", &[]),
        Err(e) => failure(e),
    }
}

pub(super) async fn compose(
    State(app): State<Arc<AppState>>,
    Posted(user, s, f, w, ..): Posted<Support, ComposeForm>,
) -> Response {
    let now = Utc::now();
    let mut marks = Marks::new();
    let Asked {
        request: req,
        publish_at,
        bad_times,
        publish_at_missing,
    } = asked(&f, now);
    for (field, e) in bad_times {
        marks
            .entry(field.to_owned())
            .or_default()
            .push(time_refusal(w, e));
    }
    if publish_at_missing {
        marks
            .entry("publish_at".to_owned())
            .or_default()
            .push(w.t("console-compose-publish-at-missing"));
    }
    let severity = req.severity;
    let next_update_at = req.next_update_at;
    let draft = CheckedDraft {
        severity,
        title_ru: &f.title_ru,
        title_en: &f.title_en,
        body_ru: &f.body_ru,
        body_en: &f.body_en,
        next_update: next_update_at.is_some(),
    };
    let failed = checks::before_publish(&draft);
    let setting = Setting {
        nav: nav_of(&user, &s),
        templates: &[],
    };
    let draft_id = Some(f.draft_id.as_str()).filter(|d| !d.is_empty());
    if f.action == ComposeAction::Preview {
        for (k, v) in marks_of(w, &failed) {
            marks.entry(k).or_default().extend(v);
        }
        let previews = match svetofor_publisher::notices::create("preview".to_owned(), req, now) {
            Ok(n) => app.console.previewer.as_ref().map_or_else(Vec::new, |p| {
                let event = svetofor_api::NoticeEvent {
                    kind: svetofor_api::EventKind::Created,
                    timestamp: now,
                    feed_id: String::new(),
                    seq: 0,
                    notice: n.clone(),
                };
                // Drawn in the writer's zone, as the form's times are read.
                let east = offset_minutes(&f.tz);
                Lang::ALL
                    .into_iter()
                    .filter_map(|l| {
                        let said = svetofor_channels::words::message(&event, l, east);
                        p.preview(&n, l.tag(), east).map(|v| (l, v, said))
                    })
                    .collect()
            }),
            Err(r) => {
                marks
                    .entry(form_field(&r.field))
                    .or_default()
                    .push(refusal_text(w, &r));
                vec![]
            }
        };
        let page = compose_page(w, &setting, &f, &[], &marks, &previews);
        return html(StatusCode::OK, &[], page);
    }
    // A draft is work in progress: the checks are for what reaches employees.
    let checked = f.action != ComposeAction::Draft;
    let overridden = checked && !failed.is_empty() && confirmed(&f.confirm, &f.confirm_reason);
    if !marks.is_empty() || (checked && !failed.is_empty() && !overridden) {
        if checked {
            for (k, v) in marks_of(w, &failed) {
                marks.entry(k).or_default().extend(v);
            }
        }
        let shown = if checked { &failed[..] } else { &[] };
        let page = compose_page(w, &setting, &f, shown, &marks, &[]);
        return html(StatusCode::UNPROCESSABLE_ENTITY, &[], page);
    }
    let note = overridden.then(|| overrides(&failed, &f.confirm_reason));
    let result = match f.action {
        ComposeAction::Draft | ComposeAction::Schedule => {
            let body = DraftBody {
                notice: req,
                publish_at,
            };
            app.publisher
                .save_draft(draft_id, body, user.actor())
                .await
                .map(|d| tracing::info!(user = %user.name, draft = %d.id, "draft saved from the console"))
        }
        ComposeAction::Publish | ComposeAction::Preview => match draft_id {
            Some(id) => {
                let body = DraftBody {
                    notice: req,
                    publish_at: None,
                };
                match app.publisher.save_draft(Some(id), body, user.actor()).await {
                    Ok(_) => app
                        .publisher
                        .publish_draft_noted(id, user.actor(), note)
                        .await
                        .map(|_| ()),
                    Err(e) => Err(e),
                }
            }
            None => app
                .publisher
                .create_noted(req, user.actor(), note)
                .await
                .map(|n| tracing::info!(user = %user.name, notice = %n.id, "published from the console")),
        },
    };
    match result {
        Ok(()) => redirect(
            match f.action {
                ComposeAction::Draft if publish_at.is_some() => "/console/?done=scheduled",
                ComposeAction::Draft => "/console/?done=draft",
                ComposeAction::Schedule => "/console/?done=scheduled",
                ComposeAction::Publish | ComposeAction::Preview => "/console/?done=published",
            },
            &[],
        ),
        Err(PublishError::Rejected(r)) => {
            marks
                .entry(form_field(&r.field))
                .or_default()
                .push(refusal_text(w, &r));
            let page = compose_page(w, &setting, &f, &failed, &marks, &[]);
            html(StatusCode::UNPROCESSABLE_ENTITY, &[], page)
        }
        Err(e) => failure(e),
    }
}
