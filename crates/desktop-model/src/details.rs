//! The details window as plain data: every string already in words and local time, so the
//! page only puts text into elements.

use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use svetofor_feed::Severity;

use crate::i18n::{Arg, Catalog};
use crate::labels;
use crate::problem::SetupProblem;
use crate::tray::{freshness_line, status_line};
use svetofor_client::view::{Freshness, NoticeView, ViewState};

/// One notice in the details window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeCard {
    /// Id (the page scrolls to it when opened from the tray).
    pub id: String,
    /// Colour.
    pub severity: Severity,
    /// "Outage", "Maintenance"…
    pub word: String,
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
    /// What "Now" says when it lists nothing: "No current problems" only when a status was
    /// received; else that the status is unknown, in the UI's words (the technical reason,
    /// often English, is for the tray's diagnostics, not for this sentence).
    pub nothing_now: String,
    /// Maintenance announced.
    pub upcoming: Vec<NoticeCard>,
    /// Resolved in the last 24 h.
    pub recent: Vec<NoticeCard>,
    /// A problem with how this computer is set up, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Its technical detail, for the administrator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem_detail: Option<String>,
}

impl DetailsModel {
    /// Adds what is wrong with this computer's setup; with no status, "Now" says it.
    pub fn with_problem(mut self, cat: &Catalog, problem: Option<&SetupProblem>) -> Self {
        if let Some(p) = problem {
            let text = p.text(cat);
            if self.status.is_none() {
                self.nothing_now = text.clone();
            }
            self.problem = Some(text);
            self.problem_detail = p.detail().map(str::to_owned);
        }
        self
    }
}

fn card(cat: &Catalog, n: &NoticeView, now: DateTime<Utc>, tz: FixedOffset) -> NoticeCard {
    let mut entries: Vec<_> = n.timeline.iter().collect();
    entries.sort_by_key(|u| std::cmp::Reverse(u.at));
    let timeline = entries
        .into_iter()
        .map(|u| TimelineLine {
            when: labels::moment(cat, u.at, now, tz),
            state: labels::state_word(cat, n.kind, u.state),
            text: u.text.clone(),
        })
        .collect();
    NoticeCard {
        id: n.id.clone(),
        // Over is over: an ended outage no longer wears red (its word says what it was).
        severity: match n.ended_at {
            Some(_) => Severity::Green,
            None => n.severity,
        },
        word: labels::notice_word(cat, n.kind, n.severity, n.state),
        title: n.title.clone(),
        body: n.body.clone(),
        components: (!n.component_names.is_empty()).then(|| {
            let list = n.component_names.join(", ");
            cat.tr("details-affects", &[("list", Arg::from(&list))])
        }),
        since: when(cat, n, now, tz),
        window: n
            .window
            .as_ref()
            .filter(|w| w.starts_at <= now && n.ended_at.is_none())
            .map(|w| {
                let planned = labels::window(cat, w.starts_at, w.ends_at, now, tz);
                cat.tr("details-window", &[("window", Arg::from(&planned))])
            }),
        next_update: n
            .next_update_at
            .map(|t| labels::next_update(cat, t, n.overdue, now, tz)),
        overdue: n.overdue,
        url: n.url.clone(),
        timeline,
    }
}

/// When a notice is, in words: "11:15–11:40 (25 min)" once over, the planned window of a
/// maintenance still to come, else "since 14:25" (a maintenance: since its start).
fn when(cat: &Catalog, n: &NoticeView, now: DateTime<Utc>, tz: FixedOffset) -> String {
    if let Some(end) = n.ended_at {
        return labels::span(cat, n.since.min(end), end, now, tz);
    }
    match &n.window {
        Some(w) if w.starts_at > now => {
            let planned = labels::window(cat, w.starts_at, w.ends_at, now, tz);
            cat.tr("details-window", &[("window", Arg::from(&planned))])
        }
        _ => labels::since(cat, n.since, now, tz),
    }
}

/// The details window for a view.
pub fn model(cat: &Catalog, view: &ViewState, now: DateTime<Utc>, tz: FixedOffset) -> DetailsModel {
    let source = match (&view.source, view.fetched_at) {
        (Some(src), Some(at)) => {
            let how = cat.t(match (view.freshness, view.cached) {
                (Freshness::Live, _) => "details-how-live",
                (_, true) => "details-how-cached",
                _ => "details-how-stale",
            });
            let feed = view
                .feed_name
                .clone()
                .unwrap_or_else(|| cat.t("details-feed"));
            // The same moment the stale line quotes: the last time a source vouched for it.
            let at = view.stale_since.unwrap_or(at);
            let time = labels::moment(cat, at, now, tz);
            let age = labels::age(cat, at, now);
            cat.tr(
                "details-source",
                &[
                    ("feed", Arg::from(&feed)),
                    ("url", Arg::from(src)),
                    ("how", Arg::from(&how)),
                    ("time", Arg::from(&time)),
                    ("today", Arg::from(labels::today(at, now, tz))),
                    ("age", Arg::from(&age)),
                ],
            )
        }
        _ => cat.t("details-no-status"),
    };
    let status_line = status_line(cat, view, now, tz);
    let nothing_now = cat.t(match view.status {
        Some(_) => "page-empty-now",
        None => "details-now-unknown",
    });
    DetailsModel {
        status: view.status,
        status_line,
        nothing_now,
        stale: freshness_line(cat, view, now, tz),
        source,
        notices: view.notices.iter().map(|n| card(cat, n, now, tz)).collect(),
        upcoming: view
            .upcoming
            .iter()
            .map(|n| card(cat, n, now, tz))
            .collect(),
        recent: view.recent.iter().map(|n| card(cat, n, now, tz)).collect(),
        problem: None,
        problem_detail: None,
    }
}
