//! Drafts and templates: notices that are not in the feed yet, and the wordings support
//! starts from.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use svetofor_feed::{Kind, Severity, Text};

use crate::NewNotice;

/// What `POST /api/v1/drafts` and `PUT /api/v1/drafts/{id}` take.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    /// The notice as it will be published; checked as a new notice is when saved.
    pub notice: NewNotice,
    /// When the clock publishes it; absent: it waits for `publish`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_at: Option<DateTime<Utc>>,
}

/// A stored draft.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Draft {
    /// `d-` and 128 random bits; the notice gets a notice id of its own when published.
    pub id: String,
    /// The notice it will publish.
    pub notice: NewNotice,
    /// When the clock publishes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_at: Option<DateTime<Utc>>,
    /// Who saved it first (`user:anna`, `token:ops (id)`).
    pub created_by: String,
    /// When it was first saved.
    pub created_at: DateTime<Utc>,
    /// When it was last saved.
    pub updated_at: DateTime<Utc>,
    /// Why the clock could not publish it when it was due, if it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// `GET /api/v1/drafts`: every draft, scheduled first by time, then newest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DraftList {
    /// The drafts.
    pub drafts: Vec<Draft>,
}

/// A ru/en wording support starts a notice from (`PUT /api/v1/templates/{name}`). Its texts
/// may hold `{component}` and `{time}`, substituted when it is used; nothing else is
/// evaluated.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Lower-case letters, digits and `-`, at most 64 characters.
    pub name: String,
    /// Severity the notice starts with.
    pub severity: Severity,
    /// Kind the notice starts with.
    pub kind: Kind,
    /// The headline in each language (at most 200 characters each).
    pub title: Text,
    /// The explanation in each language (at most 4000 characters each).
    #[serde(default)]
    pub body: Text,
    /// Component ids the notice starts with.
    #[serde(default)]
    pub components: Vec<String>,
    /// Minutes from publishing to the promised next update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_update_minutes: Option<u32>,
}

/// `GET /api/v1/templates`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TemplateList {
    /// By name.
    pub templates: Vec<Template>,
}

/// How an alert from monitoring becomes a draft (`PUT /api/v1/intake/rules`, admin). The
/// first rule whose `source` (when given) and every label match is used.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct IntakeRule {
    /// `alertmanager`, `grafana`, `zabbix`, `uptime-kuma` or `generic`; absent: any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Labels the alert must carry, with these values (`{"service": "payments"}`).
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, String>,
    /// The component the draft names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// A template for the draft's wording (`{component}` and `{time}` filled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Publish at once, without a person: off unless an admin says so here.
    #[serde(default)]
    pub publish: bool,
}

/// `GET`/`PUT /api/v1/intake/rules`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeRules {
    /// In order: the first that matches is used.
    pub rules: Vec<IntakeRule>,
}

/// The values a template's placeholders take.
#[derive(Debug, Clone, Copy, Default)]
pub struct Placeholders<'a> {
    /// `{component}`: the component's name in the text's language.
    pub component: Option<&'a str>,
    /// `{time}`: a time as the person wrote it.
    pub time: Option<&'a str>,
}

impl Placeholders<'_> {
    /// `text` with `{component}` and `{time}` replaced where a value is given; everything
    /// else, other braces included, stays as written.
    pub fn fill(&self, text: &str) -> String {
        // One pass, so a value that holds a placeholder's name is not filled again.
        let names = [("{component}", self.component), ("{time}", self.time)];
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            let hit = names.iter().find_map(|(name, value)| {
                let v = value.map(str::trim).filter(|v| !v.is_empty())?;
                rest.starts_with(name).then_some((name.len(), v))
            });
            match hit {
                Some((len, v)) => {
                    out.push_str(v);
                    rest = &rest[len..];
                }
                None => {
                    out.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_fill_only_their_names_and_once() {
        let p = Placeholders {
            component: Some("Платежи {time}"),
            time: Some("12:30"),
        };
        // A value that itself looks like a placeholder is not filled again.
        assert_eq!(
            p.fill("{component} недоступны с {time}, {other} {{time}}"),
            "Платежи {time} недоступны с 12:30, {other} {12:30}"
        );
        assert_eq!(Placeholders::default().fill("{time}"), "{time}");
    }
}
