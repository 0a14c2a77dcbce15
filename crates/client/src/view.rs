//! What a client shows, as plain data: the desktop app only draws this.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use svetofor_feed::{Kind, Notice, Severity, Snapshot, State, Window};

use crate::alerts::concerns;

/// How current the shown status is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Freshness {
    /// Confirmed by a source within the staleness window, and not expired.
    Live,
    /// The last known status: no source could confirm it lately, or it expired.
    Stale,
    /// No status has ever been received.
    Unknown,
}

/// One notice as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeView {
    pub id: String,
    pub severity: Severity,
    pub kind: Kind,
    pub state: State,
    /// Title in the chosen language (plain text, untrusted).
    pub title: String,
    /// Body in the chosen language (plain text, untrusted).
    pub body: String,
    /// Affected components.
    pub components: Vec<String>,
    /// Their names in the chosen language (the id where the feed names none).
    pub component_names: Vec<String>,
    /// Since when it is in effect: when it was posted, or a maintenance's start.
    pub since: DateTime<Utc>,
    /// When it ended, once it has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    /// Last change, a corrected wording included.
    pub updated_at: DateTime<Utc>,
    /// When support last said something about it (not moved by a correction): what makes
    /// an outage's banner come back and its notification ring.
    pub said_at: DateTime<Utc>,
    /// Maintenance window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// When support promised the next word.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_update_at: Option<DateTime<Utc>>,
    /// The promised time has passed.
    pub overdue: bool,
    /// Details link (http/https only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// What support said, oldest first.
    pub timeline: Vec<TimelineEntry>,
}

/// One entry of a notice's timeline as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    /// When it was said.
    pub at: DateTime<Utc>,
    /// The state from then on.
    pub state: State,
    /// What was said, in the chosen language (untrusted plain text).
    pub text: String,
}

/// Everything the app shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViewState {
    /// Overall severity of what concerns this client; `None` when unknown.
    pub status: Option<Severity>,
    /// How current it is.
    pub freshness: Freshness,
    /// Since when it is stale (the last confirmation), when stale.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale_since: Option<DateTime<Utc>>,
    /// Why it is stale, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale_reason: Option<String>,
    /// Shown from the on-disk cache, before any network answer in this run.
    pub cached: bool,
    /// When the shown document was fetched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<DateTime<Utc>>,
    /// Where it came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The feed's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feed_name: Option<String>,
    /// Notices in effect, worst first.
    pub notices: Vec<NoticeView>,
    /// Maintenance announced, soonest first.
    pub upcoming: Vec<NoticeView>,
    /// Resolved in the last 24 hours, newest first.
    pub recent: Vec<NoticeView>,
    /// Every part of the product the feed lists, whether followed or not: the choices for
    /// which to follow.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<ComponentChoice>,
}

/// A part of the product a client can choose to follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentChoice {
    /// Its id (what the `components` setting holds).
    pub id: String,
    /// Its name in the chosen language (untrusted plain text).
    pub name: String,
    /// The group it belongs to, if any (untrusted plain text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl ViewState {
    /// The view before anything is known.
    pub fn unknown() -> Self {
        ViewState {
            status: None,
            freshness: Freshness::Unknown,
            stale_since: None,
            stale_reason: None,
            cached: false,
            fetched_at: None,
            source: None,
            feed_name: None,
            notices: vec![],
            upcoming: vec![],
            recent: vec![],
            components: vec![],
        }
    }
}

/// How much history the view keeps.
pub const RECENT: TimeDelta = TimeDelta::hours(24);

/// When `n` ended: its final update, or the planned end of a maintenance that has passed.
fn ended_at(n: &Notice, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if n.state.is_final() {
        let last = n.updates.iter().rev().find(|u| u.state.is_final());
        return Some(last.map_or(n.updated_at, |u| u.at));
    }
    n.window
        .as_ref()
        .and_then(|w| w.ends_at)
        .filter(|end| *end <= now)
}

fn notice_view(
    snapshot: &Snapshot,
    n: &Notice,
    lang: &str,
    dl: &str,
    now: DateTime<Utc>,
) -> NoticeView {
    let name = |id: &String| {
        snapshot
            .components
            .iter()
            .find(|c| &c.id == id)
            .map(|c| c.name.get(lang, dl).to_owned())
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| id.clone())
    };
    NoticeView {
        id: n.id.clone(),
        severity: n.severity,
        kind: n.kind,
        state: n.state,
        title: n.title.get(lang, dl).to_owned(),
        body: n.body.get(lang, dl).to_owned(),
        components: n.components.clone(),
        component_names: n.components.iter().map(name).collect(),
        since: match (n.kind, &n.window) {
            (Kind::Maintenance, Some(w)) => w.starts_at,
            _ => n.created_at,
        },
        ended_at: ended_at(n, now),
        updated_at: n.updated_at,
        said_at: n.last_said_at(),
        window: n.window.clone(),
        next_update_at: n.next_update_at.filter(|_| !n.state.is_final()),
        overdue: n.is_overdue(now),
        url: n.url.clone(),
        timeline: n
            .updates
            .iter()
            .map(|u| TimelineEntry {
                at: u.at,
                state: u.state,
                text: u.text.get(lang, dl).to_owned(),
            })
            .collect(),
    }
}

/// Builds the view of `snapshot` at `now` for a client that follows `components` (empty: all)
/// and reads `lang`.
pub fn build(
    snapshot: &Snapshot,
    now: DateTime<Utc>,
    components: &[String],
    lang: &str,
) -> ViewState {
    let dl = snapshot.default_language.as_str();
    let mine = |list: Vec<&Notice>| -> Vec<NoticeView> {
        list.into_iter()
            .filter(|n| concerns(n, components))
            .map(|n| notice_view(snapshot, n, lang, dl, now))
            .collect()
    };
    let notices = mine(snapshot.in_effect(now));
    let status = notices
        .iter()
        .map(|n| n.severity)
        .chain(if components.is_empty() {
            snapshot.declared_status
        } else {
            None
        })
        .max()
        .unwrap_or(Severity::Green);
    let recent = mine(
        snapshot
            .past(now)
            .into_iter()
            .filter(|n| n.state != State::Withdrawn && now - n.updated_at <= RECENT)
            .collect(),
    );
    ViewState {
        status: Some(status),
        freshness: Freshness::Live,
        stale_since: None,
        stale_reason: None,
        cached: false,
        fetched_at: None,
        source: None,
        feed_name: Some(snapshot.name.clone()),
        notices,
        upcoming: mine(snapshot.upcoming(now)),
        recent,
        components: snapshot
            .components
            .iter()
            .map(|c| ComponentChoice {
                id: c.id.clone(),
                name: c.name.get(lang, dl).to_owned(),
                group: c.group.clone(),
            })
            .collect(),
    }
}
