//! `/api/v1/notices` and `/api/v1/components`: support posts, updates, resolves, withdraws
//! and corrects notices; anyone may read them unless the server is private.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use svetofor_api::NoticePage;
use svetofor_feed::{Component, Notice};
use svetofor_publisher::auth::{Caller, Role};
use svetofor_publisher::notices::{
    Closing, ComponentSettings, Correction, NewNotice, NoticeChange, NoticeUpdate,
};
use svetofor_store::{NoticeFilter, NoticeQuery, blocking};

use crate::AppState;
use crate::error::ApiError;
use crate::http::extract::{JsonBody, MaybeCaller, Writer, require, require_read};

/// The routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/notices", post(create_notice).get(list_notices))
        .route("/notices/{id}", get(get_notice))
        .route("/notices/{id}/updates", post(update_notice))
        .route("/notices/{id}/resolve", post(resolve_notice))
        .route("/notices/{id}/withdraw", post(withdraw_notice))
        .route("/notices/{id}/correction", post(correct_notice))
        .route(
            "/components/{id}",
            axum::routing::put(set_component).delete(remove_component),
        )
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
) -> Result<Response, ApiError> {
    require_read(&app, caller)?;
    let store = app.store.clone();
    let owned = id.clone();
    let notice = blocking(move || store.notice(&owned)).await?;
    let notice =
        notice.ok_or_else(|| ApiError::not_found(format!("no notice with id \"{id}\"")))?;
    // What a change names as its `version`, so that it is refused if someone changed the
    // notice in between.
    let tag = format!("\"{}\"", svetofor_api::version(&notice));
    Ok(([(header::ETAG, tag)], Json(notice)).into_response())
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
