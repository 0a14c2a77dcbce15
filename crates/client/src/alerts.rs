//! Which changes deserve an OS notification, decided as plain data.
//!
//! Rules: a new notice (or an announced maintenance), an escalation, a resolution, a
//! withdrawal, a maintenance starting, and one under way running longer than said are worth a
//! notification; a wording fix or a state
//! change that does not make things worse is not. What was notified is remembered (and
//! stored), so nothing is announced twice for the same notice and state, across restarts too.
//!
//! The memory follows every notice in the feed, followed components or not: the component
//! filter only decides which changes are told. A notice leaving the filter has not ended, and
//! one coming back into it is not new.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use svetofor_feed::{Kind, Notice, Phase, Severity, Snapshot, State};

/// Why a notification is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// A notice we had not seen (on a first start: one that is in effect).
    New,
    /// The same notice got worse.
    Escalated,
    /// It is over: a recovery.
    Resolved,
    /// Support retracted it.
    Withdrawn,
    /// Support wrote again about an outage (a red notice got a new update).
    Updated,
    /// A maintenance window began.
    MaintenanceStarted,
    /// A maintenance under way will end later than it said.
    Extended,
}

/// One notification to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub notice_id: String,
    /// Severity to show (green for recoveries).
    pub severity: Severity,
    pub reason: Reason,
    /// The notice's kind.
    pub kind: Kind,
    /// Its title in the chosen language (untrusted plain text).
    pub title: String,
    /// The first line of its body, or for a withdrawal of why (untrusted plain text).
    pub body: String,
    /// A maintenance's window, so an announcement says when.
    pub window: Option<svetofor_feed::Window>,
}

/// What was last seen of a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub state: State,
    pub severity: Severity,
    pub phase: Phase,
    /// Its title, for a recovery notice after it left the feed.
    #[serde(default)]
    pub title: String,
    /// When support last said something about it ([`Notice::last_said_at`]; absent in
    /// memories written by older versions, which kept the last change, corrections included).
    #[serde(default)]
    pub said_at: Option<DateTime<Utc>>,
    /// What it was, to name its end after it left the feed (absent in older memories).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    /// The components it concerned, to judge its end after it left the feed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<String>,
    /// When a maintenance said it would end (absent in older memories: an end seen for the
    /// first time after an upgrade is not an extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
}

impl Seen {
    fn same(&self, other: &Seen) -> bool {
        (self.state, self.severity, self.phase) == (other.state, other.severity, other.phase)
    }
}

/// What has been seen and notified, by notice id. Stored in the cache folder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memory {
    /// Last seen state of each notice.
    pub seen: BTreeMap<String, Seen>,
}

/// Who gets notified of what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotifyPolicy {
    /// Least severity that notifies.
    pub min_severity: Severity,
    /// Red notifies even below the minimum (the admin policy may turn this off).
    pub red_always: bool,
}

impl Default for NotifyPolicy {
    fn default() -> Self {
        NotifyPolicy {
            min_severity: Severity::Green,
            red_always: true,
        }
    }
}

impl NotifyPolicy {
    /// Whether a notice this bad notifies. Recoveries and withdrawals are judged by how bad
    /// the notice was, not by their green.
    fn allows(&self, severity: Severity) -> bool {
        severity >= self.min_severity || (self.red_always && severity == Severity::Red)
    }
}

/// The first line of `s` that has any text, trimmed.
pub fn first_line(s: &str) -> &str {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

fn alert(n: &Notice, reason: Reason, severity: Severity, lang: &str, default_lang: &str) -> Alert {
    // A withdrawn notice's text describes what was never true: say why it was withdrawn.
    let body = match reason {
        Reason::Withdrawn => n
            .updates
            .iter()
            .rev()
            .find(|u| u.state == State::Withdrawn)
            .map_or("", |u| u.text.get(lang, default_lang)),
        _ => n.body.get(lang, default_lang),
    };
    Alert {
        notice_id: n.id.clone(),
        severity,
        reason,
        kind: n.kind,
        title: n.title.get(lang, default_lang).to_owned(),
        body: first_line(body).to_owned(),
        window: n.window.clone(),
    }
}

/// True when `n` concerns one of `components` (empty = all; a notice naming no component
/// concerns the whole product).
pub fn concerns(n: &Notice, components: &[String]) -> bool {
    names_followed(&n.components, components)
}

fn names_followed(named: &[String], followed: &[String]) -> bool {
    followed.is_empty() || named.is_empty() || named.iter().any(|c| followed.contains(c))
}

/// Compares `snapshot` at `now` with `memory`, updates the memory, and returns the alerts due.
pub fn decide(
    snapshot: &Snapshot,
    now: DateTime<Utc>,
    memory: &mut Memory,
    policy: NotifyPolicy,
    components: &[String],
    lang: &str,
) -> Vec<Alert> {
    let dl = snapshot.default_language.as_str();
    let mut out = Vec::new();
    let mut present = std::collections::HashSet::new();
    for n in &snapshot.notices {
        present.insert(n.id.as_str());
        let now_seen = Seen {
            state: n.state,
            severity: n.severity,
            phase: snapshot.phase(n, now),
            title: n.title.get(lang, dl).to_owned(),
            said_at: Some(n.last_said_at()),
            kind: Some(n.kind),
            components: n.components.clone(),
            ends_at: n.window.as_ref().and_then(|w| w.ends_at),
        };
        // Support's next word on an outage is news; on anything milder it is not worth a popup.
        let red_update = |p: &Seen| {
            n.severity == Severity::Red
                && p.severity == Severity::Red
                && now_seen.phase == Phase::Active
                && p.said_at.is_some_and(|u| u != n.last_said_at())
        };
        // Work under way that will end later than it said: people planned around the old end.
        let extended = |p: &Seen| {
            n.kind == Kind::Maintenance
                && p.phase == Phase::Active
                && now_seen.phase == Phase::Active
                && matches!((p.ends_at, now_seen.ends_at), (Some(was), Some(is)) if is > was)
        };
        let prev = memory.seen.insert(n.id.clone(), now_seen.clone());
        let reason = match prev {
            None => match now_seen.phase {
                Phase::Active if n.kind == Kind::Maintenance => Some(Reason::MaintenanceStarted),
                Phase::Active | Phase::Upcoming => Some(Reason::New),
                Phase::Past => None, // history seen for the first time: nothing to say
            },
            Some(ref p) if p.same(&now_seen) && !red_update(p) && !extended(p) => None,
            Some(ref p) => match now_seen.phase {
                Phase::Past if p.phase == Phase::Past => None,
                Phase::Past if n.state == State::Withdrawn => Some(Reason::Withdrawn),
                Phase::Past => Some(Reason::Resolved),
                Phase::Active if p.phase != Phase::Active && n.kind == Kind::Maintenance => {
                    Some(Reason::MaintenanceStarted)
                }
                Phase::Active if p.phase == Phase::Past => Some(Reason::New), // reopened
                _ if n.severity > p.severity => Some(Reason::Escalated),
                _ if red_update(p) => Some(Reason::Updated),
                _ if extended(p) => Some(Reason::Extended),
                _ => None,
            },
        };
        if let Some(reason) = reason {
            let shown = match reason {
                Reason::Resolved | Reason::Withdrawn => Severity::Green,
                _ => n.severity,
            };
            let worst = prev
                .as_ref()
                .map_or(n.severity, |p| p.severity.max(n.severity));
            if policy.allows(worst) && concerns(n, components) {
                out.push(alert(n, reason, shown, lang, dl));
            }
        }
    }
    // A notice that vanished while in effect is over (Statuspage drops resolved incidents).
    let gone: Vec<String> = memory
        .seen
        .iter()
        .filter(|(id, s)| !present.contains(id.as_str()) && s.phase != Phase::Past)
        .map(|(id, _)| id.clone())
        .collect();
    for id in gone {
        if let Some(s) = memory.seen.get_mut(&id) {
            let was_active = s.phase == Phase::Active;
            s.phase = Phase::Past;
            if was_active && policy.allows(s.severity) && names_followed(&s.components, components)
            {
                out.push(Alert {
                    notice_id: id.clone(),
                    severity: Severity::Green,
                    reason: Reason::Resolved,
                    kind: s.kind.unwrap_or(Kind::Outage),
                    title: s.title.clone(),
                    body: String::new(),
                    window: None,
                });
            }
        }
    }
    // Forget long-gone notices so the memory stays small.
    if memory.seen.len() > 2000 {
        memory
            .seen
            .retain(|id, s| present.contains(id.as_str()) || s.phase != Phase::Past);
    }
    out
}

/// Merges alerts that arrive close together for the same notice: one notification with the
/// latest severity (a post followed by a quick escalation is announced once, as new).
pub fn coalesce(pending: &mut Vec<Alert>, next: Alert) {
    if let Some(prev) = pending.iter_mut().find(|a| a.notice_id == next.notice_id) {
        let reason = match (prev.reason, next.reason) {
            (Reason::New, Reason::Escalated | Reason::Updated) => Reason::New,
            (Reason::Escalated, Reason::Updated) => Reason::Escalated,
            (_, r) => r,
        };
        *prev = Alert { reason, ..next };
    } else {
        pending.push(next);
    }
}
