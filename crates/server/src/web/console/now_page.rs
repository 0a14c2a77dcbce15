//! The console's home page, "Now": the status as employees see it, the notices in effect
//! (overdue first), alerts from monitoring waiting for a person, upcoming maintenance,
//! drafts, and the channels' deliveries of the last hour.

use std::collections::BTreeMap;

use askama::Template;
use chrono::{DateTime, Utc};
use svetofor_api::{DeliveryInfo, DeliveryState, Draft};
use svetofor_feed::{Notice, Severity};
use svetofor_publisher::auth::Role;

use super::pages::{Layout, Nav, draw, who};
use crate::web::timed::Timed;
use crate::web::words::Words;

/// What the Now page shows.
pub struct Now<'a> {
    pub nav: Nav<'a>,
    /// The status employees see.
    pub status: Severity,
    /// Notices in effect, worst first.
    pub notices: Vec<&'a Notice>,
    /// Maintenance announced and not begun.
    pub upcoming: Vec<&'a Notice>,
    /// Drafts, scheduled first.
    pub drafts: &'a [Draft],
    /// Deliveries to channels in the last hour.
    pub deliveries: &'a [DeliveryInfo],
    /// Alerts from monitoring waiting for a person.
    pub alerts: &'a [svetofor_store::AlertLink],
    pub now: DateTime<Utc>,
    /// The change the person just made (`published`, `update` …), to confirm it.
    pub done: &'a str,
}

/// A notice in a list.
struct Item<'a> {
    sev: &'static str,
    title: &'a str,
    /// Where its page is, for those who may open it.
    href: Option<String>,
    since: Timed,
    /// A maintenance's planned end: its window, not only its start.
    until: Option<Timed>,
    /// The promised next update, and whether it is overdue.
    next: Option<(Timed, bool)>,
}

/// A draft in the list.
struct DraftItem<'a> {
    sev: &'static str,
    title: &'a str,
    href: Option<String>,
    /// When it will be published, if it is scheduled.
    scheduled: Option<Timed>,
    by: String,
    error: Option<String>,
}

/// An alert waiting for a person.
struct Alert<'a> {
    href: String,
    summary: &'a str,
    what: String,
    source: &'a str,
    unrouted: bool,
}

/// One channel's deliveries of the last hour.
struct Channel<'a> {
    name: &'a str,
    sent: usize,
    pending: usize,
    failed: usize,
    error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "console/now.html")]
struct Page<'a> {
    l: Layout<'a>,
    /// "Published." after a change made from the console.
    done: Option<String>,
    sev: &'static str,
    status: String,
    reminder: Option<String>,
    alerts: Vec<Alert<'a>>,
    can_compose: bool,
    notices: Vec<Item<'a>>,
    upcoming: Vec<Item<'a>>,
    drafts: Vec<DraftItem<'a>>,
    channels: Vec<Channel<'a>>,
}

fn items<'a>(w: &Words, notices: &[&'a Notice], n: &Now<'_>) -> Vec<Item<'a>> {
    let can_open = n.nav.role >= Role::Support;
    notices
        .iter()
        .map(|x| Item {
            sev: x.severity.as_str(),
            title: x.title.get(w.lang().tag(), ""),
            href: can_open.then(|| format!("/console/notices/{}", x.id)),
            since: Timed::new(
                w,
                "console-now-since",
                x.window.as_ref().map_or(x.created_at, |win| win.starts_at),
            ),
            until: x
                .window
                .as_ref()
                .and_then(|win| win.ends_at)
                .map(|end| Timed::new(w, "console-now-until", end)),
            next: x.next_update_at.map(|t| {
                let overdue = x.is_overdue(n.now);
                let key = if overdue {
                    "console-now-overdue"
                } else {
                    "console-now-next-update"
                };
                (Timed::new(w, key, t), overdue)
            }),
        })
        .collect()
}

fn drafts<'a>(w: &Words, drafts: &'a [Draft], can_open: bool) -> Vec<DraftItem<'a>> {
    drafts
        .iter()
        .map(|d| DraftItem {
            sev: d.notice.severity.map_or("grey", |s| s.as_str()),
            title: d
                .notice
                .title
                .as_ref()
                .map_or("", |t| t.get(w.lang().tag(), "")),
            href: can_open.then(|| format!("/console/drafts/{}", d.id)),
            scheduled: d
                .publish_at
                .map(|t| Timed::new(w, "console-draft-scheduled", t)),
            by: w.tr_str("console-draft-by", &[("name", &who(&d.created_by))]),
            error: d
                .last_error
                .as_deref()
                .map(|e| w.tr_str("console-draft-failed", &[("reason", e)])),
        })
        .collect()
}

/// Alerts from monitoring: a draft waiting for a person (marked when no rule routed it), or
/// a published notice whose alert has ended.
fn alerts<'a>(w: &Words, n: &'a Now<'_>) -> Vec<Alert<'a>> {
    if n.nav.role < Role::Support {
        return vec![];
    }
    let open: Vec<&str> = n.notices.iter().map(|x| x.id.as_str()).collect();
    n.alerts
        .iter()
        .filter(|a| {
            a.draft_id.is_some() || a.notice_id.as_deref().is_some_and(|id| open.contains(&id))
        })
        .map(|a| {
            let (href, key) = match (&a.draft_id, &a.notice_id) {
                (Some(d), _) => (format!("/console/drafts/{d}"), "console-alert-draft"),
                (None, Some(id)) => (format!("/console/notices/{id}"), "console-alert-ended"),
                (None, None) => (String::new(), "console-alert-draft"),
            };
            Alert {
                href,
                summary: &a.summary,
                what: w.t(key),
                source: &a.source,
                unrouted: !(a.routed || a.draft_id.is_none()),
            }
        })
        .collect()
}

/// Per channel, how many were sent, are waiting, failed, and the latest error.
fn channels(list: &[DeliveryInfo]) -> Vec<Channel<'_>> {
    let mut by: BTreeMap<&str, Channel<'_>> = BTreeMap::new();
    for d in list {
        let c = by.entry(&d.channel).or_insert(Channel {
            name: &d.channel,
            sent: 0,
            pending: 0,
            failed: 0,
            error: None,
        });
        match d.state {
            DeliveryState::Sent => c.sent += 1,
            DeliveryState::Pending => c.pending += 1,
            DeliveryState::Failed => c.failed += 1,
        }
        if c.error.is_none() {
            c.error = d.last_error.as_deref();
        }
    }
    by.into_values().collect()
}

/// The Now page.
/// The confirmation of a change, by the name the console sends back; others are ignored.
fn done_key(done: &str) -> Option<&'static str> {
    Some(match done {
        "published" => "console-done-published",
        "draft" => "console-done-draft",
        "scheduled" => "console-done-scheduled",
        "update" => "console-done-update",
        "resolve" => "console-done-resolve",
        "withdraw" => "console-done-withdraw",
        "correct" => "console-done-correct",
        _ => return None,
    })
}

pub fn now(w: &Words, n: &Now<'_>) -> String {
    let status_key = match n.status {
        Severity::Red => "console-status-red",
        Severity::Yellow => "console-status-yellow",
        Severity::Green => "console-status-green",
    };
    let mut notices: Vec<&Notice> = n.notices.clone();
    notices.sort_by_key(|x| (!x.is_overdue(n.now), std::cmp::Reverse(x.severity)));
    let overdue = notices.iter().filter(|x| x.is_overdue(n.now)).count();
    draw(&Page {
        l: Layout::new(w, &w.t("console-now-heading"), Some(&n.nav)),
        done: done_key(n.done).map(|k| w.t(k)),
        sev: n.status.as_str(),
        status: w.tr_str("console-now-status", &[("status", &w.t(status_key))]),
        reminder: (overdue > 0).then(|| {
            w.tr_str(
                "console-now-overdue-reminder",
                &[("count", &overdue.to_string())],
            )
        }),
        alerts: alerts(w, n),
        can_compose: n.nav.role >= Role::Support,
        notices: items(w, &notices, n),
        upcoming: items(w, &n.upcoming, n),
        drafts: drafts(w, n.drafts, n.nav.role >= Role::Support),
        channels: channels(n.deliveries),
    })
}
