//! `POST /api/v1/intake/{alertmanager,grafana,zabbix,uptime-kuma,generic}` with an intake
//! token, and the admins' routing rules; what an alert does is `svetofor_publisher::intake`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use svetofor_api::IntakeRules;
use svetofor_publisher::auth::Role;
use svetofor_publisher::intake::{self, Action, SOURCES};
use svetofor_store::{AuditAction, AuditEntry, blocking};

use crate::AppState;
use crate::error::ApiError;
use crate::http::extract::{Intaker, JsonBody, MaybeCaller, require};

/// The routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/intake/rules", get(rules).put(set_rules))
        .route("/intake/{source}", post(take))
}

async fn take(
    State(app): State<Arc<AppState>>,
    Intaker(caller): Intaker,
    Path(source): Path<String>,
    JsonBody(payload): JsonBody<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let alert = intake::parse_alert(&source, &payload)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "no intake for \"{source}\"; use one of {}",
                SOURCES.join(", ")
            ))
        })?
        .map_err(|e| ApiError::bad_request(format!("{source} payload: {e}")))?;
    let taken = intake::take(&app.publisher, &source, &alert, caller.actor()).await?;
    let status = if taken.action == Action::Created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(json!({
            "action": taken.action.as_str(),
            "draft": taken.link.draft_id,
            "notice": taken.link.notice_id,
            "routed": taken.link.routed,
        })),
    ))
}

async fn rules(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
) -> Result<Json<IntakeRules>, ApiError> {
    require(caller, Role::Support)?;
    let store = app.store.clone();
    Ok(Json(IntakeRules {
        rules: blocking(move || store.intake_rules()).await?,
    }))
}

async fn set_rules(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    JsonBody(body): JsonBody<IntakeRules>,
) -> Result<Json<IntakeRules>, ApiError> {
    let caller = require(caller, Role::Admin)?;
    if body.rules.len() > 200 {
        return Err(ApiError::bad_request("at most 200 rules"));
    }
    let store = app.store.clone();
    let known = blocking(move || store.components()).await?;
    for r in &body.rules {
        if let Some(s) = &r.source
            && !SOURCES.contains(&s.as_str())
        {
            return Err(ApiError::bad_request(format!(
                "source \"{s}\": use one of {}",
                SOURCES.join(", ")
            )));
        }
        if let Some(c) = &r.component {
            let id = svetofor_publisher::notices::component_id(c)?;
            // A rule's drafts would be refused at publishing, most likely at night.
            if !known.iter().any(|k| k.id == id) {
                return Err(ApiError::bad_request(format!(
                    "component \"{id}\": no such component; an admin names it first \
                     (PUT /api/v1/components/{id})"
                )));
            }
        }
    }
    let detail = serde_json::to_value(&body).unwrap_or_default();
    let audit = AuditEntry::new(caller.actor(), AuditAction::IntakeRules, None, detail);
    let store = app.store.clone();
    let rules = body.rules.clone();
    blocking(move || store.set_intake_rules(&rules, &audit)).await?;
    Ok(Json(body))
}
