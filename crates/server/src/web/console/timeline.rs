//! A notice's timeline as the console shows it: every step with who said it, and every
//! correction.

use chrono::{DateTime, Utc};
use svetofor_feed::Notice;
use svetofor_store::{AuditAction, AuditRecord};

use super::notice_page::state_key;
use super::pages::who;
use crate::web::timed::Moment;
use crate::web::words::Words;

/// One line of the timeline.
pub(super) struct Step<'a> {
    pub at: Moment,
    /// "by anna", when the audit log says who.
    pub by: Option<String>,
    /// The state it moved to ("Identified"); `None` for a correction.
    pub state: Option<String>,
    pub text: &'a str,
}

/// The timeline, newest first: every step with who said it, and every correction.
pub(super) fn timeline<'a>(w: &Words, n: &'a Notice, audit: &[AuditRecord]) -> Vec<Step<'a>> {
    let lang = w.lang().tag();
    let by = |at: DateTime<Utc>| {
        audit
            .iter()
            // The audit log keeps microseconds; the notice keeps what the clock gave.
            .find(|a| {
                a.entry.at.timestamp_micros() == at.timestamp_micros()
                    && a.entry.action != AuditAction::NoticeCorrect.name()
            })
            .map(|a| w.tr_str("console-timeline-by", &[("name", &who(&a.entry.actor))]))
    };
    let mut items: Vec<(DateTime<Utc>, Step<'a>)> = n
        .updates
        .iter()
        .map(|u| {
            (
                u.at,
                Step {
                    at: Moment::of(u.at),
                    by: by(u.at),
                    state: Some(w.t(state_key(u.state))),
                    text: u.text.get(lang, ""),
                },
            )
        })
        .collect();
    for a in audit
        .iter()
        .filter(|a| a.entry.action == AuditAction::NoticeCorrect.name())
    {
        items.push((
            a.entry.at,
            Step {
                at: Moment::of(a.entry.at),
                by: Some(w.tr_str("console-timeline-by", &[("name", &who(&a.entry.actor))])),
                state: None,
                text: "",
            },
        ));
    }
    items.sort_by_key(|item| std::cmp::Reverse(item.0));
    items.into_iter().map(|(_, step)| step).collect()
}
