//! The admins' pages: console accounts (add, disable, new password) and API tokens (create,
//! shown once; revoke). Passwords and tokens never appear in a URL or a log.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;

use super::form::{Marks, marks_at, option};
use super::guard::nav_of;
use super::guard::{Admin, Person, Posted};
use super::pages::{esc, signed_page, time_tag};
use super::{failure, html, redirect, words_for};
use crate::AppState;
use crate::web::words::Words;
use svetofor_publisher::accounts::{self, UserRecord};
use svetofor_publisher::auth::{self, Role};
use svetofor_store::{AccountChange, AuditAction, AuditEntry, SessionRecord, StoreError, blocking};

/// A form of the users or tokens page.
#[derive(Debug, Default, Deserialize)]
pub(super) struct PeopleForm {
    #[serde(default)]
    csrf: String,
    /// `add`, `disable`, `password` (users); `create`, `revoke` (tokens).
    #[serde(default)]
    action: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
    /// A token's name, or its id to revoke.
    #[serde(default)]
    name: String,
    #[serde(default)]
    id: String,
}

impl super::guard::WithCsrf for PeopleForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

fn audit(
    actor: String,
    action: AuditAction,
    target: &str,
    detail: serde_json::Value,
) -> AuditEntry {
    AuditEntry::new(actor, action, Some(target), detail)
}

fn role_select(w: &Words, current: &str, with_intake: bool) -> String {
    let roles: &[&str] = if with_intake {
        &["intake", "reader", "support", "admin"]
    } else {
        &["reader", "support", "admin"]
    };
    let options: String = roles
        .iter()
        .map(|r| option(r, &w.t(&format!("console-role-{r}")), current == *r))
        .collect();
    format!("<select name=\"role\">{options}</select>")
}

fn hidden(csrf: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(csrf)
    )
}

fn users_body(w: &Words, csrf: &str, users: &[UserRecord], marks: &Marks) -> String {
    let rows: String = users
        .iter()
        .map(|u| {
            let state = match u.disabled_at {
                Some(t) => format!("{} {}", esc(&w.t("console-users-disabled")), time_tag(t)),
                None => format!(
                    "<form method=\"post\" action=\"/console/users\" class=\"inline\">{h}\
                     <input type=\"hidden\" name=\"username\" value=\"{name}\">\
                     <button type=\"submit\" name=\"action\" value=\"disable\" class=\"secondary\">{disable}</button></form>\
                     <form method=\"post\" action=\"/console/users\" class=\"inline\">{h}\
                     <input type=\"hidden\" name=\"username\" value=\"{name}\">\
                     <input name=\"password\" type=\"password\" autocomplete=\"new-password\" placeholder=\"{new_pass}\">\
                     <button type=\"submit\" name=\"action\" value=\"password\" class=\"secondary\">{set}</button></form>",
                    h = hidden(csrf),
                    name = esc(&u.name),
                    disable = esc(&w.t("console-users-disable")),
                    new_pass = esc(&w.t("console-users-new-password")),
                    set = esc(&w.t("console-users-set-password")),
                ),
            };
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{state}</td></tr>",
                esc(&u.name),
                esc(&w.t(&format!("console-role-{}", u.role.as_str()))),
                time_tag(u.created_at),
            )
        })
        .collect();
    format!(
        "<h1>{heading}</h1>{general}<table class=\"grid list\"><tr><th>{name}</th><th>{role}</th><th>{since}</th><th></th></tr>{rows}</table>\
         <h2>{add}</h2><form method=\"post\" action=\"/console/users\" class=\"compose\">{h}\
         <label>{name}<input name=\"username\" autocomplete=\"off\"></label>{name_marks}\
         <label>{role}{roles}</label>\
         <label>{pass}<input name=\"password\" type=\"password\" autocomplete=\"new-password\"></label>{pass_marks}\
         <button type=\"submit\" name=\"action\" value=\"add\">{add_button}</button></form>",
        heading = esc(&w.t("console-nav-users")),
        general = marks_at(marks, ""),
        name = esc(&w.t("console-login-username")),
        role = esc(&w.t("console-users-role")),
        since = esc(&w.t("console-users-since")),
        add = esc(&w.t("console-users-add")),
        h = hidden(csrf),
        name_marks = marks_at(marks, "username"),
        roles = role_select(w, "support", false),
        pass = esc(&w.t("console-login-password")),
        pass_marks = marks_at(marks, "password"),
        add_button = esc(&w.t("console-users-add-button")),
    )
}

async fn users_page(
    app: &AppState,
    w: &Words,
    (user, s): (&UserRecord, &SessionRecord),
    marks: &Marks,
    status: StatusCode,
) -> Response {
    let accounts = app.console.accounts.clone();
    let users = match blocking(move || accounts.users()).await {
        Ok(u) => u,
        Err(e) => return failure(e),
    };
    let body = users_body(w, &s.csrf, &users, marks);
    let nav = nav_of(user, s);
    html(
        status,
        &[],
        signed_page(w, &nav, &w.t("console-nav-users"), &body),
    )
}

pub(super) async fn users(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Person {
        user, session: s, ..
    }: Person<Admin>,
) -> Response {
    let w = words_for(&headers);
    users_page(&app, w, (&user, &s), &Marks::new(), StatusCode::OK).await
}

pub(super) async fn change_users(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Posted {
        user,
        session: s,
        form: f,
        ..
    }: Posted<Admin, PeopleForm>,
) -> Response {
    let w = words_for(&headers);
    let mut marks = Marks::new();
    let mut mark = |field: &str, m: String| marks.entry(field.to_owned()).or_default().push(m);
    let name = match accounts::user_name(&f.username) {
        Ok(n) => n,
        Err(e) => {
            mark("username", e.to_string());
            return users_page(
                &app,
                w,
                (&user, &s),
                &marks,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    if f.role == "intake" {
        mark("", w.t("console-users-no-intake"));
        return users_page(
            &app,
            w,
            (&user, &s),
            &marks,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let needs_password = f.action == "add" || f.action == "password";
    let hash = if needs_password {
        // Hashing takes a while on purpose: off the async threads.
        let password = f.password.clone();
        match tokio::task::spawn_blocking(move || accounts::hash_password(&password)).await {
            Ok(Ok(h)) => Some(h),
            Ok(Err(e)) => {
                let field = if f.action == "add" { "password" } else { "" };
                mark(field, e.to_string());
                return users_page(
                    &app,
                    w,
                    (&user, &s),
                    &marks,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            Err(e) => return failure(e),
        }
    } else {
        None
    };
    let accounts = app.console.accounts.clone();
    let actor = user.actor();
    let role: Option<Role> = f.role.parse().ok();
    let action = f.action.clone();
    let target = name.clone();
    let done = blocking(move || -> Result<bool, StoreError> {
        match (action.as_str(), hash) {
            ("add", Some(hash)) => {
                let record = UserRecord {
                    name: target.clone(),
                    role: role.unwrap_or(Role::Support),
                    password_hash: hash,
                    created_at: Utc::now(),
                    disabled_at: None,
                };
                let detail = serde_json::json!({ "role": record.role.as_str() });
                accounts.insert_user(
                    &record,
                    &audit(actor, AuditAction::UserCreate, &target, detail),
                )
            }
            ("password", Some(hash)) => accounts.change_user(
                &target,
                AccountChange::Password(&hash),
                &audit(
                    actor,
                    AuditAction::UserPassword,
                    &target,
                    serde_json::Value::Null,
                ),
            ),
            ("disable", _) => accounts.change_user(
                &target,
                AccountChange::Disable,
                &audit(
                    actor,
                    AuditAction::UserDisable,
                    &target,
                    serde_json::Value::Null,
                ),
            ),
            _ => Ok(false),
        }
    })
    .await;
    match done {
        Ok(true) => redirect("/console/users", &[]),
        Ok(false) => {
            let key = if f.action == "add" {
                "console-users-taken"
            } else {
                "console-users-none"
            };
            mark("username", w.tr_str(key, &[("name", &name)]));
            users_page(
                &app,
                w,
                (&user, &s),
                &marks,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => failure(e),
    }
}

async fn tokens_page(
    app: &AppState,
    w: &Words,
    (user, s): (&UserRecord, &SessionRecord),
    created: Option<&str>,
    marks: &Marks,
) -> Response {
    let store = app.store.clone();
    let tokens = match blocking(move || store.tokens()).await {
        Ok(t) => t,
        Err(e) => return failure(e),
    };
    let rows: String = tokens
        .iter()
        .map(|t| {
            let state = match t.revoked_at {
                Some(r) => format!("{} {}", esc(&w.t("console-tokens-revoked")), time_tag(r)),
                None => format!(
                    "<form method=\"post\" action=\"/console/tokens\" class=\"inline\">{h}\
                     <input type=\"hidden\" name=\"id\" value=\"{id}\">\
                     <button type=\"submit\" name=\"action\" value=\"revoke\" class=\"secondary\">{revoke}</button></form>",
                    h = hidden(&s.csrf),
                    id = esc(&t.id),
                    revoke = esc(&w.t("console-tokens-revoke")),
                ),
            };
            format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{state}</td></tr>",
                esc(&t.id),
                esc(&t.name),
                esc(&w.t(&format!("console-role-{}", t.role.as_str()))),
                time_tag(t.created_at),
            )
        })
        .collect();
    let shown = created
        .map(|t| {
            format!(
                "<p class=\"secret\" role=\"status\">{}<br><code>{}</code></p>",
                esc(&w.t("console-tokens-shown-once")),
                esc(t)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<h1>{heading}</h1>{shown}<table class=\"grid list\"><tr><th>id</th><th>{name}</th><th>{role}</th><th>{since}</th><th></th></tr>{rows}</table>\
         <h2>{add}</h2><form method=\"post\" action=\"/console/tokens\" class=\"compose\">{h}\
         <label>{name}<input name=\"name\" placeholder=\"monitoring\"></label>{name_marks}<label>{role}{roles}</label>\
         <button type=\"submit\" name=\"action\" value=\"create\">{create}</button></form>",
        heading = esc(&w.t("console-nav-tokens")),
        name = esc(&w.t("console-tokens-name")),
        role = esc(&w.t("console-users-role")),
        since = esc(&w.t("console-users-since")),
        add = esc(&w.t("console-tokens-add")),
        h = hidden(&s.csrf),
        name_marks = marks_at(marks, "name"),
        roles = role_select(w, "support", true),
        create = esc(&w.t("console-tokens-create")),
    );
    let nav = nav_of(user, s);
    // The page that shows a new token once must not be kept by the browser: `html` sends
    // `Cache-Control: no-store`.
    html(
        StatusCode::OK,
        &[],
        signed_page(w, &nav, &w.t("console-nav-tokens"), &body),
    )
}

pub(super) async fn tokens(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Person {
        user, session: s, ..
    }: Person<Admin>,
) -> Response {
    let w = words_for(&headers);
    tokens_page(&app, w, (&user, &s), None, &Marks::new()).await
}

pub(super) async fn change_tokens(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Posted {
        user,
        session: s,
        form: f,
        ..
    }: Posted<Admin, PeopleForm>,
) -> Response {
    let w = words_for(&headers);
    let store = app.store.clone();
    if f.action == "revoke" {
        let a = audit(
            user.actor(),
            AuditAction::TokenRevoke,
            &f.id,
            serde_json::Value::Null,
        );
        let id = f.id.clone();
        return match blocking(move || store.revoke_token(&id, &a)).await {
            Ok(_) => redirect("/console/tokens", &[]),
            Err(e) => failure(e),
        };
    }
    let name = f.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        let mut marks = Marks::new();
        marks
            .entry("name".to_owned())
            .or_default()
            .push(w.t("console-tokens-bad-name"));
        return tokens_page(&app, w, (&user, &s), None, &marks).await;
    }
    let role: Role = f.role.parse().unwrap_or(Role::Support);
    let (token, record) = match auth::new_token(&name, role, Utc::now()) {
        Ok(x) => x,
        Err(e) => return failure(e),
    };
    let detail = serde_json::json!({ "name": name, "role": role.as_str() });
    let a = audit(user.actor(), AuditAction::TokenCreate, &record.id, detail);
    if let Err(e) = blocking(move || store.insert_token(&record, &a)).await {
        return failure(e);
    }
    tokens_page(&app, w, (&user, &s), Some(&token), &Marks::new()).await
}
