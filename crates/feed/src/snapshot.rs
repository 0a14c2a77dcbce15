//! The normalized view of any feed, whatever format it came in.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Component, Notice, Phase, Severity};

/// The formats Svetofor reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Format {
    /// Svetofor's own feed, version 1.
    #[serde(rename = "svetofor/1")]
    SvetoforV1,
    /// Atlassian Statuspage API v2 `summary.json`.
    #[serde(rename = "statuspage/v2")]
    StatuspageV2,
}

impl Format {
    /// The name used in output and JSON (`svetofor/1`, `statuspage/v2`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::SvetoforV1 => "svetofor/1",
            Format::StatuspageV2 => "statuspage/v2",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a snapshot decides whether a notice is in effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseRule {
    /// Maintenance windows are read against the clock (Svetofor feeds: signed snapshots that
    /// may be served from a mirror for a while).
    ByClock,
    /// States are taken as the source states them (Statuspage moves its own states).
    AsStated,
}

/// A feed document read into the common model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Which format it came in.
    pub format: Format,
    /// The feed's or page's identifier.
    pub id: String,
    /// The feed's or page's name.
    pub name: String,
    /// The language of texts that do not name one.
    pub default_language: String,
    /// The feed's sequence number (Svetofor feeds only).
    pub seq: Option<u64>,
    /// When the document was produced.
    pub generated_at: Option<DateTime<Utc>>,
    /// After this the document must not be trusted as current (Svetofor feeds only).
    pub expires_at: Option<DateTime<Utc>>,
    /// The overall status the source itself declares (Statuspage's `status.indicator`).
    pub declared_status: Option<Severity>,
    /// How notices' phases are decided.
    pub phase_rule: PhaseRule,
    /// The parts of the product.
    pub components: Vec<Component>,
    /// Current, upcoming and recent notices.
    pub notices: Vec<Notice>,
}

impl Snapshot {
    /// Where `notice` stands at `now` under this snapshot's rule.
    pub fn phase(&self, notice: &Notice, now: DateTime<Utc>) -> Phase {
        match self.phase_rule {
            PhaseRule::ByClock => notice.phase_by_clock(now),
            PhaseRule::AsStated => notice.phase_as_stated(),
        }
    }

    /// The notices in effect at `now`, worst first.
    pub fn in_effect(&self, now: DateTime<Utc>) -> Vec<&Notice> {
        self.in_phase(Phase::Active, now)
    }

    /// Maintenance announced but not started at `now`, soonest first.
    pub fn upcoming(&self, now: DateTime<Utc>) -> Vec<&Notice> {
        let mut v = self.in_phase(Phase::Upcoming, now);
        v.sort_by_key(|n| n.window.as_ref().map(|w| w.starts_at));
        v
    }

    /// Resolved, completed and withdrawn notices still in the document, newest first.
    pub fn past(&self, now: DateTime<Utc>) -> Vec<&Notice> {
        let mut v = self.in_phase(Phase::Past, now);
        v.sort_by_key(|n| std::cmp::Reverse(n.updated_at));
        v
    }

    fn in_phase(&self, phase: Phase, now: DateTime<Utc>) -> Vec<&Notice> {
        let mut v: Vec<&Notice> = self
            .notices
            .iter()
            .filter(|n| self.phase(n, now) == phase)
            .collect();
        v.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(b.updated_at.cmp(&a.updated_at))
        });
        v
    }

    /// The overall status at `now`: the worst severity among the notices in effect, and never
    /// better than what the source itself declares.
    pub fn status(&self, now: DateTime<Utc>) -> Severity {
        self.in_effect(now)
            .iter()
            .map(|n| n.severity)
            .chain(self.declared_status)
            .max()
            .unwrap_or(Severity::Green)
    }

    /// True when the document carries an expiry that has passed at `now`.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|t| t <= now)
    }
}
