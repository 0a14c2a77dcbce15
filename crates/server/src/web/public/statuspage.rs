//! Atlassian Statuspage API v2, field for field, mapped from our notices: the tools people
//! already run (Statuspage readers, StatusGator, stts, Grafana panels, chat bots) read this
//! publisher as they read any Statuspage page. docs/api.md holds the mapping both ways; the
//! reverse is `svetofor_feed::statuspage`, and reading our output back gives our status.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use svetofor_feed::{Kind, Notice, Phase, Severity, State as NoticeState};

use super::{Sight, answer, base_url};
use crate::AppState;
use crate::error::ApiError;
use crate::http::extract::{MaybeCaller, require_read};

/// `/api/v2/…`.
pub fn routes() -> Router<Arc<AppState>> {
    let r = |doc: Doc| {
        get(
            move |app: State<Arc<AppState>>,
                  caller: MaybeCaller,
                  headers: HeaderMap,
                  q: Query<Params>| serve(app, caller, headers, q, doc),
        )
    };
    Router::new()
        .route("/summary.json", r(Doc::Summary))
        .route("/status.json", r(Doc::Status))
        .route("/components.json", r(Doc::Components))
        .route("/incidents.json", r(Doc::Incidents))
        .route("/incidents/unresolved.json", r(Doc::Unresolved))
        .route("/scheduled-maintenances.json", r(Doc::Maintenances))
        .route("/scheduled-maintenances/upcoming.json", r(Doc::Upcoming))
        .route("/scheduled-maintenances/active.json", r(Doc::Active))
}

/// Which document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doc {
    Summary,
    Status,
    Components,
    Incidents,
    Unresolved,
    Maintenances,
    Upcoming,
    Active,
}

#[derive(Debug, Deserialize)]
pub struct Params {
    /// The language of names and texts; the feed's default when absent.
    lang: Option<String>,
}

/// Statuspage lists at most this many incidents or maintenances.
const LIST_LIMIT: usize = 50;

async fn serve(
    State(app): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    headers: HeaderMap,
    Query(p): Query<Params>,
    doc: Doc,
) -> Result<Response, ApiError> {
    require_read(&app, caller)?;
    let sight = app.sight.get(&app).await?;
    let lang = p
        .lang
        .filter(|l| svetofor_feed::v1::is_language_tag(l))
        .unwrap_or_else(|| sight.feed.default_language.clone());
    let base = base_url(&app, &headers);
    let body = sight.drawn(format!("{doc:?}|{lang}|{base}"), || {
        let value = document(&sight, doc, Utc::now(), &lang, &base);
        // A `Value` always serializes.
        serde_json::to_vec(&value).unwrap_or_default()
    });
    Ok(answer(
        &app,
        &headers,
        "application/json; charset=utf-8",
        15,
        &body,
    ))
}

/// One of the documents, at `now`, with texts in `lang` and links under `base`.
pub fn document(sight: &Sight, doc: Doc, now: DateTime<Utc>, lang: &str, base: &str) -> Value {
    let m = Mapper {
        sight,
        now,
        lang,
        base,
    };
    let incidents = || m.list(|n| !is_maintenance(n) && !n.state.is_final());
    let maintenances =
        |phases: &[Phase]| m.list(|n| is_maintenance(n) && phases.contains(&n.phase_by_clock(now)));
    let mut out = json!({ "page": m.page() });
    match doc {
        Doc::Summary => {
            out["components"] = m.components();
            out["incidents"] = incidents();
            out["scheduled_maintenances"] = maintenances(&[Phase::Upcoming, Phase::Active]);
            out["status"] = m.status();
        }
        Doc::Status => out["status"] = m.status(),
        Doc::Components => out["components"] = m.components(),
        Doc::Incidents => out["incidents"] = m.list(|_| true),
        Doc::Unresolved => out["incidents"] = incidents(),
        Doc::Maintenances => out["scheduled_maintenances"] = m.list(is_maintenance),
        Doc::Upcoming => out["scheduled_maintenances"] = maintenances(&[Phase::Upcoming]),
        Doc::Active => out["scheduled_maintenances"] = maintenances(&[Phase::Active]),
    }
    out
}

fn is_maintenance(n: &Notice) -> bool {
    n.kind == Kind::Maintenance
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `status.indicator` for the notices in effect: `critical` when an outage covers the whole
/// product, `major` for an outage of some parts, `maintenance` when planned work is all there
/// is, `minor` for any other problem, `none` otherwise.
pub fn indicator<'a>(in_effect: impl IntoIterator<Item = &'a Notice>) -> &'static str {
    let mut worst = "none";
    let rank = |i: &str| match i {
        "critical" => 4,
        "major" => 3,
        "minor" => 2,
        "maintenance" => 1,
        _ => 0,
    };
    for n in in_effect {
        let this = match (n.severity, n.kind) {
            (Severity::Red, _) if n.components.is_empty() => "critical",
            (Severity::Red, _) => "major",
            (Severity::Yellow, Kind::Maintenance) => "maintenance",
            (Severity::Yellow, _) => "minor",
            (Severity::Green, _) => "none",
        };
        if rank(this) > rank(worst) {
            worst = this;
        }
    }
    worst
}

/// Statuspage's own words for each indicator.
pub fn description(indicator: &str) -> &'static str {
    match indicator {
        "critical" => "Major System Outage",
        "major" => "Partial System Outage",
        "minor" => "Minor Service Outage",
        "maintenance" => "Service Under Maintenance",
        _ => "All Systems Operational",
    }
}

/// An incident's `impact`.
pub fn impact(n: &Notice) -> &'static str {
    match (n.kind, n.severity) {
        (Kind::Maintenance, _) => "maintenance",
        (_, Severity::Red) if n.components.is_empty() => "critical",
        (_, Severity::Red) => "major",
        (_, Severity::Yellow) => "minor",
        (_, Severity::Green) => "none",
    }
}

/// A state in Statuspage's words. News (`published`) has no word there: it is an incident
/// of impact `none` being watched, `monitoring`.
pub fn status_word(kind: Kind, state: NoticeState) -> &'static str {
    match state {
        NoticeState::Investigating => "investigating",
        NoticeState::Identified => "identified",
        NoticeState::Monitoring | NoticeState::Published => "monitoring",
        NoticeState::Scheduled => "scheduled",
        NoticeState::InProgress => "in_progress",
        NoticeState::Completed => "completed",
        NoticeState::Resolved | NoticeState::Withdrawn if kind == Kind::Maintenance => "completed",
        NoticeState::Resolved | NoticeState::Withdrawn => "resolved",
    }
}

/// A notice's status now: a maintenance by the clock, as desktops read it (one whose start
/// has passed is `in_progress` even while the feed still says `scheduled`).
fn status_now(n: &Notice, now: DateTime<Utc>) -> &'static str {
    if is_maintenance(n) {
        match n.phase_by_clock(now) {
            Phase::Upcoming => "scheduled",
            Phase::Active if n.state == NoticeState::Scheduled => "in_progress",
            Phase::Past if n.state == NoticeState::Scheduled => "completed",
            _ => status_word(n.kind, n.state),
        }
    } else {
        status_word(n.kind, n.state)
    }
}

/// A component's status from the worst notice in effect on it.
pub fn component_status<'a>(on_it: impl IntoIterator<Item = &'a Notice>) -> &'static str {
    let worst = on_it
        .into_iter()
        .max_by_key(|n| (n.severity, !is_maintenance(n)));
    match worst {
        None => "operational",
        Some(n) if is_maintenance(n) => "under_maintenance",
        Some(n) => match n.severity {
            Severity::Red => "major_outage",
            Severity::Yellow => "degraded_performance",
            Severity::Green => "operational",
        },
    }
}

struct Mapper<'a> {
    sight: &'a Sight,
    now: DateTime<Utc>,
    lang: &'a str,
    base: &'a str,
}

impl Mapper<'_> {
    fn text<'t>(&self, t: &'t svetofor_feed::Text) -> &'t str {
        t.get(self.lang, &self.sight.feed.default_language)
    }

    fn in_effect(&self) -> impl Iterator<Item = &Notice> {
        self.sight
            .history
            .iter()
            .filter(|n| n.phase_by_clock(self.now) == Phase::Active)
    }

    fn page(&self) -> Value {
        json!({
            "id": self.sight.feed.id,
            "name": self.sight.feed.name,
            "url": self.base,
            "time_zone": "Etc/UTC",
            "updated_at": time(self.sight.feed.generated_at),
        })
    }

    fn status(&self) -> Value {
        let indicator = indicator(self.in_effect());
        json!({ "indicator": indicator, "description": description(indicator) })
    }

    fn component_status_of(&self, id: &str) -> &'static str {
        component_status(
            self.in_effect()
                .filter(|n| n.components.is_empty() || n.components.iter().any(|c| c == id)),
        )
    }

    fn component(&self, c: &svetofor_feed::Component, position: usize) -> Value {
        let page_id = &self.sight.feed.id;
        json!({
            "id": c.id,
            "name": self.text(&c.name),
            "status": self.component_status_of(&c.id),
            "created_at": time(self.sight.feed.generated_at),
            "updated_at": time(self.sight.feed.generated_at),
            "position": position,
            "description": null,
            "showcase": false,
            "start_date": null,
            "group_id": c.group.as_deref().map(group_id),
            "page_id": page_id,
            "group": false,
            "only_show_if_degraded": false,
        })
    }

    /// The components, each group first as a component of its own, as Statuspage lists them.
    fn components(&self) -> Value {
        let mut out = vec![];
        let mut groups: BTreeMap<&str, Vec<&svetofor_feed::Component>> = BTreeMap::new();
        for c in self.sight.components() {
            if let Some(g) = &c.group {
                groups.entry(g).or_default().push(c);
            }
        }
        let rank = |s: &str| match s {
            "major_outage" => 4,
            "partial_outage" => 3,
            "degraded_performance" => 2,
            "under_maintenance" => 1,
            _ => 0,
        };
        for (name, members) in &groups {
            let status = members
                .iter()
                .map(|c| self.component_status_of(&c.id))
                .max_by_key(|s| rank(s))
                .unwrap_or("operational");
            out.push(json!({
                "id": group_id(name),
                "name": name,
                "status": status,
                "created_at": time(self.sight.feed.generated_at),
                "updated_at": time(self.sight.feed.generated_at),
                "position": out.len() + 1,
                "description": null,
                "showcase": false,
                "start_date": null,
                "group_id": null,
                "page_id": self.sight.feed.id,
                "group": true,
                "only_show_if_degraded": false,
                "components": members.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            }));
        }
        for c in self.sight.components() {
            let position = out.len() + 1;
            out.push(self.component(c, position));
        }
        Value::Array(out)
    }

    /// Notices that pass `keep`, newest change first, at most [`LIST_LIMIT`].
    fn list(&self, keep: impl Fn(&Notice) -> bool) -> Value {
        Value::Array(
            self.sight
                .history
                .iter()
                .filter(|n| keep(n))
                .take(LIST_LIMIT)
                .map(|n| self.incident(n))
                .collect(),
        )
    }

    fn incident(&self, n: &Notice) -> Value {
        let mut updates: Vec<Value> = n
            .updates
            .iter()
            .enumerate()
            .map(|(i, u)| {
                let body = if u.text.is_empty() && i == 0 {
                    self.text(&n.body)
                } else {
                    self.text(&u.text)
                };
                json!({
                    "id": format!("{}-{i}", n.id),
                    "status": status_word(n.kind, u.state),
                    "body": body,
                    "incident_id": n.id,
                    "created_at": time(u.at),
                    "updated_at": time(u.at),
                    "display_at": time(u.at),
                    "affected_components": null,
                    "deliver_notifications": true,
                    "custom_tweet": null,
                    "tweet_id": null,
                })
            })
            .collect();
        if updates.is_empty() {
            updates.push(json!({
                "id": format!("{}-0", n.id),
                "status": status_now(n, self.now),
                "body": self.text(&n.body),
                "incident_id": n.id,
                "created_at": time(n.created_at),
                "updated_at": time(n.updated_at),
                "display_at": time(n.created_at),
                "affected_components": null,
                "deliver_notifications": true,
                "custom_tweet": null,
                "tweet_id": null,
            }));
        }
        updates.reverse();
        let final_at = n.state.is_final().then(|| {
            n.updates
                .iter()
                .rev()
                .find(|u| u.state.is_final())
                .map_or(n.updated_at, |u| u.at)
        });
        let monitoring_at = n
            .updates
            .iter()
            .find(|u| u.state == NoticeState::Monitoring)
            .map(|u| time(u.at));
        let components: Vec<Value> = n
            .components
            .iter()
            .enumerate()
            .map(
                |(i, id)| match self.sight.components().iter().find(|c| &c.id == id) {
                    Some(c) => self.component(c, i + 1),
                    None => self.component(
                        &svetofor_feed::Component {
                            id: id.clone(),
                            name: id.as_str().into(),
                            group: None,
                            status: None,
                        },
                        i + 1,
                    ),
                },
            )
            .collect();
        let mut v = json!({
            "id": n.id,
            "name": self.text(&n.title),
            "status": status_now(n, self.now),
            "created_at": time(n.created_at),
            "updated_at": time(n.updated_at),
            "monitoring_at": monitoring_at,
            "resolved_at": final_at.map(time),
            "impact": impact(n),
            "shortlink": format!("{}/notices/{}", self.base, n.id),
            "started_at": time(n.window.as_ref().map_or(n.created_at, |w| w.starts_at)),
            "page_id": self.sight.feed.id,
            "incident_updates": updates,
            "components": components,
        });
        if let Some(w) = &n.window {
            v["scheduled_for"] = json!(time(w.starts_at));
            v["scheduled_until"] = json!(w.ends_at.map(time));
        }
        v
    }
}

/// The id a group of components gets (Statuspage's groups are components of their own).
fn group_id(name: &str) -> String {
    let slug: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    format!("group-{slug}")
}
