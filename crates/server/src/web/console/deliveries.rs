//! Deliveries to channels as support sees them: the last hour per channel on the Now page,
//! each delivery of a notice on its page, and "send again" for one that failed.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{TimeDelta, Utc};
use svetofor_api::{DeliveryInfo, DeliveryState, EventKind};

use super::guard::{Posted, Support};
use super::{CsrfForm, failure, redirect};
use crate::AppState;
use crate::web::timed::Moment;
use crate::web::words::Words;
use svetofor_store::{DeliveryQuery, StoreError, blocking};

/// Deliveries of the last hour, or of one notice.
pub(super) async fn recent(
    app: &AppState,
    notice: Option<&str>,
) -> Result<Vec<DeliveryInfo>, StoreError> {
    let store = app.store.clone();
    let q = DeliveryQuery {
        notice: notice.map(str::to_owned),
        since: notice.is_none().then(|| Utc::now() - TimeDelta::hours(1)),
        limit: 1000,
        ..DeliveryQuery::default()
    };
    blocking(move || store.deliveries(&q)).await
}

fn state_word(w: &Words, s: DeliveryState) -> String {
    w.t(match s {
        DeliveryState::Pending => "console-delivery-pending",
        DeliveryState::Sent => "console-delivery-sent",
        DeliveryState::Failed => "console-delivery-failed",
    })
}

fn event_word(w: &Words, e: EventKind) -> String {
    w.t(match e {
        EventKind::Created => "console-delivery-created",
        EventKind::Updated => "console-delivery-updated",
        EventKind::Corrected => "console-delivery-corrected",
        EventKind::Resolved => "console-delivery-resolved",
        EventKind::Withdrawn => "console-delivery-withdrawn",
        EventKind::DraftCreated => "console-delivery-draft",
    })
}

/// A delivery of a notice, as its page lists it.
pub(super) struct Row<'a> {
    pub id: i64,
    pub channel: &'a str,
    pub event: String,
    pub state: String,
    pub failed: bool,
    pub at: Moment,
    pub tries: u32,
    pub error: &'a str,
    /// "Send again" is offered (a failed one, to support).
    pub again: bool,
}

/// A notice's deliveries, each with its state, and "send again" for a failed one.
pub(super) fn rows<'a>(w: &Words, list: &'a [DeliveryInfo], can_retry: bool) -> Vec<Row<'a>> {
    list.iter()
        .map(|d| Row {
            id: d.id,
            channel: &d.channel,
            event: event_word(w, d.event),
            state: state_word(w, d.state),
            failed: d.state == DeliveryState::Failed,
            at: Moment::of(d.sent_at.or(d.next_at).unwrap_or(d.created_at)),
            tries: d.tries,
            error: d.last_error.as_deref().unwrap_or(""),
            again: can_retry && d.state == DeliveryState::Failed,
        })
        .collect()
}

pub(super) async fn retry(
    State(app): State<Arc<AppState>>,
    Path(id): Path<i64>,
    Posted(user, ..): Posted<Support, CsrfForm>,
) -> Response {
    let store = app.store.clone();
    let notice = blocking(move || {
        store.deliveries(&DeliveryQuery {
            id: Some(id),
            limit: 1,
            ..DeliveryQuery::default()
        })
    })
    .await
    .ok()
    .and_then(|one| one.into_iter().next())
    .map(|d| d.notice_id);
    match svetofor_publisher::channels::send_again(&app.publisher, id, user.actor()).await {
        Ok(_) => match notice {
            Some(n) => {
                let mut r = redirect("/console/", &[]);
                if let Ok(v) = axum::http::HeaderValue::from_str(&format!("/console/notices/{n}")) {
                    r.headers_mut().insert(axum::http::header::LOCATION, v);
                }
                r
            }
            None => redirect("/console/", &[]),
        },
        Err(e) => failure(e),
    }
}
