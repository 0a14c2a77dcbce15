//! The admins' pages: console accounts (add, disable, new password) and API tokens (create,
//! shown once; revoke). Passwords and tokens never appear in a URL or a log.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;

use super::form::{Choice, Marks, Select};
use super::guard::nav_of;
use super::guard::{Admin, Person, Posted};
use super::pages::{Layout, draw};
use super::{failure, html, redirect};
use crate::AppState;
use crate::web::timed::Moment;
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

fn roles(w: &Words, with_intake: bool) -> Select {
    let roles: &[&str] = if with_intake {
        &["intake", "reader", "support", "admin"]
    } else {
        &["reader", "support", "admin"]
    };
    Select {
        name: "role",
        options: roles
            .iter()
            .map(|r| Choice::new(r, w.t(&format!("console-role-{r}")), *r == "support"))
            .collect(),
    }
}

/// An account or a token as its row shows it.
struct Row<'a> {
    /// The account's name, or the token's id.
    name: &'a str,
    role_key: String,
    since: Moment,
    /// When it was disabled or revoked.
    disabled: Option<Moment>,
}

fn role_key(role: Role) -> String {
    format!("console-role-{}", role.as_str())
}

#[derive(askama::Template)]
#[template(path = "console/users.html")]
struct UsersPage<'a> {
    l: Layout<'a>,
    csrf: &'a str,
    marks: &'a Marks,
    users: Vec<Row<'a>>,
    roles: Select,
}

/// A token as its row shows it.
struct TokenRow<'a> {
    id: &'a str,
    name: &'a str,
    role_key: String,
    since: Moment,
    revoked: Option<Moment>,
}

#[derive(askama::Template)]
#[template(path = "console/tokens.html")]
struct TokensPage<'a> {
    l: Layout<'a>,
    csrf: &'a str,
    marks: &'a Marks,
    /// A token just made: shown this once.
    created: Option<&'a str>,
    tokens: Vec<TokenRow<'a>>,
    roles: Select,
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
    let nav = nav_of(user, s);
    let page = UsersPage {
        l: Layout::new(w, &w.t("console-nav-users"), Some(&nav)),
        csrf: &s.csrf,
        marks,
        users: users
            .iter()
            .map(|u| Row {
                name: &u.name,
                role_key: role_key(u.role),
                since: Moment::of(u.created_at),
                disabled: u.disabled_at.map(Moment::of),
            })
            .collect(),
        roles: roles(w, false),
    };
    html(status, &[], draw(&page))
}

pub(super) async fn users(
    State(app): State<Arc<AppState>>,
    Person(user, s, w, ..): Person<Admin>,
) -> Response {
    users_page(&app, w, (&user, &s), &Marks::new(), StatusCode::OK).await
}

pub(super) async fn change_users(
    State(app): State<Arc<AppState>>,
    Posted(user, s, f, w, ..): Posted<Admin, PeopleForm>,
) -> Response {
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
    let nav = nav_of(user, s);
    // The page that shows a new token once must not be kept by the browser: `html` sends
    // `Cache-Control: no-store`.
    let page = TokensPage {
        l: Layout::new(w, &w.t("console-nav-tokens"), Some(&nav)),
        csrf: &s.csrf,
        marks,
        created,
        tokens: tokens
            .iter()
            .map(|t| TokenRow {
                id: &t.id,
                name: &t.name,
                role_key: role_key(t.role),
                since: Moment::of(t.created_at),
                revoked: t.revoked_at.map(Moment::of),
            })
            .collect(),
        roles: roles(w, true),
    };
    html(StatusCode::OK, &[], draw(&page))
}

pub(super) async fn tokens(
    State(app): State<Arc<AppState>>,
    Person(user, s, w, ..): Person<Admin>,
) -> Response {
    tokens_page(&app, w, (&user, &s), None, &Marks::new()).await
}

pub(super) async fn change_tokens(
    State(app): State<Arc<AppState>>,
    Posted(user, s, f, w, ..): Posted<Admin, PeopleForm>,
) -> Response {
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
