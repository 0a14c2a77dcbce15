//! The notice model shared by every feed format.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How bad things are. Ordered: `Green < Yellow < Red`, so the worst of several is their `max`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// All is well, or news and recoveries.
    Green,
    /// Degradation or maintenance.
    Yellow,
    /// Outage.
    Red,
}

impl Severity {
    /// The lower-case wire name (`green`, `yellow`, `red`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Green => "green",
            Severity::Yellow => "yellow",
            Severity::Red => "red",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of event a notice describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The product, or part of it, does not work.
    Outage,
    /// The product works, but slowly or with errors.
    Degraded,
    /// Planned work with a time window.
    Maintenance,
    /// News: a feature, a change, a recovery note.
    Info,
}

impl Kind {
    /// The lower-case wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Outage => "outage",
            Kind::Degraded => "degraded",
            Kind::Maintenance => "maintenance",
            Kind::Info => "info",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a notice stands in its life.
///
/// Incidents (outage, degraded) go investigating → identified → monitoring → resolved;
/// maintenance goes scheduled → in_progress → completed; news (info) is published, then
/// resolved when it no longer applies. Any notice may be `withdrawn` when it was published
/// by mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// The cause is not known yet.
    Investigating,
    /// The cause is known and being fixed.
    Identified,
    /// A fix is in place and being watched.
    Monitoring,
    /// Over.
    Resolved,
    /// Maintenance announced for later.
    Scheduled,
    /// Maintenance under way.
    InProgress,
    /// Maintenance over.
    Completed,
    /// Retracted: it was published by mistake.
    Withdrawn,
    /// News, in effect: nothing is wrong, there is nothing to investigate.
    Published,
}

impl State {
    /// The lower-case wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Investigating => "investigating",
            State::Identified => "identified",
            State::Monitoring => "monitoring",
            State::Resolved => "resolved",
            State::Scheduled => "scheduled",
            State::InProgress => "in_progress",
            State::Completed => "completed",
            State::Withdrawn => "withdrawn",
            State::Published => "published",
        }
    }

    /// True for the states that end a notice's life (resolved, completed, withdrawn).
    pub fn is_final(self) -> bool {
        matches!(self, State::Resolved | State::Completed | State::Withdrawn)
    }

    /// True when a notice of `kind` may be in this state.
    pub fn fits(self, kind: Kind) -> bool {
        match self {
            State::Withdrawn => true,
            State::Scheduled | State::InProgress | State::Completed => kind == Kind::Maintenance,
            // News from publishers before `published` existed carried these; still read.
            State::Investigating | State::Identified | State::Monitoring | State::Resolved => {
                kind != Kind::Maintenance
            }
            State::Published => kind == Kind::Info,
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a notice stands relative to now: this decides whether it counts for the overall status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Announced maintenance that has not started.
    Upcoming,
    /// In effect now: counts for the overall status.
    Active,
    /// Resolved, completed or withdrawn.
    Past,
}

/// Plain text (never markup), in one language or several.
///
/// On the wire either a string, in the feed's default language, or an object from language
/// tag to text: `{"ru": "…", "en": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Text {
    /// One text in the feed's default language.
    Plain(String),
    /// Texts keyed by language tag (`ru`, `en`, …).
    Translated(BTreeMap<String, String>),
}

impl Default for Text {
    fn default() -> Self {
        Text::Plain(String::new())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text::Plain(s.to_owned())
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text::Plain(s)
    }
}

impl Text {
    /// The text for `lang`; else the one in `default_lang`; else the first by tag order.
    pub fn get<'a>(&'a self, lang: &str, default_lang: &str) -> &'a str {
        match self {
            Text::Plain(s) => s,
            Text::Translated(map) => map
                .get(lang)
                .or_else(|| map.get(default_lang))
                .or_else(|| map.values().next())
                .map(String::as_str)
                .unwrap_or(""),
        }
    }

    /// True when there is no text in any language.
    pub fn is_empty(&self) -> bool {
        match self {
            Text::Plain(s) => s.trim().is_empty(),
            Text::Translated(map) => map.values().all(|s| s.trim().is_empty()),
        }
    }

    /// Every (language, text) pair; a plain text is reported under `default_lang`.
    pub fn entries<'a>(&'a self, default_lang: &'a str) -> Vec<(&'a str, &'a str)> {
        match self {
            Text::Plain(s) => vec![(default_lang, s.as_str())],
            Text::Translated(map) => map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
        }
    }
}

/// A maintenance window. `ends_at` may be open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Window {
    /// When the work starts.
    pub starts_at: DateTime<Utc>,
    /// When the work is planned to end, if said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
}

/// One entry of a notice's timeline: what support said, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Update {
    /// When it was said.
    pub at: DateTime<Utc>,
    /// The notice's state from then on.
    pub state: State,
    /// The notice's severity from then on, when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// What was said (plain text).
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub text: Text,
}

/// One severity-coded message to the client's employees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Notice {
    /// Stable identifier, unique within the feed.
    pub id: String,
    /// How bad it is now.
    pub severity: Severity,
    /// What kind of event it is.
    pub kind: Kind,
    /// Where it stands in its life.
    pub state: State,
    /// Short headline (plain text).
    pub title: Text,
    /// Longer explanation (plain text, never markup).
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub body: Text,
    /// Ids of the components it affects; empty means the whole product.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<String>,
    /// When it was first published.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The planned window, for maintenance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// When support promised the next word.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_update_at: Option<DateTime<Utc>>,
    /// A page with more details (http or https only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Everything said so far, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub updates: Vec<Update>,
}

/// A part of the product that notices can name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Component {
    /// Stable identifier, unique within the feed.
    pub id: String,
    /// Name shown to people.
    pub name: Text,
    /// The name of the group it belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The status the source reports for it, where the source reports one (Statuspage does;
    /// in a Svetofor feed it follows from the notices and is normally absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ComponentStatus>,
}

/// A component's status as a status page reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComponentStatus {
    /// Works.
    Operational,
    /// Works slowly or with errors.
    Degraded,
    /// Partly down.
    PartialOutage,
    /// Down.
    MajorOutage,
    /// Under planned maintenance.
    Maintenance,
    /// The source said something this version does not know.
    Unknown,
}

impl ComponentStatus {
    /// The severity shown for a component in this status. Unknown is yellow: never green on
    /// data we could not read.
    pub fn severity(self) -> Severity {
        match self {
            ComponentStatus::Operational => Severity::Green,
            ComponentStatus::Degraded | ComponentStatus::Maintenance | ComponentStatus::Unknown => {
                Severity::Yellow
            }
            ComponentStatus::PartialOutage | ComponentStatus::MajorOutage => Severity::Red,
        }
    }
}

impl Notice {
    /// Where this notice stands at `now`, reading the maintenance window by the clock.
    ///
    /// A signed feed may be served from a mirror or cache for a while, so a `scheduled`
    /// maintenance whose start has passed is in effect even if the feed still says `scheduled`,
    /// and one whose planned end has passed is over. An `in_progress` maintenance stays in
    /// effect past its planned end: overruns are real and support closes them by hand.
    pub fn phase_by_clock(&self, now: DateTime<Utc>) -> Phase {
        match self.state {
            s if s.is_final() => Phase::Past,
            State::Scheduled => match &self.window {
                Some(w) if w.ends_at.is_some_and(|end| end <= now) => Phase::Past,
                Some(w) if w.starts_at <= now => Phase::Active,
                _ => Phase::Upcoming,
            },
            _ => Phase::Active,
        }
    }

    /// Where this notice stands by its stated state alone (for sources that move states
    /// themselves, such as Statuspage).
    pub fn phase_as_stated(&self) -> Phase {
        match self.state {
            s if s.is_final() => Phase::Past,
            State::Scheduled => Phase::Upcoming,
            _ => Phase::Active,
        }
    }

    /// When support last said something about it: its newest update or, from a source that
    /// keeps none, its last change. A corrected wording moves `updated_at` but says nothing
    /// new, so it leaves this where it was: desktops do not announce a typo fix.
    pub fn last_said_at(&self) -> DateTime<Utc> {
        self.updates
            .iter()
            .map(|u| u.at)
            .max()
            .unwrap_or(self.updated_at)
    }

    /// True when support promised an update by a time that has passed and the notice is open.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        !self.state.is_final() && self.next_update_at.is_some_and(|t| t < now)
    }
}
