//! Svetofor feed v1: the JSON document the publisher signs and clients read.
//!
//! The overall status is not stored: it is derived from the notices in effect (see
//! [`Snapshot::status`]). The format is described in `docs/feed-format.md`.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{Component, Kind, Notice, State, Text};
use crate::snapshot::{Format, PhaseRule, Snapshot};
use crate::text_rules::is_web_url;

/// The value of the `format` field of a v1 feed.
pub const FORMAT_TAG: &str = "svetofor/1";

/// Longest a document may stay valid after it was generated, in days.
pub const MAX_LIFETIME_DAYS: i64 = 31;

/// Highest `seq` a document may carry: 2^53 − 1, exact in every JSON reader. Publishers
/// count from the milliseconds since 1970 (about 1.8 × 10^12 today), far below it.
pub const MAX_SEQ: u64 = (1 << 53) - 1;

/// A Svetofor v1 feed document. Unknown fields are ignored, so later minor versions can add
/// optional fields without breaking older clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "Svetofor feed v1")]
pub struct Feed {
    /// Always `svetofor/1`.
    #[schemars(extend("const" = "svetofor/1"))]
    pub format: String,
    /// Stable identifier of the feed (for example the product's name in lower case).
    pub id: String,
    /// Name shown to people.
    pub name: String,
    /// The language of texts given as plain strings (a tag such as `ru` or `en`).
    pub default_language: String,
    /// Grows with every change; a client rejects a lower one than it has seen (replay).
    pub seq: u64,
    /// When this document was produced.
    pub generated_at: DateTime<Utc>,
    /// After this the document is stale: clients stop showing it as current.
    pub expires_at: DateTime<Utc>,
    /// The parts of the product that notices can name.
    #[serde(default)]
    pub components: Vec<Component>,
    /// Current, upcoming and recent notices.
    #[serde(default)]
    pub notices: Vec<Notice>,
}

/// A v1 document that parsed but breaks a rule of the format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct Invalid {
    /// Where, as a JSON path (`notices[2].state`).
    pub path: String,
    /// What is wrong, in plain words.
    pub message: String,
}

fn invalid(path: impl Into<String>, message: impl Into<String>) -> Invalid {
    Invalid {
        path: path.into(),
        message: message.into(),
    }
}

/// Longest identifier accepted for feeds, components and notices.
pub const MAX_ID_LEN: usize = 128;

fn check_id(path: &str, id: &str) -> Result<(), Invalid> {
    if id.trim().is_empty() {
        return Err(invalid(path, "must not be empty"));
    }
    if id.chars().count() > MAX_ID_LEN {
        return Err(invalid(
            path,
            format!("longer than {MAX_ID_LEN} characters"),
        ));
    }
    if id.chars().any(char::is_control) {
        return Err(invalid(path, "contains control characters"));
    }
    Ok(())
}

/// True for a language tag such as `ru`, `en` or `pt-BR`.
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_lowercase()));
    primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn check_text(path: &str, text: &Text, required: bool) -> Result<(), Invalid> {
    if required && text.is_empty() {
        return Err(invalid(path, "must not be empty"));
    }
    if let Text::Translated(map) = text {
        if map.is_empty() {
            return Err(invalid(path, "has no language in it"));
        }
        if let Some(tag) = map.keys().find(|k| !is_language_tag(k)) {
            return Err(invalid(
                path,
                format!("\"{tag}\" is not a language tag (expected e.g. \"ru\" or \"en\")"),
            ));
        }
    }
    Ok(())
}

fn state_mismatch(kind: Kind, state: State) -> String {
    let allowed = match kind {
        Kind::Maintenance => "scheduled, in_progress, completed or withdrawn",
        Kind::Info => "published, resolved or withdrawn",
        Kind::Outage | Kind::Degraded => {
            "investigating, identified, monitoring, resolved or withdrawn"
        }
    };
    format!("\"{state}\" is not a state for kind \"{kind}\" (use {allowed})")
}

impl Feed {
    /// Checks the rules the JSON types alone cannot express.
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.format != FORMAT_TAG {
            return Err(invalid(
                "format",
                format!("is \"{}\", expected \"{FORMAT_TAG}\"", self.format),
            ));
        }
        check_id("id", &self.id)?;
        if self.name.trim().is_empty() {
            return Err(invalid("name", "must not be empty"));
        }
        if !is_language_tag(&self.default_language) {
            return Err(invalid(
                "default_language",
                format!("\"{}\" is not a language tag", self.default_language),
            ));
        }
        if self.expires_at <= self.generated_at {
            return Err(invalid(
                "expires_at",
                format!(
                    "{} is not after generated_at {}",
                    self.expires_at.to_rfc3339(),
                    self.generated_at.to_rfc3339()
                ),
            ));
        }
        if self.expires_at - self.generated_at > chrono::TimeDelta::days(MAX_LIFETIME_DAYS) {
            return Err(invalid(
                "expires_at",
                format!(
                    "{} is more than {MAX_LIFETIME_DAYS} days after generated_at: a document \
                     valid that long would go on looking current after its publisher stopped",
                    self.expires_at.to_rfc3339()
                ),
            ));
        }
        if self.seq > MAX_SEQ {
            return Err(invalid(
                "seq",
                format!(
                    "{} is above {MAX_SEQ}: after it, every later document would look like a \
                     replay",
                    self.seq
                ),
            ));
        }
        let mut component_ids = HashSet::new();
        for (i, c) in self.components.iter().enumerate() {
            check_id(&format!("components[{i}].id"), &c.id)?;
            check_text(&format!("components[{i}].name"), &c.name, true)?;
            if !component_ids.insert(c.id.as_str()) {
                return Err(invalid(
                    format!("components[{i}].id"),
                    format!("\"{}\" appears twice", c.id),
                ));
            }
        }
        let mut notice_ids = HashSet::new();
        for (i, n) in self.notices.iter().enumerate() {
            let at = |field: &str| format!("notices[{i}].{field}");
            check_id(&at("id"), &n.id)?;
            if !notice_ids.insert(n.id.as_str()) {
                return Err(invalid(at("id"), format!("\"{}\" appears twice", n.id)));
            }
            if !n.state.fits(n.kind) {
                return Err(invalid(at("state"), state_mismatch(n.kind, n.state)));
            }
            check_text(&at("title"), &n.title, true)?;
            check_text(&at("body"), &n.body, false)?;
            for (j, c) in n.components.iter().enumerate() {
                if !component_ids.contains(c.as_str()) {
                    return Err(invalid(
                        format!("notices[{i}].components[{j}]"),
                        format!("no component with id \"{c}\" in this feed"),
                    ));
                }
            }
            if let Some(w) = &n.window
                && w.ends_at.is_some_and(|end| end < w.starts_at)
            {
                return Err(invalid(at("window.ends_at"), "is before starts_at"));
            }
            if let Some(url) = &n.url
                && !is_web_url(url)
            {
                return Err(invalid(at("url"), "only http and https links are allowed"));
            }
            if n.updated_at < n.created_at {
                return Err(invalid(at("updated_at"), "is before created_at"));
            }
            for (j, u) in n.updates.iter().enumerate() {
                if !u.state.fits(n.kind) {
                    return Err(invalid(
                        format!("notices[{i}].updates[{j}].state"),
                        state_mismatch(n.kind, u.state),
                    ));
                }
                check_text(&format!("notices[{i}].updates[{j}].text"), &u.text, false)?;
            }
        }
        Ok(())
    }

    /// A feed holding `notice` alone, as a desktop would read it (the console's preview of
    /// one notice): signed now, valid for an hour.
    pub fn of_notice(notice: &Notice) -> Feed {
        Feed {
            format: FORMAT_TAG.to_owned(),
            id: "preview".to_owned(),
            name: String::new(),
            default_language: "en".to_owned(),
            seq: 1,
            generated_at: notice.created_at,
            expires_at: notice.created_at + chrono::TimeDelta::hours(1),
            components: vec![],
            notices: vec![notice.clone()],
        }
    }

    /// The normalized snapshot of this feed.
    pub fn into_snapshot(self) -> Snapshot {
        Snapshot {
            format: Format::SvetoforV1,
            id: self.id,
            name: self.name,
            default_language: self.default_language,
            seq: Some(self.seq),
            generated_at: Some(self.generated_at),
            expires_at: Some(self.expires_at),
            declared_status: None,
            phase_rule: PhaseRule::ByClock,
            components: self.components,
            notices: self.notices,
        }
    }

    /// The document as the bytes to publish and sign (pretty JSON, trailing newline).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self)
            .expect("a feed always serializes: every map key is a string");
        out.push(b'\n');
        out
    }
}
