//! Two people on one notice, in the console's words: who else has it open, and what changed
//! while a form was being written (the publisher refuses a save made from an older version).

use chrono::{DateTime, FixedOffset, Utc};
use svetofor_publisher::publisher::Meanwhile;
use svetofor_store::AuditAction;

use super::form::zone_of;
use super::pages::who;
use crate::web::words::Words;

/// "Also open by: anna, boris", or nothing when nobody else is there.
pub(super) fn others_text(w: &Words, others: &[String]) -> String {
    if others.is_empty() {
        return String::new();
    }
    w.tr_str("console-notice-also-open", &[("names", &others.join(", "))])
}

fn what(w: &Words, action: AuditAction) -> String {
    w.t(match action {
        AuditAction::NoticeUpdate => "console-meanwhile-update",
        AuditAction::NoticeResolve => "console-meanwhile-resolve",
        AuditAction::NoticeWithdraw => "console-meanwhile-withdraw",
        AuditAction::NoticeCorrect => "console-meanwhile-correct",
        AuditAction::NoticeInProgress => "console-meanwhile-in-progress",
        AuditAction::NoticeCompleted => "console-meanwhile-completed",
        _ => "console-meanwhile-other",
    })
}

fn clock(at: DateTime<Utc>, zone: FixedOffset, now: DateTime<Utc>) -> String {
    let local = at.with_timezone(&zone);
    if local.date_naive() == now.with_timezone(&zone).date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%d.%m %H:%M").to_string()
    }
}

/// What a refused save is told: what changed since its form was drawn, when (in the
/// writer's zone, `tz` as the console's script sent it) and by whom; nothing was saved.
pub(super) fn stale_text(w: &Words, meanwhile: &[Meanwhile], tz: &str) -> String {
    let zone = zone_of(tz);
    let now = Utc::now();
    let changes = meanwhile
        .iter()
        .map(|m| {
            let by = if m.actor == "system" {
                w.t("console-meanwhile-by-clock")
            } else {
                who(&m.actor)
            };
            w.tr_str(
                "console-meanwhile-line",
                &[
                    ("time", &clock(m.at, zone, now)),
                    ("what", &what(w, m.action)),
                    ("who", &by),
                ],
            )
        })
        .collect::<Vec<_>>();
    let changes = if changes.is_empty() {
        w.t("console-meanwhile-other")
    } else {
        changes.join("; ")
    };
    w.tr_str("console-stale", &[("changes", &changes)])
}
