//! The admins' Channels page: every channel with its rule and its latest delivery, a test
//! and a removal for each, and forms to add Telegram, webhook and e-mail channels. Secrets go
//! in once (a webhook's is shown once) and never come back out.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use svetofor_api::{ChannelConfig, ChannelInfo, NewChannel};
use svetofor_feed::Severity;

use super::form::{Marks, marks_at, option, word};
use super::guard::nav_of;
use super::guard::{Admin, Person, Posted};
use super::pages::{Nav, esc, signed_page, time_tag};
use super::{failure, html, redirect, words_for};
use crate::AppState;
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

fn rows(w: &Words, csrf: &str, list: &[ChannelInfo]) -> String {
    list.iter()
        .map(|c| {
            let last = c.last.as_ref().map_or_else(
                || esc(&w.t("console-channels-nothing-yet")),
                |d| {
                    let state = w.t(match d.state {
                        svetofor_api::DeliveryState::Pending => "console-delivery-pending",
                        svetofor_api::DeliveryState::Sent => "console-delivery-sent",
                        svetofor_api::DeliveryState::Failed => "console-delivery-failed",
                    });
                    let error = d
                        .last_error
                        .as_deref()
                        .map(|e| format!(" <span class=\"meta\">{}</span>", esc(e)))
                        .unwrap_or_default();
                    format!(
                        "{} {}{error}",
                        esc(&state),
                        time_tag(d.sent_at.unwrap_or(d.created_at))
                    )
                },
            );
            let off = if c.disabled_at.is_some() {
                format!(" <span class=\"overdue\">{}</span>", esc(&w.t("console-channels-off")))
            } else {
                String::new()
            };
            let button = |action: &str, key: &str| {
                format!(
                    "<form method=\"post\" action=\"/console/channels\" class=\"inline\">\
                     <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                     <input type=\"hidden\" name=\"name\" value=\"{name}\">\
                     <button type=\"submit\" name=\"action\" value=\"{action}\" class=\"secondary\">{label}</button></form>",
                    csrf = esc(csrf),
                    name = esc(&c.name),
                    label = esc(&w.t(key)),
                )
            };
            format!(
                "<tr><td>{name}{off}</td><td>{kind}</td><td>{target}</td><td>{rule}</td><td>{last}</td><td>{test}{remove}</td></tr>",
                name = esc(&c.name),
                kind = esc(&c.kind),
                target = esc(&c.target),
                rule = esc(&w.tr_str("console-channels-rule", &[("severity", &w.t(severity_key(c.min_severity)))])),
                test = button("test", "console-channels-test"),
                remove = button("remove", "console-channels-remove"),
            )
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

fn common(w: &Words, default_severity: &str) -> String {
    let sev: String = ["red", "yellow", "green"]
        .iter()
        .map(|s| {
            let key = severity_key(word(s).unwrap_or(Severity::Red));
            option(s, &w.t(key), *s == default_severity)
        })
        .collect();
    let lang = option("ru", "русский", true) + &option("en", "English", false);
    format!(
        "<div class=\"pair\"><label>{sev_label}<select name=\"min_severity\">{sev}</select></label>\
         <label>{lang_label}<select name=\"language\">{lang}</select></label></div>\
         <label><input type=\"checkbox\" name=\"drafts\" value=\"1\"> {drafts}</label>",
        sev_label = esc(&w.t("console-channels-min-severity")),
        lang_label = esc(&w.t("console-channels-language")),
        drafts = esc(&w.t("console-channels-drafts")),
    )
}

fn field(w: &Words, name: &str, key: &str, kind: &str, hint: &str, marks: &Marks) -> String {
    format!(
        "<label>{}<input name=\"{name}\" type=\"{kind}\" placeholder=\"{}\" autocomplete=\"off\"></label>{}",
        esc(&w.t(key)),
        esc(hint),
        marks_at(marks, name)
    )
}

fn forms(w: &Words, csrf: &str, marks: &Marks) -> String {
    let h = format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(csrf)
    );
    let name = |m: &Marks| field(w, "name", "console-channels-name", "text", "helpdesk-tg", m);
    format!(
        "<h2>{tg}</h2><form method=\"post\" action=\"/console/channels\" class=\"compose\">{h}{n1}\
         {chat}{token}{api}{c1}<button type=\"submit\" name=\"action\" value=\"telegram\">{add}</button></form>\
         <h2>{hook}</h2><form method=\"post\" action=\"/console/channels\" class=\"compose\">{h}{n2}\
         {url}{c2}<button type=\"submit\" name=\"action\" value=\"webhook\">{add}</button></form>\
         <h2>{mail}</h2><form method=\"post\" action=\"/console/channels\" class=\"compose\">{h}{n3}\
         {smtp}{from}{to}<div class=\"pair\">{user}{pass}</div>{c3}\
         <button type=\"submit\" name=\"action\" value=\"email\">{add}</button></form>",
        tg = esc(&w.t("console-channels-add-telegram")),
        hook = esc(&w.t("console-channels-add-webhook")),
        mail = esc(&w.t("console-channels-add-email")),
        add = esc(&w.t("console-channels-add")),
        n1 = name(marks),
        n2 = name(&Marks::new()),
        n3 = name(&Marks::new()),
        chat = field(
            w,
            "chat",
            "console-channels-chat",
            "text",
            "@acme_status",
            marks
        ),
        token = field(
            w,
            "bot_token",
            "console-channels-bot-token",
            "password",
            "123456:AA…",
            marks
        ),
        api = field(
            w,
            "api_url",
            "console-channels-api-url",
            "url",
            "https://api.telegram.org",
            marks
        ),
        url = field(
            w,
            "url",
            "console-channels-url",
            "url",
            "https://ops.example.com/hooks/svetofor",
            marks
        ),
        smtp = field(
            w,
            "smtp",
            "console-channels-smtp",
            "text",
            "smtp+starttls://mail.example.com:587",
            marks
        ),
        from = field(
            w,
            "from",
            "console-channels-from",
            "text",
            "Helpdesk <helpdesk@example.com>",
            marks
        ),
        to = field(
            w,
            "to",
            "console-channels-to",
            "text",
            "staff@example.com",
            marks
        ),
        user = field(w, "user", "console-channels-user", "text", "", marks),
        pass = field(
            w,
            "password",
            "console-channels-password",
            "password",
            "",
            marks
        ),
        c1 = common(w, "red"),
        c2 = common(w, "green"),
        c3 = common(w, "red"),
    )
}

async fn page(
    app: &AppState,
    w: &Words,
    nav: &Nav<'_>,
    said: Said,
    marks: &Marks,
    status: StatusCode,
) -> Response {
    let list = match channel_list(&app.store).await {
        Ok(l) => l,
        Err(e) => return failure(e),
    };
    let said = match said {
        Said::Nothing => String::new(),
        Said::Fine(m) => format!("<p class=\"secret\" role=\"status\">{}</p>", esc(&m)),
        Said::Wrong(m) => format!("<p class=\"error\" role=\"alert\">{}</p>", esc(&m)),
        Said::Secret(s) => format!(
            "<p class=\"secret\" role=\"status\">{}<br><code>{}</code></p>",
            esc(&w.t("console-channels-secret")),
            esc(&s)
        ),
    };
    let table = if list.is_empty() {
        format!(
            "<p class=\"empty\">{}</p>",
            esc(&w.t("console-channels-empty"))
        )
    } else {
        format!(
            "<table class=\"grid list\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr>{}</table>",
            esc(&w.t("console-channels-name")),
            esc(&w.t("console-channels-kind")),
            esc(&w.t("console-channels-target")),
            esc(&w.t("console-channels-who")),
            esc(&w.t("console-channels-last")),
            rows(w, nav.csrf, &list)
        )
    };
    let body = format!(
        "<h1>{}</h1><p class=\"meta\">{}</p>{said}{}{table}{}",
        esc(&w.t("console-nav-channels")),
        esc(&w.t("console-channels-hint")),
        marks_at(marks, ""),
        forms(w, nav.csrf, marks),
    );
    html(
        status,
        &[],
        signed_page(w, nav, &w.t("console-nav-channels"), &body),
    )
}

pub(super) async fn channels(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Person {
        user, session: s, ..
    }: Person<Admin>,
) -> Response {
    let w = words_for(&headers);
    page(
        &app,
        w,
        &nav_of(&user, &s),
        Said::Nothing,
        &Marks::new(),
        StatusCode::OK,
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
    headers: HeaderMap,
    Posted {
        user,
        session: s,
        form: f,
        ..
    }: Posted<Admin, ChannelForm>,
) -> Response {
    let w = words_for(&headers);
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
            page(&app, w, &nav, said, &Marks::new(), StatusCode::OK).await
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
                    let (field, message) = refusal(&e);
                    marks.entry(field).or_default().push(message);
                    return page(
                        &app,
                        w,
                        &nav,
                        Said::Nothing,
                        &marks,
                        StatusCode::UNPROCESSABLE_ENTITY,
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
                    )
                    .await
                }
                Err(e) => failure(e),
            }
        }
    }
}

/// The field and the words of a refused channel.
fn refusal(e: &PublishError) -> (String, String) {
    match e {
        PublishError::Rejected(r) => (r.field.clone(), r.to_string()),
        other => (String::new(), other.to_string()),
    }
}
