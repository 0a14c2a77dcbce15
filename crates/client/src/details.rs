//! The details window as plain data: every string already in words and local time, so the
//! page only puts text into elements.

use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use svetofor_feed::Severity;

use crate::labels;
use crate::tray::{freshness_line, status_line};
use crate::view::{Freshness, NoticeView, ViewState};

/// One notice in the details window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeCard {
    /// Id (the page scrolls to it when opened from the tray).
    pub id: String,
    /// Colour.
    pub severity: Severity,
    /// "Outage", "Maintenance"…
    pub word: String,
    /// Title.
    pub title: String,
    /// Full body.
    pub body: String,
    /// "Affects: api, web".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<String>,
    /// "since 14:25".
    pub since: String,
    /// "Planned: 22 Nov 02:00 – 04:00".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// "next update by 15:00".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_update: Option<String>,
    /// Promised update is late.
    pub overdue: bool,
    /// Link to more (http/https only, checked again by the shell before opening).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Timeline, newest first: (when, what).
    pub timeline: Vec<TimelineLine>,
}

/// One timeline line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineLine {
    /// "14:25".
    pub when: String,
    /// The state, in words.
    pub state: String,
    /// What support said.
    pub text: String,
}

/// The whole details window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DetailsModel {
    /// Overall colour; `None` when unknown.
    pub status: Option<Severity>,
    /// The status in words.
    pub status_line: String,
    /// "Status as of …, feed unreachable" when stale.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale: Option<String>,
    /// Where the status came from and how fresh it is.
    pub source: String,
    /// Notices in effect.
    pub notices: Vec<NoticeCard>,
    /// Maintenance announced.
    pub upcoming: Vec<NoticeCard>,
    /// Resolved in the last 24 h.
    pub recent: Vec<NoticeCard>,
}

fn state_word(state: svetofor_feed::State) -> String {
    let s = state.as_str().replace('_', " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => s,
    }
}

fn card(n: &NoticeView, now: DateTime<Utc>, tz: FixedOffset) -> NoticeCard {
    let mut entries: Vec<_> = n.timeline.iter().collect();
    entries.sort_by_key(|u| std::cmp::Reverse(u.at));
    let timeline = entries
        .into_iter()
        .map(|u| TimelineLine {
            when: labels::moment(u.at, now, tz),
            state: state_word(u.state),
            text: u.text.clone(),
        })
        .collect();
    NoticeCard {
        id: n.id.clone(),
        severity: n.severity,
        word: labels::notice_word(n.kind, n.severity, n.state).to_owned(),
        title: n.title.clone(),
        body: n.body.clone(),
        components: (!n.components.is_empty())
            .then(|| format!("Affects: {}", n.components.join(", "))),
        since: labels::since(n.since, now, tz),
        window: n.window.as_ref().map(|w| match w.ends_at {
            Some(end) => format!(
                "Planned: {} – {}",
                labels::moment(w.starts_at, now, tz),
                labels::moment(end, now, tz)
            ),
            None => format!("Planned from {}", labels::moment(w.starts_at, now, tz)),
        }),
        next_update: n
            .next_update_at
            .map(|t| labels::next_update(t, n.overdue, now, tz)),
        overdue: n.overdue,
        url: n.url.clone(),
        timeline,
    }
}

/// The details window for a view.
pub fn model(view: &ViewState, now: DateTime<Utc>, tz: FixedOffset) -> DetailsModel {
    let source = match (&view.source, view.fetched_at) {
        (Some(src), Some(at)) => {
            let how = match (view.freshness, view.cached) {
                (Freshness::Live, _) => "confirmed just now",
                (_, true) => "from the saved copy on this computer",
                _ => "could not be confirmed since",
            };
            format!(
                "{} at {src}: {how}; received {} ({}).",
                view.feed_name.as_deref().unwrap_or("Status feed"),
                labels::moment(at, now, tz),
                labels::age(at, now)
            )
        }
        _ => "No status received yet.".to_owned(),
    };
    DetailsModel {
        status: view.status,
        status_line: status_line(view, now, tz),
        stale: freshness_line(view, now, tz),
        source,
        notices: view.notices.iter().map(|n| card(n, now, tz)).collect(),
        upcoming: view.upcoming.iter().map(|n| card(n, now, tz)).collect(),
        recent: view.recent.iter().map(|n| card(n, now, tz)).collect(),
    }
}
