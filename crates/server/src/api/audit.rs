//! `GET /api/v1/audit`: who did what, for admins, filtered and paged.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use svetofor_publisher::auth::Role;
use svetofor_store::{AuditQuery, blocking};

use crate::AppState;
use crate::error::ApiError;
use crate::http::extract::{MaybeCaller, require};

/// The routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/audit", get(list_audit))
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
