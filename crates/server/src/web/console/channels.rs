//! The admins' Channels page: every channel with its rule and its latest delivery, a test
//! and a removal for each, and forms to add Telegram, webhook and e-mail channels. Secrets go
//! in once (a webhook's is shown once) and never come back out.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use svetofor_api::{ChannelConfig, ChannelInfo, NewChannel};
use svetofor_feed::Severity;

use super::form::{Choice, Marks, Select, word};
use super::guard::nav_of;
use super::guard::{Admin, Person, Posted};
use super::pages::{Layout, Nav, draw};
use super::{failure, html, redirect};
use crate::AppState;
use crate::web::timed::Moment;
use crate::web::words::Words;
use svetofor_publisher::PublishError;
use svetofor_publisher::channels::{channel_list, check};
use svetofor_store::{AuditAction, AuditEntry, blocking};

/// A form of the Channels page.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ChannelForm {
    #[serde(default)]
    csrf: String,
    /// `telegram`, `webhook`, `email` (add one), `test` or `remove` (the one `name`d).
    #[serde(default)]
    action: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    min_severity: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    chat: String,
    #[serde(default)]
    bot_token: String,
    #[serde(default)]
    api_url: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    smtp: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    drafts: String,
}

impl ChannelForm {
    /// What was typed in `field` of the add form `form` (`telegram`, `webhook`, `email`),
    /// when this is that form; secrets never.
    fn typed(&self, form: &str, field: &str) -> &str {
        if self.action != form {
            return "";
        }
        match field {
            "name" => &self.name,
            "chat" => &self.chat,
            "api_url" => &self.api_url,
            "url" => &self.url,
            "smtp" => &self.smtp,
            "from" => &self.from,
            "to" => &self.to,
            "user" => &self.user,
            _ => "",
        }
    }
}

impl super::guard::WithCsrf for ChannelForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// What the page says above the list: a test's answer, or a new webhook's secret.
enum Said {
    Nothing,
    Fine(String),
    Wrong(String),
    Secret(String),
}

/// A channel as its row shows it.
struct Row<'a> {
    name: &'a str,
    /// Turned off (its receiver refused it for good).
    off: bool,
    kind: &'a str,
    target: &'a str,
    /// "Outage and worse".
    rule: String,
    /// Its latest delivery: state, when, and the error if any.
    last: Option<(String, Moment, Option<&'a str>)>,
}

fn rows<'a>(w: &Words, list: &'a [ChannelInfo]) -> Vec<Row<'a>> {
    list.iter()
        .map(|c| Row {
            name: &c.name,
            off: c.disabled_at.is_some(),
            kind: &c.kind,
            target: &c.target,
            rule: w.tr_str(
                "console-channels-rule",
                &[("severity", &w.t(severity_key(c.min_severity)))],
            ),
            last: c.last.as_ref().map(|d| {
                let state = w.t(match d.state {
                    svetofor_api::DeliveryState::Pending => "console-delivery-pending",
                    svetofor_api::DeliveryState::Sent => "console-delivery-sent",
                    svetofor_api::DeliveryState::Failed => "console-delivery-failed",
                });
                (
                    state,
                    Moment::of(d.sent_at.unwrap_or(d.created_at)),
                    d.last_error.as_deref(),
                )
            }),
        })
        .collect()
}

fn severity_key(s: Severity) -> &'static str {
    match s {
        Severity::Red => "console-status-red",
        Severity::Yellow => "console-status-yellow",
        Severity::Green => "console-severity-green",
    }
}

/// The lowest severity a channel hears of.
fn severities(w: &Words, default: &str) -> Select {
    Select {
        name: "min_severity",
        options: ["red", "yellow", "green"]
            .iter()
            .map(|s| {
                let key = severity_key(word(s).unwrap_or(Severity::Red));
                Choice::new(s, w.t(key), *s == default)
            })
            .collect(),
    }
}

#[derive(askama::Template)]
#[template(path = "console/channels.html")]
struct Page<'a> {
    l: Layout<'a>,
    csrf: &'a str,
    said: Said,
    marks: &'a Marks,
    /// A refused add form, to fill in again: a refusal loses nothing but secrets, which are
    /// typed again rather than sent back into a page.
    typed: Option<&'a ChannelForm>,
    rows: Vec<Row<'a>>,
    red: Select,
    green: Select,
}

async fn page(
    app: &AppState,
    w: &Words,
    nav: &Nav<'_>,
    said: Said,
    marks: &Marks,
    status: StatusCode,
    typed: Option<&ChannelForm>,
) -> Response {
    let list = match channel_list(&app.store).await {
        Ok(l) => l,
        Err(e) => return failure(e),
    };
    let page = Page {
        l: Layout::new(w, &w.t("console-nav-channels"), Some(nav)),
        csrf: nav.csrf,
        said,
        marks,
        typed,
        rows: rows(w, &list),
        red: severities(w, "red"),
        green: severities(w, "green"),
    };
    html(status, &[], draw(&page))
}

pub(super) async fn channels(
    State(app): State<Arc<AppState>>,
    Person(user, s, w, ..): Person<Admin>,
) -> Response {
    page(
        &app,
        w,
        &nav_of(&user, &s),
        Said::Nothing,
        &Marks::new(),
        StatusCode::OK,
        None,
    )
    .await
}

fn config_of(f: &ChannelForm) -> Option<ChannelConfig> {
    let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    Some(match f.action.as_str() {
        "telegram" => ChannelConfig::Telegram {
            chat: f.chat.trim().to_owned(),
            bot_token: f.bot_token.trim().to_owned(),
            api_url: some(&f.api_url),
        },
        "webhook" => ChannelConfig::Webhook {
            url: f.url.trim().to_owned(),
            secret: None,
        },
        "email" => ChannelConfig::Email {
            smtp: f.smtp.trim().to_owned(),
            from: f.from.trim().to_owned(),
            to: f
                .to
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            user: some(&f.user),
            password: some(&f.password),
        },
        _ => return None,
    })
}

pub(super) async fn change(
    State(app): State<Arc<AppState>>,
    Posted(user, s, f, w, ..): Posted<Admin, ChannelForm>,
) -> Response {
    let nav = nav_of(&user, &s);
    let audit = |action: AuditAction, detail: serde_json::Value| {
        AuditEntry::new(user.actor(), action, Some(f.name.trim()), detail)
    };
    match f.action.as_str() {
        "test" => {
            let store = app.store.clone();
            let name = f.name.clone();
            let found = match blocking(move || store.channels()).await {
                Ok(list) => list.into_iter().find(|c| c.name == name),
                Err(e) => return failure(e),
            };
            let said = match found {
                None => Said::Wrong(w.t("console-channels-none")),
                Some(c) => match app.senders.test(&c.config, &c.language).await {
                    Ok(detail) => Said::Fine(format!("{}: {detail}", c.name)),
                    Err(error) => Said::Wrong(format!("{}: {error}", c.name)),
                },
            };
            page(&app, w, &nav, said, &Marks::new(), StatusCode::OK, None).await
        }
        "remove" => {
            let a = audit(AuditAction::ChannelRemove, serde_json::Value::Null);
            let store = app.store.clone();
            let name = f.name.clone();
            match blocking(move || store.delete_channel(&name, &a)).await {
                Ok(_) => redirect("/console/channels", &[]),
                Err(e) => failure(e),
            }
        }
        _ => {
            let Some(config) = config_of(&f) else {
                return redirect("/console/channels", &[]);
            };
            let req = NewChannel {
                name: f.name.clone(),
                config,
                min_severity: word(&f.min_severity),
                language: Some(f.language.clone()).filter(|l| !l.is_empty()),
                utc_offset_minutes: None,
                drafts: Some(!f.drafts.is_empty()),
            };
            let (record, secret) = match check(req) {
                Ok(x) => x,
                Err(e) => {
                    let mut marks = Marks::new();
                    let (field, message) = refusal(w, &e);
                    marks.entry(field).or_default().push(message);
                    return page(
                        &app,
                        w,
                        &nav,
                        Said::Nothing,
                        &marks,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        Some(&f),
                    )
                    .await;
                }
            };
            let shown = svetofor_publisher::channels::info(&record, None);
            let a = audit(
                AuditAction::ChannelCreate,
                serde_json::json!({"kind": shown.kind, "target": shown.target,
                    "min_severity": shown.min_severity}),
            );
            let store = app.store.clone();
            let saved = record.clone();
            match blocking(move || store.insert_channel(&saved, &a)).await {
                Ok(true) => match secret {
                    Some(s) => {
                        page(
                            &app,
                            w,
                            &nav,
                            Said::Secret(s),
                            &Marks::new(),
                            StatusCode::OK,
                            None,
                        )
                        .await
                    }
                    None => redirect("/console/channels", &[]),
                },
                Ok(false) => {
                    let mut marks = Marks::new();
                    marks
                        .entry("name".to_owned())
                        .or_default()
                        .push(w.tr_str("console-channels-taken", &[("name", &record.name)]));
                    page(
                        &app,
                        w,
                        &nav,
                        Said::Nothing,
                        &marks,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        Some(&f),
                    )
                    .await
                }
                Err(e) => failure(e),
            }
        }
    }
}

/// The field and the words of a refused channel, in the console's language.
fn refusal(w: &Words, e: &PublishError) -> (String, String) {
    match e {
        PublishError::Rejected(r) => (r.field.clone(), super::form::refusal_text(w, r)),
        other => (String::new(), other.to_string()),
    }
}
