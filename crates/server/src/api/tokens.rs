//! `/api/v1/tokens`: admins make, list and revoke bearer tokens (a token's secret is shown
//! once, at creation).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use svetofor_publisher::auth::{self, Role};
use svetofor_store::{AuditAction, AuditEntry, blocking};

use crate::AppState;
use crate::error::ApiError;
use crate::http::extract::{JsonBody, MaybeCaller, require};

/// The routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/tokens", post(create_token).get(list_tokens))
        .route("/tokens/{id}", delete(revoke_token))
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
    let detail = serde_json::json!({ "name": name, "role": req.role });
    let audit = AuditEntry::new(
        caller.actor(),
        AuditAction::TokenCreate,
        Some(&record.id),
        detail,
    )
    .at(now);
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
    let audit = AuditEntry::new(
        caller.actor(),
        AuditAction::TokenRevoke,
        Some(&id),
        serde_json::Value::Null,
    );
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
