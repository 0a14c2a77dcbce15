//! Deliveries to channels as support sees them: the last hour per channel on the Now page,
//! each delivery of a notice on its page, and "send again" for one that failed.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{TimeDelta, Utc};
use svetofor_api::{DeliveryInfo, DeliveryState, EventKind};

use super::guard::{Posted, Support};
use super::pages::{esc, time_tag};
use super::{CsrfForm, failure, redirect};
use crate::AppState;
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

/// A notice's deliveries, each with its state, and "send again" for a failed one.
pub(super) fn table(w: &Words, csrf: &str, list: &[DeliveryInfo], can_retry: bool) -> String {
    if list.is_empty() {
        return String::new();
    }
    let rows: String = list
        .iter()
        .map(|d| {
            let again = if can_retry && d.state == DeliveryState::Failed {
                format!(
                    "<form method=\"post\" action=\"/console/deliveries/{id}/retry\" class=\"inline\">\
                     <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                     <button type=\"submit\" class=\"secondary\">{label}</button></form>",
                    id = d.id,
                    csrf = esc(csrf),
                    label = esc(&w.t("console-delivery-again")),
                )
            } else {
                String::new()
            };
            let when = d.sent_at.or(d.next_at).unwrap_or(d.created_at);
            let class = match d.state {
                DeliveryState::Failed => " class=\"overdue\"",
                _ => "",
            };
            format!(
                "<tr><td>{channel}</td><td>{event}</td><td{class}>{state}</td><td>{when}</td><td>{tries}</td><td>{error}</td><td>{again}</td></tr>",
                channel = esc(&d.channel),
                event = esc(&event_word(w, d.event)),
                state = esc(&state_word(w, d.state)),
                when = time_tag(when),
                tries = d.tries,
                error = esc(d.last_error.as_deref().unwrap_or("")),
            )
        })
        .collect();
    format!(
        "<h2>{heading}</h2><table class=\"grid list deliveries\"><tr><th>{channel}</th><th>{what}</th><th>{state}</th><th>{when}</th><th>{tries}</th><th>{error}</th><th></th></tr>{rows}</table>",
        heading = esc(&w.t("console-deliveries-of-notice")),
        channel = esc(&w.t("console-delivery-channel")),
        what = esc(&w.t("console-audit-what")),
        state = esc(&w.t("console-delivery-state")),
        when = esc(&w.t("console-audit-when")),
        tries = esc(&w.t("console-delivery-tries")),
        error = esc(&w.t("console-delivery-error")),
    )
}

pub(super) async fn retry(
    State(app): State<Arc<AppState>>,
    Path(id): Path<i64>,
    _headers: HeaderMap,
    Posted {
        user,
        session: _,
        form: _f,
        ..
    }: Posted<Support, CsrfForm>,
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
