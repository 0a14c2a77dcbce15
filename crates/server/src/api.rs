//! The notices API under `/api/v1`, with bearer-token roles.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use svetofor_feed::{Component, Notice};

use crate::AppState;
use crate::auth::{self, AuthError, Caller, Role};
use crate::error::ApiError;
use crate::notices::{
    Closing, ComponentSettings, Correction, NewNotice, NoticeChange, NoticeUpdate,
};
use crate::store::{AuditEntry, AuditQuery, NoticeFilter, NoticeQuery, blocking};
use svetofor_api::{ErrorCode, NoticePage};

/// The `/api/v1` routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/notices", post(create_notice).get(list_notices))
        .route("/notices/{id}", get(get_notice))
        .route("/notices/{id}/updates", post(update_notice))
        .route("/notices/{id}/resolve", post(resolve_notice))
        .route("/notices/{id}/withdraw", post(withdraw_notice))
        .route(
            "/components/{id}",
            axum::routing::put(set_component).delete(remove_component),
        )
        .route("/tokens", post(create_token).get(list_tokens))
        .route("/tokens/{id}", delete(revoke_token))
        .route("/notices/{id}/correction", post(correct_notice))
        .route("/audit", get(list_audit))
        .merge(crate::api_drafts::routes())
        .merge(crate::api_channels::routes())
        .merge(crate::intake::routes())
}

/// A JSON body whose rejections are JSON errors too.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(JsonBody(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "send the body as JSON with \"Content-Type: application/json\"",
            )),
            Err(JsonRejection::BytesRejection(e)) => Err(ApiError::new(
                ErrorCode::TooLarge,
                format!("the request body could not be read: {}", e.body_text()),
            )),
            Err(e) => Err(ApiError::bad_request(e.body_text())),
        }
    }
}

/// The caller, if a valid token came with the request.
pub struct MaybeCaller(pub Option<Caller>);

/// The token of an `Authorization: Bearer …` header; the scheme is case-insensitive
/// (RFC 7235).
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

fn peer(parts: &Parts) -> Option<std::net::IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip())
}

/// Checks the request's token, if any, against the store; an address that keeps sending
/// bad tokens is made to wait (429) before its next one is looked at.
pub async fn caller_of(parts: &Parts, app: &AppState) -> Result<Option<Caller>, ApiError> {
    let Some(token) = bearer(parts) else {
        return match parts.headers.get(header::AUTHORIZATION) {
            Some(_) => Err(AuthError::Invalid.into()),
            None => Ok(None),
        };
    };
    let ip = peer(parts);
    if let Some(ip) = ip
        && let Err(wait) = app.auth_throttle.check(&ip)
    {
        return Err(ApiError::too_many(
            "too many bad tokens from this address; wait before trying again",
            wait,
        ));
    }
    let token = token.to_owned();
    let store = app.store.clone();
    match blocking(move || auth::verify(store.as_ref(), &token)).await {
        Ok(caller) => {
            if let Some(ip) = ip {
                app.auth_throttle.succeeded(&ip);
            }
            Ok(Some(caller))
        }
        Err(e) => {
            if matches!(e, AuthError::Invalid) {
                let from = ip.map(|ip| ip.to_string()).unwrap_or_default();
                tracing::warn!(%from, "refused a token that is not valid or was revoked");
                if let Some(ip) = ip {
                    app.auth_throttle.failed(ip);
                }
            }
            Err(e.into())
        }
    }
}

impl FromRequestParts<Arc<AppState>> for MaybeCaller {
    type Rejection = ApiError;

    /// On a public server a token that is not valid counts as none: what it asks for is
    /// open to everybody anyway. Writes and private reads still refuse it.
    async fn from_request_parts(parts: &mut Parts, app: &Arc<AppState>) -> Result<Self, ApiError> {
        match caller_of(parts, app).await {
            Ok(caller) => Ok(MaybeCaller(caller)),
            Err(e)
                if !app.private
                    && matches!(e.code(), ErrorCode::Unauthorized | ErrorCode::RateLimited) =>
            {
                Ok(MaybeCaller(None))
            }
            Err(e) => Err(e),
        }
    }
}

/// A caller allowed to change notices: a support or admin token, within the per-address
/// write rate.
pub struct Writer(pub Caller);

impl FromRequestParts<Arc<AppState>> for Writer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<AppState>) -> Result<Self, ApiError> {
        let caller = require(caller_of(parts, app).await?, Role::Support)?;
        within_write_rate(parts, app)?;
        Ok(Writer(caller))
    }
}

/// A caller allowed to hand in alerts: an intake token, or a support or admin one, within the
/// per-address write rate. A reader token (a desktop's) may not.
pub struct Intaker(pub Caller);

impl FromRequestParts<Arc<AppState>> for Intaker {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<AppState>) -> Result<Self, ApiError> {
        let caller = caller_of(parts, app).await?.ok_or(AuthError::Missing)?;
        if caller.role != Role::Intake && caller.role < Role::Support {
            return Err(ApiError::forbidden(format!(
                "token \"{}\" has role {}, this needs intake (or support)",
                caller.name, caller.role
            )));
        }
        within_write_rate(parts, app)?;
        Ok(Intaker(caller))
    }
}

/// Refuses a write beyond the per-address rate (the peer's address, from the connection).
fn within_write_rate(parts: &Parts, app: &AppState) -> Result<(), ApiError> {
    let ConnectInfo(addr) = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
        .ok_or_else(|| ApiError::internal("the peer address is missing"))?;
    write_allowed(app, addr)
}

/// Requires a caller with at least `role`.
pub fn require(caller: Option<Caller>, role: Role) -> Result<Caller, ApiError> {
    let caller = caller.ok_or(AuthError::Missing)?;
    if caller.role < role {
        return Err(ApiError::forbidden(format!(
            "token \"{}\" has role {}, this needs {role}",
            caller.name, caller.role
        )));
    }
    Ok(caller)
}

/// Reading is open to all unless the server is private.
pub fn require_read(app: &AppState, caller: Option<Caller>) -> Result<(), ApiError> {
    if app.private {
        require(caller, Role::Reader)?;
    }
    Ok(())
}

fn write_allowed(app: &AppState, addr: SocketAddr) -> Result<(), ApiError> {
    app.write_limiter.check(addr.ip()).map_err(|after| {
        ApiError::too_many(
            format!(
                "too many changes from {}; try again in {} s",
                addr.ip(),
                after.as_secs()
            ),
            after,
        )
    })
}

pub(crate) fn created(notice: Notice) -> Response {
    let location = format!("/api/v1/notices/{}", notice.id);
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(notice),
    )
        .into_response()
}

async fn create_notice(
    State(app): State<Arc<AppState>>,
    Writer(caller): Writer,
    JsonBody(req): JsonBody<NewNotice>,
) -> Result<Response, ApiError> {
    let notice = app.publisher.create(req, caller.actor()).await?;
    Ok(created(notice))
}

async fn update_notice(
    State(app): State<Arc<AppState>>,
    Writer(caller): Writer,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<NoticeUpdate>,
) -> Result<Json<Notice>, ApiError> {
    change_notice(&app, caller, &id, NoticeChange::Update(req)).await
}

async fn resolve_notice(
    State(app): State<Arc<AppState>>,
    Writer(caller): Writer,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<Closing>,
) -> Result<Json<Notice>, ApiError> {
    change_notice(&app, caller, &id, NoticeChange::Resolve(req)).await
}

async fn withdraw_notice(
    State(app): State<Arc<AppState>>,
    Writer(caller): Writer,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<Closing>,
) -> Result<Json<Notice>, ApiError> {
    change_notice(&app, caller, &id, NoticeChange::Withdraw(req)).await
}

async fn correct_notice(
    State(app): State<Arc<AppState>>,
    Writer(caller): Writer,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<Correction>,
) -> Result<Json<Notice>, ApiError> {
    change_notice(&app, caller, &id, NoticeChange::Correct(req)).await
}

async fn change_notice(
    app: &AppState,
    caller: Caller,
    id: &str,
    change: NoticeChange,
) -> Result<Json<Notice>, ApiError> {
    Ok(Json(
        app.publisher.change(id, change, caller.actor()).await?,
    ))
}

async fn set_component(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ComponentSettings>,
) -> Result<Json<Component>, ApiError> {
    let caller = require(caller, Role::Admin)?;
    Ok(Json(
        app.publisher
            .set_component(&id, req, caller.actor())
            .await?,
    ))
}

async fn remove_component(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let caller = require(caller, Role::Admin)?;
    app.publisher.remove_component(&id, caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn get_notice(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    Path(id): Path<String>,
) -> Result<Json<Notice>, ApiError> {
    require_read(&app, caller)?;
    let store = app.store.clone();
    let owned = id.clone();
    let notice = blocking(move || store.notice(&owned)).await?;
    notice
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no notice with id \"{id}\"")))
}

#[derive(Deserialize)]
struct ListParams {
    #[serde(default)]
    status: Option<NoticeFilter>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    cursor: Option<String>,
}

fn parse_cursor(c: &str) -> Result<(DateTime<Utc>, String), ApiError> {
    let bad = || ApiError::bad_request("cursor: not a cursor from a previous page");
    let (t, id) = c.split_once('~').ok_or_else(bad)?;
    let t = DateTime::parse_from_rfc3339(t).map_err(|_| bad())?;
    Ok((t.with_timezone(&Utc), id.to_owned()))
}

async fn list_notices(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<NoticePage>, ApiError> {
    require_read(&app, caller)?;
    let Query(params) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let limit = params.limit.unwrap_or(50).clamp(1, 200);
    let query = NoticeQuery {
        filter: params.status.unwrap_or(NoticeFilter::All),
        before: params.cursor.as_deref().map(parse_cursor).transpose()?,
        limit: limit + 1,
    };
    let store = app.store.clone();
    let mut notices = blocking(move || store.list_notices(&query)).await?;
    let next_cursor = if notices.len() > limit {
        notices.truncate(limit);
        notices
            .last()
            .map(|n| format!("{}~{}", n.created_at.to_rfc3339(), n.id))
    } else {
        None
    };
    Ok(Json(NoticePage {
        notices,
        next_cursor,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewToken {
    name: String,
    role: Role,
}

#[derive(Serialize)]
struct CreatedToken {
    token: String,
    id: String,
    name: String,
    role: Role,
}

async fn create_token(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    JsonBody(req): JsonBody<NewToken>,
) -> Result<Response, ApiError> {
    let caller = require(caller, Role::Admin)?;
    let name = req.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::bad_request("name: 1 to 100 printable characters"));
    }
    let now = Utc::now();
    let (token, record) = auth::new_token(&name, req.role, now)?;
    let audit = AuditEntry {
        at: now,
        actor: caller.actor(),
        action: "token.create".to_owned(),
        target: Some(record.id.clone()),
        detail: serde_json::json!({ "name": name, "role": req.role }),
    };
    let body = CreatedToken {
        token,
        id: record.id.clone(),
        name,
        role: req.role,
    };
    let store = app.store.clone();
    blocking(move || store.insert_token(&record, &audit)).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn list_tokens(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
) -> Result<Response, ApiError> {
    require(caller, Role::Admin)?;
    let store = app.store.clone();
    let tokens = blocking(move || store.tokens()).await?;
    Ok(Json(serde_json::json!({ "tokens": tokens })).into_response())
}

async fn revoke_token(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let caller = require(caller, Role::Admin)?;
    let audit = AuditEntry {
        at: Utc::now(),
        actor: caller.actor(),
        action: "token.revoke".to_owned(),
        target: Some(id.clone()),
        detail: serde_json::Value::Null,
    };
    let store = app.store.clone();
    let owned = id.clone();
    let done = blocking(move || store.revoke_token(&owned, &audit)).await?;
    if done {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!(
            "no active token with id \"{id}\""
        )))
    }
}

#[derive(Deserialize)]
struct AuditParams {
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    before: Option<i64>,
    /// Only this actor's lines (`user:anna`).
    #[serde(default)]
    actor: Option<String>,
    /// Only lines about this notice, draft, token or account.
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    since: Option<DateTime<Utc>>,
    #[serde(default)]
    until: Option<DateTime<Utc>>,
}

async fn list_audit(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    params: Result<Query<AuditParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    require(caller, Role::Admin)?;
    let Query(params) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let limit = params.limit.unwrap_or(100).clamp(1, 1000);
    let store = app.store.clone();
    let query = AuditQuery {
        limit,
        before: params.before,
        actor: params.actor,
        target: params.target,
        since: params.since,
        until: params.until,
    };
    let entries = blocking(move || store.audit_matching(&query)).await?;
    Ok(Json(serde_json::json!({ "entries": entries })).into_response())
}
