//! The catalogue pages: templates (admins change them, everyone signed in reads them) and
//! components (names in both languages and groups; admins change them).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;
use svetofor_api::{ComponentSettings, Template};
use svetofor_feed::{Component, Kind, Severity, Text};

use super::form::{Marks, in_lang, marks_at, option, text, word};
use super::guard::nav_of;
use super::guard::{Admin, Person, Posted, Reader};
use super::pages::{esc, signed_page};
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

fn severity_select(w: &Words, current: &str) -> String {
    let options: String = [
        ("red", "console-status-red"),
        ("yellow", "console-status-yellow"),
        ("green", "console-severity-green"),
    ]
    .iter()
    .map(|(v, k)| option(v, &w.t(k), current == *v))
    .collect();
    format!("<select name=\"severity\">{options}</select>")
}

fn kind_select(w: &Words, current: &str) -> String {
    let options: String = [
        ("outage", "console-kind-outage"),
        ("degraded", "console-kind-degraded"),
        ("maintenance", "console-kind-maintenance"),
        ("info", "console-kind-info"),
    ]
    .iter()
    .map(|(v, k)| option(v, &w.t(k), current == *v))
    .collect();
    format!("<select name=\"kind\">{options}</select>")
}

fn template_list(w: &Words, templates: &[Template]) -> String {
    if templates.is_empty() {
        return format!(
            "<p class=\"empty\">{}</p>",
            esc(&w.t("console-templates-empty"))
        );
    }
    let lang = w.lang().tag();
    let rows: String = templates
        .iter()
        .map(|t| {
            format!(
                "<li class=\"{sev}\"><strong>{name}</strong> — {title} <span class=\"meta\">{body}</span> \
                 <a href=\"/console/compose?template={name}\">{use_it}</a></li>",
                sev = t.severity.as_str(),
                name = esc(&t.name),
                title = esc(t.title.get(lang, "")),
                body = esc(t.body.get(lang, "")),
                use_it = esc(&w.t("console-templates-use")),
            )
        })
        .collect();
    format!("<ul class=\"notices\">{rows}</ul>")
}

fn template_form(w: &Words, csrf: &str, f: &TemplateForm, marks: &Marks) -> String {
    let input = |name: &str, key: &str, value: &str| {
        format!(
            "<label>{}<input name=\"{name}\" value=\"{}\"></label>{}",
            esc(&w.t(key)),
            esc(value),
            marks_at(marks, name)
        )
    };
    let area = |name: &str, key: &str, value: &str| {
        format!(
            "<label>{}<textarea name=\"{name}\" rows=\"3\">{}</textarea></label>",
            esc(&w.t(key)),
            esc(value)
        )
    };
    format!(
        "<h2>{heading}</h2><p class=\"meta\">{hint}</p>\
         <form method=\"post\" action=\"/console/templates\" class=\"compose\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">{name}\
         <label>{sev_label}{sev}</label><label>{kind_label}{kind}</label>\
         <div class=\"pair\">{title_ru}{title_en}</div>{title_marks}<div class=\"pair\">{body_ru}{body_en}</div>\
         {components}{next}\
         <button type=\"submit\" name=\"action\" value=\"save\">{save}</button> \
         <button type=\"submit\" name=\"action\" value=\"delete\" class=\"secondary\">{delete}</button></form>",
        heading = esc(&w.t("console-templates-edit")),
        hint = esc(&w.t("console-templates-hint")),
        csrf = esc(csrf),
        name = input("name", "console-templates-name", &f.name),
        sev_label = esc(&w.t("console-compose-severity")),
        sev = severity_select(w, &f.severity),
        kind_label = esc(&w.t("console-compose-kind")),
        kind = kind_select(w, &f.kind),
        title_ru = area("title_ru", "console-compose-title-ru", &f.title_ru),
        title_en = area("title_en", "console-compose-title-en", &f.title_en),
        title_marks = marks_at(marks, "title"),
        body_ru = area("body_ru", "console-compose-body-ru", &f.body_ru),
        body_en = area("body_en", "console-compose-body-en", &f.body_en),
        components = input("components", "console-compose-components", &f.components),
        next = input(
            "next_update_minutes",
            "console-templates-next-minutes",
            &f.next_update_minutes
        ),
        save = esc(&w.t("console-templates-save")),
        delete = esc(&w.t("console-templates-delete")),
    )
}

async fn templates_of(app: &AppState) -> Result<Vec<Template>, Response> {
    let store = app.store.clone();
    blocking(move || store.templates()).await.map_err(failure)
}

pub(super) async fn templates(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Person {
        user, session: s, ..
    }: Person<Reader>,
) -> Response {
    let w = words_for(&headers);
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
    let editor = if nav.role >= Role::Admin {
        template_form(w, nav.csrf, form, marks)
    } else {
        String::new()
    };
    let body = format!(
        "<h1>{}</h1>{}{editor}",
        esc(&w.t("console-nav-templates")),
        template_list(w, list)
    );
    html(
        status,
        &[],
        signed_page(w, nav, &w.t("console-nav-templates"), &body),
    )
}

pub(super) async fn save_template(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Posted {
        user,
        session: s,
        form: f,
        ..
    }: Posted<Admin, TemplateForm>,
) -> Response {
    let w = words_for(&headers);
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
            components: f
                .components
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
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
            marks.entry(field.to_owned()).or_default().push(r.message);
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

fn component_rows(w: &Words, csrf: &str, list: &[Component], admin: bool) -> String {
    let rows: String = list
        .iter()
        .map(|c| {
            let cell = |name: &str, value: &str| {
                if admin {
                    format!("<td><input name=\"{name}\" value=\"{}\"></td>", esc(value))
                } else {
                    format!("<td>{}</td>", esc(value))
                }
            };
            let actions = if admin {
                format!(
                    "<td><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                     <input type=\"hidden\" name=\"id\" value=\"{id}\">\
                     <button type=\"submit\" name=\"action\" value=\"save\">{save}</button> \
                     <button type=\"submit\" name=\"action\" value=\"retire\" class=\"secondary\">{retire}</button></td>",
                    csrf = esc(csrf),
                    id = esc(&c.id),
                    save = esc(&w.t("console-components-save")),
                    retire = esc(&w.t("console-components-retire")),
                )
            } else {
                String::new()
            };
            // One form per row: the table's cells are its fields.
            let open = if admin {
                format!("<form method=\"post\" action=\"/console/components\" id=\"c-{}\">", esc(&c.id))
            } else {
                String::new()
            };
            let row = format!(
                "<tr><td><code>{id}</code></td>{ru}{en}{group}{actions}</tr>",
                id = esc(&c.id),
                ru = cell("name_ru", in_lang(&c.name, "ru")),
                en = cell("name_en", in_lang(&c.name, "en")),
                group = cell("group", c.group.as_deref().unwrap_or("")),
            );
            if admin {
                format!("{open}<table class=\"grid\">{row}</table></form>")
            } else {
                row
            }
        })
        .collect();
    rows
}

pub(super) async fn components(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Person {
        user, session: s, ..
    }: Person<Reader>,
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
    let admin = user.role >= Role::Admin;
    let head = format!(
        "<table class=\"grid\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>{}</tr></table>",
        esc(&w.t("console-components-id")),
        esc(&w.t("console-components-name-ru")),
        esc(&w.t("console-components-name-en")),
        esc(&w.t("console-components-group")),
        if admin { "<th></th>" } else { "" },
    );
    let rows = component_rows(w, &s.csrf, &list, admin);
    let rows = if admin {
        rows
    } else {
        format!("<table class=\"grid\">{rows}</table>")
    };
    let add = if admin {
        format!(
            "<h2>{heading}</h2><form method=\"post\" action=\"/console/components\" class=\"compose\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <label>{id}<input name=\"id\" placeholder=\"payments\"></label>{id_marks}\
             <div class=\"pair\"><label>{ru}<input name=\"name_ru\"></label><label>{en}<input name=\"name_en\"></label></div>{name_marks}\
             <label>{group}<input name=\"group\"></label>\
             <button type=\"submit\" name=\"action\" value=\"save\">{save}</button></form>",
            heading = esc(&w.t("console-components-add")),
            csrf = esc(&s.csrf),
            id = esc(&w.t("console-components-id")),
            id_marks = marks_at(marks, "id"),
            ru = esc(&w.t("console-components-name-ru")),
            en = esc(&w.t("console-components-name-en")),
            name_marks = marks_at(marks, "name"),
            group = esc(&w.t("console-components-group")),
            save = esc(&w.t("console-components-save")),
        )
    } else {
        String::new()
    };
    let body = format!(
        "<h1>{}</h1><p class=\"meta\">{}</p>{}{head}{rows}{add}",
        esc(&w.t("console-nav-components")),
        esc(&w.t("console-components-hint")),
        marks_at(marks, ""),
    );
    let nav = nav_of(user, s);
    html(
        status,
        &[],
        signed_page(w, &nav, &w.t("console-nav-components"), &body),
    )
}

pub(super) async fn save_component(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Posted {
        user,
        session: s,
        form: f,
        ..
    }: Posted<Admin, ComponentForm>,
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
            marks.entry(field.to_owned()).or_default().push(r.message);
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
