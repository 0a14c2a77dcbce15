//! Channels and deliveries under `/api/v1`: admins add, list, test and remove channels;
//! support reads deliveries and sends a failed one again.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use svetofor_api::{ChannelList, CreatedChannel, DeliveryList, NewChannel};
use svetofor_publisher::auth::Role;
use svetofor_publisher::channels::{channel_list, check, info, send_again};
use svetofor_store::{AuditAction, AuditEntry, DeliveryQuery, blocking};

use crate::AppState;
use crate::error::ApiError;
use crate::http::extract::{JsonBody, MaybeCaller, Writer, require};

/// The routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/channels", post(add).get(list))
        .route("/channels/{name}", delete(remove))
        .route("/channels/{name}/test", post(test))
        .route("/deliveries", get(deliveries))
        .route("/deliveries/{id}/retry", post(retry))
}

async fn add(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    JsonBody(req): JsonBody<NewChannel>,
) -> Result<(StatusCode, Json<CreatedChannel>), ApiError> {
    let caller = require(caller, Role::Admin)?;
    let (record, secret) = check(req)?;
    let shown = info(&record, None);
    let detail = serde_json::json!({
        "kind": shown.kind, "target": shown.target, "min_severity": shown.min_severity,
    });
    let a = AuditEntry::new(
        caller.actor(),
        AuditAction::ChannelCreate,
        Some(&record.name),
        detail,
    );
    let store = app.store.clone();
    let saved = record.clone();
    if !blocking(move || store.insert_channel(&saved, &a)).await? {
        return Err(ApiError::new(
            svetofor_api::ErrorCode::Invalid,
            format!(
                "a channel named \"{}\" exists; remove it first",
                record.name
            ),
        ));
    }
    Ok((
        StatusCode::CREATED,
        Json(CreatedChannel {
            channel: shown,
            secret,
        }),
    ))
}

async fn list(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
) -> Result<Json<ChannelList>, ApiError> {
    require(caller, Role::Admin)?;
    Ok(Json(ChannelList {
        channels: channel_list(&app.store).await?,
    }))
}

async fn remove(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    let caller = require(caller, Role::Admin)?;
    let a = AuditEntry::new(
        caller.actor(),
        AuditAction::ChannelRemove,
        Some(&name),
        serde_json::Value::Null,
    );
    let store = app.store.clone();
    let owned = name.clone();
    if blocking(move || store.delete_channel(&owned, &a)).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("no channel named \"{name}\"")))
    }
}

async fn test(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    require(caller, Role::Admin)?;
    let store = app.store.clone();
    let channel = blocking(move || store.channels())
        .await?
        .into_iter()
        .find(|c| c.name == name)
        .ok_or_else(|| ApiError::not_found("no such channel"))?;
    Ok(Json(
        match app.senders.test(&channel.config, &channel.language).await {
            Ok(detail) => serde_json::json!({"ok": true, "detail": detail}),
            Err(error) => serde_json::json!({"ok": false, "error": error}),
        },
    ))
}

#[derive(Deserialize)]
struct DeliveryParams {
    #[serde(default)]
    notice: Option<String>,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
}

async fn deliveries(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    Query(p): Query<DeliveryParams>,
) -> Result<Json<DeliveryList>, ApiError> {
    require(caller, Role::Reader)?;
    let q = DeliveryQuery {
        notice: p.notice,
        channel: p.channel,
        limit: p.limit.unwrap_or(100).clamp(1, 1000),
        ..DeliveryQuery::default()
    };
    let store = app.store.clone();
    Ok(Json(DeliveryList {
        deliveries: blocking(move || store.deliveries(&q)).await?,
    }))
}

async fn retry(
    State(app): State<Arc<AppState>>,
    Writer(caller): Writer,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    if send_again(&app.publisher, id, caller.actor()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!(
            "no failed delivery {id} to a channel that still exists"
        )))
    }
}
