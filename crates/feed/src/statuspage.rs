//! Atlassian Statuspage API v2 `summary.json`, read into the common model.
//!
//! Every field is optional and every enum is read as a string, so a page that uses a value this
//! version does not know still reads: an unknown impact or status counts as yellow, never green.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::model::{
    Component, ComponentStatus, Kind, Notice, Severity, State, Text, Update, Window,
};
use crate::snapshot::{Format, PhaseRule, Snapshot};
use crate::text_rules::is_web_url;

#[derive(Deserialize)]
struct Summary {
    page: Page,
    status: Option<Status>,
    #[serde(default)]
    components: Vec<RawComponent>,
    #[serde(default)]
    incidents: Vec<Incident>,
    #[serde(default)]
    scheduled_maintenances: Vec<Incident>,
}

#[derive(Deserialize)]
struct Page {
    id: Option<String>,
    name: Option<String>,
    updated_at: Option<String>,
}

#[derive(Deserialize)]
struct Status {
    indicator: Option<String>,
}

#[derive(Deserialize)]
struct RawComponent {
    id: Option<String>,
    name: Option<String>,
    status: Option<String>,
    group: Option<bool>,
    group_id: Option<String>,
}

#[derive(Deserialize)]
struct Incident {
    id: Option<String>,
    name: Option<String>,
    status: Option<String>,
    impact: Option<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
    scheduled_for: Option<String>,
    scheduled_until: Option<String>,
    shortlink: Option<String>,
    #[serde(default)]
    incident_updates: Vec<IncidentUpdate>,
    #[serde(default)]
    components: Vec<IncidentComponent>,
}

#[derive(Deserialize)]
struct IncidentUpdate {
    body: Option<String>,
    status: Option<String>,
    display_at: Option<String>,
    created_at: Option<String>,
}

#[derive(Deserialize)]
struct IncidentComponent {
    id: Option<String>,
}

fn time(s: &Option<String>) -> Option<DateTime<Utc>> {
    s.as_deref()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// Statuspage's `status.indicator` as a severity. Unknown values are yellow.
pub fn indicator_severity(indicator: &str) -> Severity {
    match indicator {
        "none" => Severity::Green,
        "major" | "critical" => Severity::Red,
        _ => Severity::Yellow, // minor, maintenance, and anything new
    }
}

fn incident_severity_kind(impact: Option<&str>) -> (Severity, Kind) {
    match impact {
        Some("critical" | "major") => (Severity::Red, Kind::Outage),
        Some("none") => (Severity::Green, Kind::Info),
        _ => (Severity::Yellow, Kind::Degraded),
    }
}

fn incident_state(status: Option<&str>) -> State {
    match status {
        Some("identified") => State::Identified,
        Some("monitoring") => State::Monitoring,
        Some("resolved" | "postmortem") => State::Resolved,
        // "investigating" and anything unknown: an open incident.
        _ => State::Investigating,
    }
}

fn maintenance_state(status: Option<&str>) -> State {
    match status {
        Some("in_progress" | "verifying") => State::InProgress,
        Some("completed") => State::Completed,
        // "scheduled" and anything unknown.
        _ => State::Scheduled,
    }
}

fn component_status(status: Option<&str>) -> ComponentStatus {
    match status {
        Some("operational") => ComponentStatus::Operational,
        Some("degraded_performance") => ComponentStatus::Degraded,
        Some("partial_outage") => ComponentStatus::PartialOutage,
        Some("major_outage") => ComponentStatus::MajorOutage,
        Some("under_maintenance") => ComponentStatus::Maintenance,
        _ => ComponentStatus::Unknown,
    }
}

/// Why a `summary.json` could not be read into the model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct Unreadable {
    /// Where (`incidents[0].created_at`).
    pub path: String,
    /// What is missing or wrong.
    pub message: String,
}

pub(crate) fn parse(bytes: &[u8]) -> Result<Result<Snapshot, Unreadable>, serde_json::Error> {
    let summary: Summary = serde_json::from_slice(bytes)?;
    Ok(convert(summary))
}

fn convert(s: Summary) -> Result<Snapshot, Unreadable> {
    let page_updated = time(&s.page.updated_at);
    let groups: HashMap<&str, &str> = s
        .components
        .iter()
        .filter(|c| c.group == Some(true))
        .filter_map(|c| Some((c.id.as_deref()?, c.name.as_deref()?)))
        .collect();
    let components = s
        .components
        .iter()
        .filter(|c| c.group != Some(true))
        .filter_map(|c| {
            Some(Component {
                id: c.id.clone()?,
                name: Text::Plain(c.name.clone().unwrap_or_default()),
                group: c
                    .group_id
                    .as_deref()
                    .and_then(|g| groups.get(g))
                    .map(|g| (*g).to_owned()),
                status: Some(component_status(c.status.as_deref())),
            })
        })
        .collect();

    let mut notices = Vec::new();
    for (list_name, list, is_maintenance) in [
        ("incidents", &s.incidents, false),
        ("scheduled_maintenances", &s.scheduled_maintenances, true),
    ] {
        for (i, inc) in list.iter().enumerate() {
            let n = notice(inc, is_maintenance, page_updated).map_err(|(field, message)| {
                Unreadable {
                    path: format!("{list_name}[{i}].{field}"),
                    message: message.to_owned(),
                }
            })?;
            notices.push(n);
        }
    }

    Ok(Snapshot {
        format: Format::StatuspageV2,
        id: s.page.id.unwrap_or_default(),
        name: s.page.name.unwrap_or_else(|| "Status page".to_owned()),
        default_language: "en".to_owned(),
        seq: None,
        generated_at: page_updated,
        expires_at: None,
        declared_status: s
            .status
            .and_then(|st| st.indicator)
            .map(|i| indicator_severity(&i)),
        phase_rule: PhaseRule::AsStated,
        components,
        notices,
    })
}

fn notice(
    inc: &Incident,
    is_maintenance: bool,
    page_updated: Option<DateTime<Utc>>,
) -> Result<Notice, (&'static str, &'static str)> {
    let id = inc
        .id
        .clone()
        .filter(|s| !s.is_empty())
        .ok_or(("id", "missing"))?;
    let (severity, kind, state) = if is_maintenance {
        (
            Severity::Yellow,
            Kind::Maintenance,
            maintenance_state(inc.status.as_deref()),
        )
    } else {
        let (sev, kind) = incident_severity_kind(inc.impact.as_deref());
        (sev, kind, incident_state(inc.status.as_deref()))
    };
    let state_of = |status: Option<&str>| {
        if is_maintenance {
            maintenance_state(status)
        } else {
            incident_state(status)
        }
    };
    let mut updates: Vec<Update> = inc
        .incident_updates
        .iter()
        .filter_map(|u| {
            Some(Update {
                at: time(&u.display_at).or_else(|| time(&u.created_at))?,
                state: state_of(u.status.as_deref()),
                severity: None,
                text: Text::Plain(u.body.clone().unwrap_or_default()),
            })
        })
        .collect();
    updates.sort_by_key(|u| u.at);
    let created_at = time(&inc.created_at)
        .or_else(|| updates.first().map(|u| u.at))
        .or(page_updated)
        .ok_or((
            "created_at",
            "missing or not a date, and nothing to fall back on",
        ))?;
    let updated_at = time(&inc.updated_at)
        .or_else(|| updates.last().map(|u| u.at))
        .unwrap_or(created_at)
        .max(created_at);
    let window = time(&inc.scheduled_for).map(|starts_at| Window {
        starts_at,
        ends_at: time(&inc.scheduled_until).filter(|e| *e >= starts_at),
    });
    Ok(Notice {
        id,
        severity,
        kind,
        state,
        title: Text::Plain(
            inc.name
                .clone()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| {
                    if is_maintenance {
                        "Maintenance"
                    } else {
                        "Incident"
                    }
                    .to_owned()
                }),
        ),
        body: updates.last().map(|u| u.text.clone()).unwrap_or_default(),
        components: inc.components.iter().filter_map(|c| c.id.clone()).collect(),
        created_at,
        updated_at,
        window,
        next_update_at: None,
        url: inc.shortlink.clone().filter(|u| is_web_url(u)),
        updates,
    })
}
