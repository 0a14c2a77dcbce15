//! Request bodies of the notices API, as support tools send them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use svetofor_feed::{Kind, Notice, Severity, State, Text};

/// A new notice, as posted to `POST /api/v1/notices`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewNotice {
    /// Required: red (outage), yellow (degradation, maintenance) or green (news, recovery).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Required; must fit the severity (a green outage is refused).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    /// The first state; by default `investigating`, or `scheduled` for maintenance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<State>,
    /// Required: at most 200 characters in each language, no control characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    /// At most 4000 characters in each language; newlines and tabs allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Text>,
    /// Component ids (at most 50), each one an admin named (`PUT /api/v1/components/{id}`):
    /// an id nobody named is refused, since a typo would reach no one who follows the real
    /// part, unless `new_components` says to add it.
    #[serde(default)]
    pub components: Vec<String>,
    /// Adds the ids in `components` that nobody named yet as components named by their id.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub new_components: bool,
    /// When the next word is promised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_update_at: Option<DateTime<Utc>>,
    /// Maintenance only: when the work starts; before `ends_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<DateTime<Utc>>,
    /// Maintenance only: when the work ends; after `starts_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
    /// An http(s) page with details, at most 2000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// An update to a notice (`POST /api/v1/notices/{id}/updates`). Every field is optional but
/// at least one must change something.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeUpdate {
    /// What support says now (goes into the timeline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Text>,
    /// A state of the notice's kind; `resolved`/`completed` go through `resolve`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<State>,
    /// Raising it re-alerts employees; lowering it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// New promise of the next word; `null` keeps the old one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_update_at: Option<DateTime<Utc>>,
    /// Takes the promise back (support cannot say when they will know more); refused
    /// together with a `next_update_at`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_next_update: bool,
    /// Replaces the headline (same limits as on creation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    /// Replaces the explanation (same limits as on creation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Text>,
    /// New window start (maintenance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<DateTime<Utc>>,
    /// New window end (maintenance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
    /// The parts of the product it affects from now on (replacing the list; `[]` is the
    /// whole product).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<String>>,
    /// As on creation: adds ids in `components` that nobody named yet.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub new_components: bool,
    /// The notice's version this change was made from (the `ETag` of
    /// `GET /api/v1/notices/{id}`, without quotes): when the notice changed since, the change
    /// is refused (409, `stale`) with what changed meanwhile. Absent: applied to whatever the
    /// notice is now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A closing word (`resolve`, `withdraw`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Closing {
    /// What support says as it closes the notice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Text>,
    /// The notice's version this change was made from (the `ETag` of
    /// `GET /api/v1/notices/{id}`, without quotes): when the notice changed since, the change
    /// is refused (409, `stale`) with what changed meanwhile. Absent: applied to whatever the
    /// notice is now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A correction of a notice's wording (`POST /api/v1/notices/{id}/correction`): a typo or a
/// wrong word fixed in place. It adds no step to the timeline and alerts nobody; the audit
/// log and the console show it as a correction. At least one field.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    /// The headline as it should have read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    /// The latest word as it should have read (the body, and the timeline's latest step
    /// when it said the same).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Text>,
    /// The notice's version this change was made from (the `ETag` of
    /// `GET /api/v1/notices/{id}`, without quotes): when the notice changed since, the change
    /// is refused (409, `stale`) with what changed meanwhile. Absent: applied to whatever the
    /// notice is now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A page of notices (`GET /api/v1/notices`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NoticePage {
    /// Newest first.
    pub notices: Vec<Notice>,
    /// Cursor for the next page; absent on the last one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A change support asks of a notice that exists, as the API takes it.
#[derive(Debug, Clone)]
pub enum NoticeChange {
    /// `POST /api/v1/notices/{id}/updates`.
    Update(NoticeUpdate),
    /// `POST /api/v1/notices/{id}/resolve`: resolve (or complete) it.
    Resolve(Closing),
    /// `POST /api/v1/notices/{id}/withdraw`: it was published by mistake.
    Withdraw(Closing),
    /// `POST /api/v1/notices/{id}/correction`: the wording fixed in place.
    Correct(Correction),
}

impl NoticeChange {
    /// The last path segment of its endpoint.
    pub fn endpoint(&self) -> &'static str {
        match self {
            NoticeChange::Update(_) => "updates",
            NoticeChange::Resolve(_) => "resolve",
            NoticeChange::Withdraw(_) => "withdraw",
            NoticeChange::Correct(_) => "correction",
        }
    }

    /// How the audit log names it.
    pub fn action(&self) -> &'static str {
        match self {
            NoticeChange::Update(_) => "notice.update",
            NoticeChange::Resolve(_) => "notice.resolve",
            NoticeChange::Withdraw(_) => "notice.withdraw",
            NoticeChange::Correct(_) => "notice.correct",
        }
    }

    /// The version it was made from, if it says.
    pub fn version(&self) -> Option<&str> {
        match self {
            NoticeChange::Update(u) => u.version.as_deref(),
            NoticeChange::Resolve(c) | NoticeChange::Withdraw(c) => c.version.as_deref(),
            NoticeChange::Correct(c) => c.version.as_deref(),
        }
    }

    /// The request body.
    pub fn body(&self) -> serde_json::Value {
        match self {
            NoticeChange::Update(u) => serde_json::to_value(u),
            NoticeChange::Resolve(c) | NoticeChange::Withdraw(c) => serde_json::to_value(c),
            NoticeChange::Correct(c) => serde_json::to_value(c),
        }
        .unwrap_or_default()
    }
}

/// What an admin says of a component (`PUT /api/v1/components/{id}`): its name as people
/// read it, and its group. A named component stays in the feed even while no notice names
/// it, so employees can choose to follow it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentSettings {
    /// At most 200 characters in each language, e.g. `{"ru": "Платежи", "en": "Payments"}`.
    pub name: Text,
    /// The group it is listed under, at most 100 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// A notice's version: what a change made from it names, so that a change made from an
/// older one is refused instead of silently undoing the one between. It moves with every
/// step of the timeline (the clock's included) and every correction.
pub fn version(notice: &Notice) -> String {
    format!(
        "{}.{}",
        notice.updates.len(),
        notice.updated_at.timestamp_micros()
    )
}

/// The moment a [`version`] was made at, and its number of timeline steps; `None` for
/// what is not a version.
pub fn version_parts(version: &str) -> Option<(usize, DateTime<Utc>)> {
    let (steps, micros) = version.split_once('.')?;
    let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
    Some((steps.parse().ok()?, at))
}
