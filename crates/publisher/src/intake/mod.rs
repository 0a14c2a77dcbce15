//! Alerts in, as drafts (what `POST /api/v1/intake/{source}` does once an intake token is
//! checked). A firing alert makes or updates one draft (by source and key); the
//! admins' routing rules give it a component and a template, and only a rule that says so
//! publishes it without a person. A resolved alert discards its unpublished draft, or tells
//! support on the Now page that its published notice may be resolved.

pub mod parse;

use chrono::Utc;
use serde_json::json;
use svetofor_api::{DraftBody, IntakeRule, NewNotice, Placeholders, Template};
use svetofor_feed::{Component, Kind, Severity, Text};
use svetofor_store::{AlertLink, StoreError, TurnFor, blocking};

use crate::notices::{MAX_BODY_CHARS, MAX_TITLE_CHARS};
use crate::publisher::{PublishError, Publisher};
use parse::Alert;

/// The sources the intake reads.
pub const SOURCES: [&str; 5] = [
    "alertmanager",
    "grafana",
    "zabbix",
    "uptime-kuma",
    "generic",
];

/// One alert at a time: the same alert sent twice at once must not make two drafts.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Text fit for a notice: no control characters, at most `max` characters.
fn fit(s: &str, max: usize, keep_lines: bool) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| match c {
            '\n' | '\t' if keep_lines => c,
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.chars().count() <= max {
        return cleaned.to_owned();
    }
    let mut cut: String = cleaned.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

fn rule_for<'a>(rules: &'a [IntakeRule], source: &str, alert: &Alert) -> Option<&'a IntakeRule> {
    rules.iter().find(|r| {
        r.source.as_deref().is_none_or(|s| s == source)
            && r.labels.iter().all(|(k, v)| alert.labels.get(k) == Some(v))
    })
}

/// The draft an alert makes.
pub fn draft_of(
    alert: &Alert,
    rule: Option<&IntakeRule>,
    template: Option<&Template>,
    components: &[Component],
) -> DraftBody {
    let component = rule.and_then(|r| r.component.clone());
    let kind = match alert.severity {
        Severity::Red => Kind::Outage,
        Severity::Yellow => Kind::Degraded,
        Severity::Green => Kind::Info,
    };
    let (title, body) = match template {
        Some(t) => {
            let now = (Utc::now() + chrono::TimeDelta::hours(3))
                .format("%H:%M")
                .to_string();
            let fill = |text: &Text, lang: &str| {
                let name = component.as_deref().map(|id| {
                    components
                        .iter()
                        .find(|c| c.id == id)
                        .map_or(id.to_owned(), |c| c.name.get(lang, id).to_owned())
                });
                Placeholders {
                    component: name.as_deref(),
                    time: Some(&now),
                }
                .fill(text.get(lang, ""))
            };
            let both = |text: &Text, max: usize, lines: bool| {
                let map: std::collections::BTreeMap<String, String> = ["ru", "en"]
                    .iter()
                    .map(|l| (l.to_string(), fit(&fill(text, l), max, lines)))
                    .filter(|(_, t)| !t.is_empty())
                    .collect();
                (!map.is_empty()).then_some(Text::Translated(map))
            };
            (
                both(&t.title, MAX_TITLE_CHARS, false),
                both(&t.body, MAX_BODY_CHARS, true),
            )
        }
        None => (
            Some(Text::Plain(fit(&alert.summary, MAX_TITLE_CHARS, false))),
            Some(Text::Plain(fit(&alert.description, MAX_BODY_CHARS, true)))
                .filter(|b| !b.is_empty()),
        ),
    };
    DraftBody {
        notice: NewNotice {
            severity: Some(template.map_or(alert.severity, |t| t.severity)),
            kind: Some(template.map_or(kind, |t| t.kind)),
            title,
            body,
            components: component.into_iter().collect(),
            next_update_at: template
                .and_then(|t| t.next_update_minutes)
                .map(|m| Utc::now() + chrono::TimeDelta::minutes(i64::from(m))),
            ..NewNotice::default()
        },
        publish_at: None,
    }
}

/// Reads a source's payload; `None` for a source the intake does not know.
pub fn parse_alert(source: &str, payload: &serde_json::Value) -> Option<Result<Alert, String>> {
    let parsed = match source {
        "alertmanager" | "grafana" => parse::alertmanager(payload),
        "zabbix" => parse::zabbix(payload),
        "uptime-kuma" => parse::uptime_kuma(payload),
        "generic" => parse::generic(payload),
        _ => return None,
    };
    Some(parsed.map_err(|e| e.to_string()))
}

/// What taking an alert in did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A new draft (or, by a rule, a published notice).
    Created,
    /// The alert's draft was made again from it.
    Updated,
    /// Its notice is out already; nothing changed.
    PublishedAlready,
    /// Resolved before publication: its draft is gone.
    Discarded,
    /// Resolved after publication: support is shown that its notice may be resolved.
    ResolveProposed,
    /// Resolved, and nothing of it was kept.
    NothingToResolve,
}

impl Action {
    /// How the API names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::PublishedAlready => "published already",
            Action::Discarded => "discarded",
            Action::ResolveProposed => "resolve proposed",
            Action::NothingToResolve => "nothing to resolve",
        }
    }
}

/// What an alert made: the action and the alert's draft or notice now.
#[derive(Debug, Clone)]
pub struct Taken {
    pub action: Action,
    pub link: AlertLink,
}

/// Takes one alert in: makes, updates or discards its draft (or publishes it, when a rule
/// says so), and remembers what it made.
pub async fn take(
    publisher: &Publisher,
    source: &str,
    alert: &Alert,
    actor: String,
) -> Result<Taken, PublishError> {
    let _one = ONE_AT_A_TIME.lock().await;
    // Other publishers on the same database wait too: the same alert may reach two at once.
    let _turn = {
        let store = publisher.store().clone();
        blocking(move || store.turn(TurnFor::Intake)).await?
    };
    let store = publisher.store().clone();
    let (src, key) = (source.to_owned(), alert.key.clone());
    let (link, rules, templates, components) = blocking(move || {
        Ok::<_, StoreError>((
            store.alert_link(&src, &key)?,
            store.intake_rules()?,
            store.templates()?,
            store.components()?,
        ))
    })
    .await?;
    let rule = rule_for(&rules, source, alert);
    let template = rule
        .and_then(|r| r.template.as_deref())
        .and_then(|name| templates.iter().find(|t| t.name == name));
    let now = Utc::now();
    let mut next = link.clone().unwrap_or(AlertLink {
        source: source.to_owned(),
        key: alert.key.clone(),
        draft_id: None,
        notice_id: None,
        firing: alert.firing,
        routed: rule.is_some(),
        summary: fit(&alert.summary, MAX_TITLE_CHARS, false),
        updated_at: now,
    });
    next.firing = alert.firing;
    next.updated_at = now;
    let action = match (alert.firing, &link) {
        (true, Some(l)) if l.firing && l.draft_id.is_some() => {
            let body = draft_of(alert, rule, template, &components);
            publisher
                .save_draft(l.draft_id.as_deref(), body, actor)
                .await?;
            Action::Updated
        }
        (true, Some(l)) if l.firing && l.notice_id.is_some() => Action::PublishedAlready,
        (true, _) => {
            let body = draft_of(alert, rule, template, &components);
            let draft = publisher.save_draft(None, body, actor.clone()).await?;
            next.draft_id = Some(draft.id.clone());
            let publish = rule.is_some_and(|r| r.publish);
            if !publish && let Err(e) = publisher.announce_draft(&draft).await {
                tracing::error!(draft = %draft.id, "support's channels not told of the draft: {e}");
            }
            next.notice_id = None;
            next.routed = rule.is_some();
            if publish {
                let detail = json!({"rule": "publish"});
                match publisher
                    .publish_draft_noted(&draft.id, actor, Some(detail))
                    .await
                {
                    Ok(n) => {
                        next.draft_id = None;
                        next.notice_id = Some(n.id);
                    }
                    // Not publishable as it stands: it stays a draft for a person.
                    Err(PublishError::Rejected(r)) => {
                        tracing::warn!(draft = %draft.id, "an alert's rule says publish, but: {r}")
                    }
                    Err(e) => return Err(e),
                }
            }
            Action::Created
        }
        (false, Some(l)) if l.draft_id.is_some() => {
            let id = l.draft_id.clone().unwrap_or_default();
            match publisher.delete_draft(&id, actor).await {
                Ok(()) | Err(PublishError::NoDraft(_)) => {}
                Err(e) => return Err(e),
            }
            next.draft_id = None;
            Action::Discarded
        }
        (false, Some(l)) if l.notice_id.is_some() => Action::ResolveProposed,
        (false, _) => Action::NothingToResolve,
    };
    let store = publisher.store().clone();
    let saved = next.clone();
    blocking(move || store.save_alert_link(&saved)).await?;
    tracing::info!(%source, key = %alert.key, action = action.as_str(), "alert taken in");
    Ok(Taken { action, link: next })
}
