//! Drafts and templates under `/api/v1`: `drafts` (support), `templates` (admins change,
//! support reads).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use svetofor_api::{Draft, DraftBody, DraftList, Template, TemplateList};

use crate::AppState;
use crate::api::notices::created;
use crate::error::ApiError;
use crate::http::extract::{JsonBody, MaybeCaller, Writer, require};
use svetofor_publisher::auth::Role;
use svetofor_publisher::notices;
use svetofor_store::{AuditAction, AuditEntry, blocking};

/// The routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/drafts", post(create_draft).get(list_drafts))
        .route(
            "/drafts/{id}",
            get(get_draft).put(replace_draft).delete(delete_draft),
        )
        .route("/drafts/{id}/publish", post(publish_draft))
        .route("/templates", get(list_templates))
        .route(
            "/templates/{name}",
            get(get_template).put(put_template).delete(delete_template),
        )
}

async fn create_draft(
    State(app): State<Arc<AppState>>,
    Writer(caller): Writer,
    JsonBody(body): JsonBody<DraftBody>,
) -> Result<Response, ApiError> {
    let draft = app.publisher.save_draft(None, body, caller.actor()).await?;
    let location = format!("/api/v1/drafts/{}", draft.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(draft),
    )
        .into_response())
}

async fn replace_draft(
    State(app): State<Arc<AppState>>,
    Writer(caller): Writer,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<DraftBody>,
) -> Result<Json<Draft>, ApiError> {
    let draft = app
        .publisher
        .save_draft(Some(&id), body, caller.actor())
        .await?;
    Ok(Json(draft))
}

async fn list_drafts(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
) -> Result<Json<DraftList>, ApiError> {
    // Drafts are not public yet: reading them needs a token.
    require(caller, Role::Reader)?;
    Ok(Json(DraftList {
        drafts: app.publisher.drafts().await?,
    }))
}

async fn get_draft(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    Path(id): Path<String>,
) -> Result<Json<Draft>, ApiError> {
    require(caller, Role::Reader)?;
    Ok(Json(app.publisher.draft(&id).await?))
}

async fn delete_draft(
    State(app): State<Arc<AppState>>,
    Writer(caller): Writer,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    app.publisher.delete_draft(&id, caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn publish_draft(
    State(app): State<Arc<AppState>>,
    Writer(caller): Writer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let notice = app.publisher.publish_draft(&id, caller.actor()).await?;
    Ok(created(notice))
}

async fn list_templates(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
) -> Result<Json<TemplateList>, ApiError> {
    require(caller, Role::Reader)?;
    let store = app.store.clone();
    Ok(Json(TemplateList {
        templates: blocking(move || store.templates()).await?,
    }))
}

async fn get_template(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    Path(name): Path<String>,
) -> Result<Json<Template>, ApiError> {
    require(caller, Role::Reader)?;
    let store = app.store.clone();
    let owned = name.clone();
    blocking(move || store.template(&owned))
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no template named \"{name}\"")))
}

async fn put_template(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    Path(name): Path<String>,
    JsonBody(t): JsonBody<Template>,
) -> Result<Json<Template>, ApiError> {
    let caller = require(caller, Role::Admin)?;
    if t.name != name {
        return Err(notices::Rejected {
            field: "name".to_owned(),
            message: format!("is \"{}\" but the address names \"{name}\"", t.name),
            why: notices::Why::Other,
            value: None,
        }
        .into());
    }
    let now = Utc::now();
    notices::check_template(&t, now)?;
    let audit = AuditEntry::new(
        caller.actor(),
        AuditAction::TemplateSave,
        Some(&name),
        serde_json::to_value(&t).unwrap_or_default(),
    );
    let store = app.store.clone();
    let saved = t.clone();
    blocking(move || store.save_template(&saved, &audit)).await?;
    Ok(Json(t))
}

async fn delete_template(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    let caller = require(caller, Role::Admin)?;
    let audit = AuditEntry::new(
        caller.actor(),
        AuditAction::TemplateDelete,
        Some(&name),
        serde_json::Value::Null,
    );
    let store = app.store.clone();
    let owned = name.clone();
    if blocking(move || store.delete_template(&owned, &audit)).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("no template named \"{name}\"")))
    }
}
