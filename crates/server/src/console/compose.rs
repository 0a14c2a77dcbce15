//! Publishing from the browser: the compose form (a new notice, Russian and English side by
//! side, with the checks before publishing) and a notice's page (update, resolve, withdraw).
//! Field names are the API's, so scripts and browser tests find them.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use svetofor_api::{Closing, NewNotice, NoticeChange, NoticeUpdate};
use svetofor_feed::{Kind, Notice, Severity, State as NoticeState, Text};

use super::checks::{self, Check, Draft};
use super::pages::{esc, page};
use super::preview::Preview;
use super::words::{Lang, Words};
use super::{failure, forged, html, redirect, signed_in, words_for};
use crate::AppState;
use crate::accounts::UserRecord;
use crate::auth::Role;
use crate::publisher::PublishError;
use crate::store::{SessionRecord, blocking};

/// The compose form as posted.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ComposeForm {
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
    next_update_at: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    csrf: String,
    /// "Publish anyway": the checks that failed are overridden, with a reason.
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    confirm_reason: String,
    /// Which button: `preview` shows what desktops will show; anything else publishes.
    #[serde(default)]
    action: String,
}

/// Texts in the languages that have one.
fn text(ru: &str, en: &str) -> Option<Text> {
    let map: BTreeMap<String, String> = [("ru", ru), ("en", en)]
        .into_iter()
        .filter(|(_, t)| !t.trim().is_empty())
        .map(|(l, t)| (l.to_owned(), t.trim().replace("\r\n", "\n")))
        .collect();
    (!map.is_empty()).then_some(Text::Translated(map))
}

/// A moment from the form: empty, a delay (`30m`, `2h`, `1d`), or `YYYY-MM-DD HH:MM` in UTC.
fn moment(raw: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, ()> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let (n, unit) = s.split_at(s.len() - 1);
    if let Ok(n) = n.trim().parse::<i64>() {
        let d = match unit {
            "m" => TimeDelta::minutes(n),
            "h" => TimeDelta::hours(n),
            "d" => TimeDelta::days(n),
            _ => return Err(()),
        };
        return Ok(Some(now + d));
    }
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
        .map(|t| Some(t.and_utc()))
        .map_err(|_| ())
}

fn word<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

/// A signed-in person allowed to publish, or the page that says why not.
async fn publisher_of(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<(UserRecord, SessionRecord), Response> {
    let w = words_for(headers);
    match signed_in(app, headers).await {
        Ok(Some((u, s))) if u.role >= Role::Support => Ok((u, s)),
        Ok(Some(_)) => Err(html(
            StatusCode::FORBIDDEN,
            &[],
            page(
                w,
                &w.t("console-title"),
                &format!(
                    "<p class=\"error\" role=\"alert\">{}</p>",
                    esc(&w.t("console-not-allowed"))
                ),
            ),
        )),
        Ok(None) => Err(redirect("/console/login", &[])),
        Err(e) => Err(failure(e)),
    }
}

/// The person behind a posted form: signed in, allowed to publish, and the form genuine (see
/// [`refusal`]); else the page that says why not.
async fn poster_of(
    app: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    csrf: &str,
) -> Result<(UserRecord, SessionRecord), Response> {
    let (user, s) = publisher_of(app, headers).await?;
    match refusal(app, headers, peer, &s, csrf) {
        Some(r) => Err(r),
        None => Ok((user, s)),
    }
}

/// The refusal of a posted form that did not come from this console's page with its
/// session's token, or that exceeds the write rate; `None` for a genuine one.
fn refusal(
    app: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    session: &SessionRecord,
    csrf: &str,
) -> Option<Response> {
    let w = words_for(headers);
    if forged(&app.console, headers, session, csrf) {
        return Some(html(StatusCode::FORBIDDEN, &[], super::pages::refused(w)));
    }
    if app.write_limiter.check(peer.ip()).is_err() {
        return Some(html(
            StatusCode::TOO_MANY_REQUESTS,
            &[],
            super::pages::refused(w),
        ));
    }
    None
}

fn option(value: &str, label: &str, selected: bool) -> String {
    format!(
        "<option value=\"{}\"{}>{}</option>",
        esc(value),
        if selected { " selected" } else { "" },
        esc(label)
    )
}

const DELAYS: [&str; 5] = ["15m", "30m", "1h", "2h", "4h"];

fn delay_select(w: &Words, name: &str, current: &str) -> String {
    let mut out = format!("<select name=\"{name}\">");
    out.push_str(&option(
        "",
        &w.t("console-compose-no-promise"),
        current.is_empty(),
    ));
    for d in DELAYS {
        let (n, unit) = d.split_at(d.len() - 1);
        let key = if unit == "h" {
            "console-unit-hours"
        } else {
            "console-unit-minutes"
        };
        let delay = w.tr(key, &[("n", n)]);
        out.push_str(&option(
            d,
            &w.tr("console-compose-in", &[("delay", &delay)]),
            current == d,
        ));
    }
    out.push_str("</select>");
    out
}

/// The messages for failed checks and refusals, by field.
type Marks = BTreeMap<String, Vec<String>>;

fn marks_of(w: &Words, failed: &[Check]) -> Marks {
    let mut m = Marks::new();
    for c in failed {
        m.entry(c.field().to_owned())
            .or_default()
            .push(w.t(c.key()));
    }
    m
}

fn marks_at(marks: &Marks, field: &str) -> String {
    marks
        .get(field)
        .map(|v| {
            v.iter()
                .map(|m| format!("<p class=\"check\" role=\"alert\">{}</p>", esc(m)))
                .collect::<String>()
        })
        .unwrap_or_default()
}

fn confirm_box(w: &Words, failed: &[Check]) -> String {
    if failed.is_empty() {
        return String::new();
    }
    format!(
        "<fieldset class=\"confirm\"><label><input type=\"checkbox\" name=\"confirm\" value=\"1\"> {}</label>\
         <label>{}<textarea name=\"confirm_reason\" rows=\"2\"></textarea></label></fieldset>",
        esc(&w.t("console-compose-confirm")),
        esc(&w.t("console-compose-confirm-reason")),
    )
}

/// The preview panel: the banner, the tray line and the notification, in both languages.
fn preview_panel(w: &Words, previews: &[(Lang, Preview)]) -> String {
    if previews.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<section class=\"preview\"><h2>{}</h2>",
        esc(&w.t("console-preview-heading"))
    );
    for (lang, p) in previews {
        out.push_str(&format!(
            "<h3>{}</h3>",
            esc(&w.t(match lang {
                Lang::Ru => "console-preview-in-russian",
                Lang::En => "console-preview-in-english",
            }))
        ));
        match &p.banner {
            Some(b) => out.push_str(&format!(
                "<div class=\"strip {sev}\"><strong>{word}</strong> <b>{title}</b> {line} <span class=\"meta\">{when}</span></div>",
                sev = p.severity.as_str(),
                word = esc(&b.word),
                title = esc(&b.title),
                line = esc(&b.line),
                when = esc(&b.when),
            )),
            None => out.push_str(&format!(
                "<p class=\"empty\">{}</p>",
                esc(&w.t("console-preview-no-banner"))
            )),
        }
        out.push_str(&format!(
            "<p class=\"tray\">{}: {}</p>",
            esc(&w.t("console-preview-tray")),
            esc(&p.tray)
        ));
        if let Some((summary, body)) = &p.notification {
            out.push_str(&format!(
                "<div class=\"toast\"><strong>{}</strong><br>{}</div>",
                esc(summary),
                esc(body)
            ));
        }
    }
    out.push_str("</section>");
    out
}

/// Two fields side by side (Russian and English, or a window's start and end), each as
/// (name, label key, value, placeholder), with what is marked on them below.
fn pair(w: &Words, marks: &Marks, textarea: bool, fields: [(&str, &str, &str, &str); 2]) -> String {
    let one = |(name, key, value, hint): (&str, &str, &str, &str)| {
        let input = if textarea {
            format!(
                "<textarea name=\"{name}\" rows=\"5\">{}</textarea>",
                esc(value)
            )
        } else {
            format!(
                "<input name=\"{name}\" value=\"{}\" placeholder=\"{}\" maxlength=\"200\">",
                esc(value),
                esc(hint)
            )
        };
        format!("<label>{}{input}</label>", esc(&w.t(key)))
    };
    let [a, b] = fields;
    format!(
        "<div class=\"pair\">{}{}</div>{}{}",
        one(a),
        one(b),
        marks_at(marks, a.0),
        marks_at(marks, b.0)
    )
}

fn compose_page(
    w: &Words,
    csrf: &str,
    f: &ComposeForm,
    failed: &[Check],
    marks: &Marks,
    previews: &[(Lang, Preview)],
) -> String {
    let sev = |v: &str, key: &str| {
        format!(
            "<label class=\"sev {v}\"><input type=\"radio\" name=\"severity\" value=\"{v}\"{}> {}</label>",
            if f.severity == v { " checked" } else { "" },
            esc(&w.t(key))
        )
    };
    let kinds = [
        ("outage", "console-kind-outage"),
        ("degraded", "console-kind-degraded"),
        ("maintenance", "console-kind-maintenance"),
        ("info", "console-kind-info"),
    ]
    .iter()
    .map(|(v, k)| option(v, &w.t(k), f.kind == *v))
    .collect::<String>();
    let body = format!(
        "<h1>{heading}</h1>\n{general}<form method=\"post\" action=\"/console/compose\" class=\"compose\">\n\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\n\
         <fieldset><legend>{sev_label}</legend>{red}{yellow}{green}{sev_marks}</fieldset>\n\
         <label>{kind_label}<select name=\"kind\">{kinds}</select></label>{kind_marks}\n\
         {titles}\n{bodies}\n\
         <label>{components}<input name=\"components\" value=\"{v_components}\" placeholder=\"payments, reports\"></label>{comp_marks}\n\
         <label>{next}{next_select}</label>{next_marks}\n\
         {window}\n\
         <label>{url}<input name=\"url\" type=\"url\" value=\"{v_url}\"></label>{url_marks}\n\
         {confirm}<button type=\"submit\" name=\"action\" value=\"preview\" class=\"secondary\">{preview}</button> \
         <button type=\"submit\" name=\"action\" value=\"publish\">{publish}</button>\n</form>\n{panel}",
        heading = esc(&w.t("console-compose-heading")),
        general = marks_at(marks, ""),
        csrf = esc(csrf),
        sev_label = esc(&w.t("console-compose-severity")),
        red = sev("red", "console-status-red"),
        yellow = sev("yellow", "console-status-yellow"),
        green = sev("green", "console-severity-green"),
        sev_marks = marks_at(marks, "severity"),
        kind_label = esc(&w.t("console-compose-kind")),
        kind_marks = marks_at(marks, "kind"),
        components = esc(&w.t("console-compose-components")),
        v_components = esc(&f.components),
        comp_marks = marks_at(marks, "components"),
        titles = pair(
            w,
            marks,
            false,
            [
                ("title_ru", "console-compose-title-ru", &f.title_ru, ""),
                ("title_en", "console-compose-title-en", &f.title_en, ""),
            ]
        ),
        bodies = pair(
            w,
            marks,
            true,
            [
                ("body_ru", "console-compose-body-ru", &f.body_ru, ""),
                ("body_en", "console-compose-body-en", &f.body_en, ""),
            ]
        ),
        window = pair(
            w,
            marks,
            false,
            [
                (
                    "starts_at",
                    "console-compose-starts",
                    &f.starts_at,
                    "2h · 2026-12-01 22:00"
                ),
                (
                    "ends_at",
                    "console-compose-ends",
                    &f.ends_at,
                    "4h · 2026-12-02 00:00"
                ),
            ]
        ),
        next = esc(&w.t("console-compose-next-update")),
        next_select = delay_select(w, "next_update_at", &f.next_update_at),
        next_marks = marks_at(marks, "next_update_at"),
        url = esc(&w.t("console-compose-url")),
        v_url = esc(&f.url),
        url_marks = marks_at(marks, "url"),
        confirm = confirm_box(w, failed),
        publish = esc(&w.t("console-compose-publish")),
        preview = esc(&w.t("console-compose-preview")),
        panel = preview_panel(w, previews),
    );
    page(w, &w.t("console-compose-heading"), &body)
}

pub(super) async fn compose_form(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let (_, s) = match publisher_of(&app, &headers).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let w = words_for(&headers);
    let f = ComposeForm {
        severity: "red".into(),
        kind: "outage".into(),
        next_update_at: "30m".into(),
        ..ComposeForm::default()
    };
    html(
        StatusCode::OK,
        &[],
        compose_page(w, &s.csrf, &f, &[], &Marks::new(), &[]),
    )
}

/// Whether the person ticked "publish anyway" and said why.
fn confirmed(confirm: &str, reason: &str) -> bool {
    !confirm.is_empty() && !reason.trim().is_empty()
}

pub(super) async fn compose(
    State(app): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<ComposeForm>,
) -> Response {
    let (user, s) = match poster_of(&app, &headers, peer, &f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let w = words_for(&headers);
    let now = Utc::now();
    let mut marks = Marks::new();
    let mut time = |field: &str, raw: &str| match moment(raw, now) {
        Ok(t) => t,
        Err(()) => {
            marks
                .entry(field.to_owned())
                .or_default()
                .push(w.t("console-compose-bad-time"));
            None
        }
    };
    let next_update_at = time("next_update_at", &f.next_update_at);
    let starts_at = time("starts_at", &f.starts_at);
    let ends_at = time("ends_at", &f.ends_at);
    let severity: Option<Severity> = word(&f.severity);
    let draft = Draft {
        severity,
        title_ru: &f.title_ru,
        title_en: &f.title_en,
        body_ru: &f.body_ru,
        body_en: &f.body_en,
        next_update: next_update_at.is_some(),
    };
    let failed = checks::before_publish(&draft);
    let req = NewNotice {
        severity,
        kind: word::<Kind>(&f.kind),
        state: None,
        title: text(&f.title_ru, &f.title_en),
        body: text(&f.body_ru, &f.body_en),
        components: f
            .components
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
        next_update_at,
        starts_at,
        ends_at,
        url: Some(f.url.trim().to_owned()).filter(|u| !u.is_empty()),
    };
    if f.action == "preview" {
        for (k, v) in marks_of(w, &failed) {
            marks.entry(k).or_default().extend(v);
        }
        let previews = match crate::notices::create("preview".to_owned(), req, now) {
            Ok(n) => app.console.previewer.as_ref().map_or_else(Vec::new, |p| {
                Lang::ALL
                    .into_iter()
                    .filter_map(|l| p.preview(&n, l.tag()).map(|v| (l, v)))
                    .collect()
            }),
            Err(r) => {
                marks
                    .entry(form_field(&r.field))
                    .or_default()
                    .push(r.message);
                vec![]
            }
        };
        let page = compose_page(w, &s.csrf, &f, &[], &marks, &previews);
        return html(StatusCode::OK, &[], page);
    }
    let overridden = !failed.is_empty() && confirmed(&f.confirm, &f.confirm_reason);
    if !marks.is_empty() || (!failed.is_empty() && !overridden) {
        for (k, v) in marks_of(w, &failed) {
            marks.entry(k).or_default().extend(v);
        }
        let page = compose_page(w, &s.csrf, &f, &failed, &marks, &[]);
        return html(StatusCode::UNPROCESSABLE_ENTITY, &[], page);
    }
    let note = overridden.then(|| overrides(&failed, &f.confirm_reason));
    match app.publisher.create_noted(req, user.actor(), note).await {
        Ok(n) => {
            tracing::info!(user = %user.name, notice = %n.id, "published from the console");
            redirect("/console/", &[])
        }
        Err(PublishError::Rejected(r)) => {
            marks
                .entry(form_field(&r.field))
                .or_default()
                .push(r.message);
            let page = compose_page(w, &s.csrf, &f, &failed, &marks, &[]);
            html(StatusCode::UNPROCESSABLE_ENTITY, &[], page)
        }
        Err(e) => failure(e),
    }
}

/// The form field an API field's refusal belongs next to.
fn form_field(api_field: &str) -> String {
    match api_field {
        "title" => "title_ru",
        "body" => "body_ru",
        other => other,
    }
    .to_owned()
}

/// What the audit log keeps of checks that were overridden.
fn overrides(failed: &[Check], reason: &str) -> serde_json::Value {
    serde_json::json!({
        "checks": failed.iter().map(|c| c.name()).collect::<Vec<_>>(),
        "reason": reason.trim(),
    })
}

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

fn notice_page(w: &Words, csrf: &str, n: &Notice, failed: &[Check], marks: &Marks) -> String {
    let lang = w.lang().tag();
    let timeline: String = n
        .updates
        .iter()
        .rev()
        .map(|u| {
            format!(
                "<li><span class=\"meta\">{}</span> <strong>{}</strong> {}</li>",
                u.at.format("%Y-%m-%d %H:%M UTC"),
                esc(&w.t(state_key(u.state))),
                esc(u.text.get(lang, ""))
            )
        })
        .collect();
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
    let body = format!(
        "<p><a href=\"/console/\">{back}</a></p><h1 class=\"{sev}\">{title}</h1>\
         <p class=\"meta\">{state}</p><ol class=\"timeline\">{timeline}</ol>{forms}",
        back = esc(&w.t("console-back")),
        sev = n.severity.as_str(),
        title = esc(n.title.get(lang, "")),
        state = esc(&w.t(state_key(n.state))),
    );
    page(w, n.title.get(lang, ""), &body)
}

pub(super) async fn notice(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (_, s) = match publisher_of(&app, &headers).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let w = words_for(&headers);
    match notice_of(&app, &id).await {
        Ok(Some(n)) => html(
            StatusCode::OK,
            &[],
            notice_page(w, &s.csrf, &n, &[], &Marks::new()),
        ),
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
}

pub(super) async fn change(
    State(app): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((id, action)): Path<(String, String)>,
    headers: HeaderMap,
    Form(f): Form<ChangeForm>,
) -> Response {
    let (user, s) = match poster_of(&app, &headers, peer, &f.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
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
            next_update_at: moment(&f.next_update_at, Utc::now()).ok().flatten(),
            title: None,
            body: None,
            starts_at: None,
            ends_at: None,
        }),
        "resolve" => {
            failed = checks::before_resolve(n.severity, &format!("{}{}", f.text_ru, f.text_en));
            if !failed.is_empty() && !confirmed(&f.confirm, &f.confirm_reason) {
                let marks = marks_of(w, &failed);
                let page = notice_page(w, &s.csrf, &n, &failed, &marks);
                return html(StatusCode::UNPROCESSABLE_ENTITY, &[], page);
            }
            NoticeChange::Resolve(Closing { text: words })
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
            marks.entry("text".into()).or_default().push(r.message);
            let page = notice_page(w, &s.csrf, &n, &failed, &marks);
            html(StatusCode::UNPROCESSABLE_ENTITY, &[], page)
        }
        Err(e) => failure(e),
    }
}
