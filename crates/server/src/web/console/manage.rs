//! The catalogue pages: templates (admins change them, everyone signed in reads them) and
//! components (names in both languages and groups; admins change them).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;
use svetofor_api::{ComponentSettings, Template};
use svetofor_feed::{Kind, Severity, Text};

use super::form::{Choice, Marks, Select, in_lang, list, refusal_text, text, word};
use super::guard::nav_of;
use super::guard::{Admin, Person, Posted, Reader};
use super::pages::{Layout, draw};
use super::{failure, html, redirect, words_for};
use crate::AppState;
use crate::web::words::Words;
use svetofor_publisher::auth::Role;
use svetofor_publisher::notices;
use svetofor_publisher::publisher::PublishError;
use svetofor_store::{AuditAction, AuditEntry, blocking};

/// A template form as posted.
#[derive(Debug, Default, Deserialize)]
pub(super) struct TemplateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title_ru: String,
    #[serde(default)]
    title_en: String,
    #[serde(default)]
    body_ru: String,
    #[serde(default)]
    body_en: String,
    #[serde(default)]
    components: String,
    #[serde(default)]
    next_update_minutes: String,
    #[serde(default)]
    csrf: String,
    /// `delete` removes the template named; anything else saves.
    #[serde(default)]
    action: String,
}

impl super::guard::WithCsrf for TemplateForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

fn choices(name: &'static str, w: &Words, current: &str, of: &[(&str, &str)]) -> Select {
    Select {
        name,
        options: of
            .iter()
            .map(|(v, k)| Choice::new(v, w.t(k), current == *v))
            .collect(),
    }
}

#[derive(askama::Template)]
#[template(path = "console/templates.html")]
struct TemplatesPage<'a> {
    l: Layout<'a>,
    list: &'a [Template],
    /// The editor, for admins: their session's token.
    editor: Option<&'a str>,
    f: &'a TemplateForm,
    marks: &'a Marks,
    severity: Select,
    kind: Select,
}

async fn templates_of(app: &AppState) -> Result<Vec<Template>, Response> {
    let store = app.store.clone();
    blocking(move || store.templates()).await.map_err(failure)
}

pub(super) async fn templates(
    State(app): State<Arc<AppState>>,
    Person(user, s, w, ..): Person<Reader>,
) -> Response {
    let list = match templates_of(&app).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let form = TemplateForm {
        severity: "red".into(),
        kind: "outage".into(),
        ..TemplateForm::default()
    };
    templates_page(
        w,
        &nav_of(&user, &s),
        &list,
        &form,
        &Marks::new(),
        StatusCode::OK,
    )
}

fn templates_page(
    w: &Words,
    nav: &super::pages::Nav<'_>,
    list: &[Template],
    form: &TemplateForm,
    marks: &Marks,
    status: StatusCode,
) -> Response {
    let page = TemplatesPage {
        l: Layout::new(w, &w.t("console-nav-templates"), Some(nav)),
        list,
        editor: (nav.role >= Role::Admin).then_some(nav.csrf),
        f: form,
        marks,
        severity: choices(
            "severity",
            w,
            &form.severity,
            &[
                ("red", "console-status-red"),
                ("yellow", "console-status-yellow"),
                ("green", "console-severity-green"),
            ],
        ),
        kind: choices(
            "kind",
            w,
            &form.kind,
            &[
                ("outage", "console-kind-outage"),
                ("degraded", "console-kind-degraded"),
                ("maintenance", "console-kind-maintenance"),
                ("info", "console-kind-info"),
            ],
        ),
    };
    html(status, &[], draw(&page))
}

pub(super) async fn save_template(
    State(app): State<Arc<AppState>>,
    Posted(user, s, f, w, ..): Posted<Admin, TemplateForm>,
) -> Response {
    let name = f.name.trim().to_owned();
    let store = app.store.clone();
    let result: Result<(), notices::Rejected> = if f.action == "delete" {
        let audit = AuditEntry::new(
            user.actor(),
            AuditAction::TemplateDelete,
            Some(&name),
            serde_json::Value::Null,
        );
        match blocking(move || store.delete_template(&name, &audit)).await {
            Ok(_) => Ok(()),
            Err(e) => return failure(e),
        }
    } else {
        let minutes = f.next_update_minutes.trim();
        let t = Template {
            name: name.clone(),
            severity: word::<Severity>(&f.severity).unwrap_or(Severity::Red),
            kind: word::<Kind>(&f.kind).unwrap_or(Kind::Outage),
            title: text(&f.title_ru, &f.title_en).unwrap_or_default(),
            body: text(&f.body_ru, &f.body_en).unwrap_or_default(),
            components: list(&f.components),
            next_update_minutes: minutes.parse().ok().filter(|_| !minutes.is_empty()),
        };
        match notices::check_template(&t, Utc::now()) {
            Err(r) => Err(r),
            Ok(()) => {
                let audit = AuditEntry::new(
                    user.actor(),
                    AuditAction::TemplateSave,
                    Some(&name),
                    serde_json::to_value(&t).unwrap_or_default(),
                );
                match blocking(move || store.save_template(&t, &audit)).await {
                    Ok(()) => Ok(()),
                    Err(e) => return failure(e),
                }
            }
        }
    };
    match result {
        Ok(()) => redirect("/console/templates", &[]),
        Err(r) => {
            let list = match templates_of(&app).await {
                Ok(t) => t,
                Err(r) => return r,
            };
            let mut marks = Marks::new();
            let field = if r.field == "body" { "title" } else { &r.field };
            marks
                .entry(field.to_owned())
                .or_default()
                .push(refusal_text(w, &r));
            let nav = nav_of(&user, &s);
            templates_page(w, &nav, &list, &f, &marks, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

/// A component form as posted.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ComponentForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name_ru: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    csrf: String,
    /// `retire` removes the id; anything else saves.
    #[serde(default)]
    action: String,
}

impl super::guard::WithCsrf for ComponentForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// A component as its row shows it.
struct Row<'a> {
    id: &'a str,
    ru: &'a str,
    en: &'a str,
    group: &'a str,
}

#[derive(askama::Template)]
#[template(path = "console/components.html")]
struct ComponentsPage<'a> {
    l: Layout<'a>,
    admin: bool,
    csrf: &'a str,
    marks: &'a Marks,
    rows: Vec<Row<'a>>,
}

pub(super) async fn components(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Person(user, s, ..): Person<Reader>,
) -> Response {
    components_page(&app, &headers, &user, &s, &Marks::new(), StatusCode::OK).await
}

async fn components_page(
    app: &AppState,
    headers: &HeaderMap,
    user: &svetofor_publisher::accounts::UserRecord,
    s: &svetofor_store::SessionRecord,
    marks: &Marks,
    status: StatusCode,
) -> Response {
    let w = words_for(headers);
    let store = app.store.clone();
    let list = match blocking(move || store.components()).await {
        Ok(l) => l,
        Err(e) => return failure(e),
    };
    let nav = nav_of(user, s);
    let page = ComponentsPage {
        l: Layout::new(w, &w.t("console-nav-components"), Some(&nav)),
        admin: user.role >= Role::Admin,
        csrf: &s.csrf,
        marks,
        rows: list
            .iter()
            .map(|c| Row {
                id: &c.id,
                ru: in_lang(&c.name, "ru"),
                en: in_lang(&c.name, "en"),
                group: c.group.as_deref().unwrap_or(""),
            })
            .collect(),
    };
    html(status, &[], draw(&page))
}

pub(super) async fn save_component(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Posted(user, s, f, w, ..): Posted<Admin, ComponentForm>,
) -> Response {
    let result = if f.action == "retire" {
        app.publisher.remove_component(&f.id, user.actor()).await
    } else {
        let settings = ComponentSettings {
            name: text(&f.name_ru, &f.name_en)
                .unwrap_or_else(|| Text::Plain(f.id.trim().to_owned())),
            group: Some(f.group.trim().to_owned()).filter(|g| !g.is_empty()),
        };
        app.publisher
            .set_component(f.id.trim(), settings, user.actor())
            .await
            .map(|_| ())
    };
    match result {
        Ok(()) => redirect("/console/components", &[]),
        Err(PublishError::Rejected(r)) => {
            let mut marks = Marks::new();
            let field = if r.field == "id" { "id" } else { "name" };
            marks
                .entry(field.to_owned())
                .or_default()
                .push(refusal_text(w, &r));
            components_page(
                &app,
                &headers,
                &user,
                &s,
                &marks,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(PublishError::NoComponent(id)) => {
            let mut marks = Marks::new();
            marks
                .entry(String::new())
                .or_default()
                .push(format!("\"{id}\""));
            components_page(&app, &headers, &user, &s, &marks, StatusCode::NOT_FOUND).await
        }
        Err(e) => failure(e),
    }
}
