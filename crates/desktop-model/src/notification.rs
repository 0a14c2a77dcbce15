//! OS notifications as plain data: text, urgency and escaping for an [`Alert`].
//!
//! Notice text is untrusted. Servers that announce `body-markup` read the body as markup, so
//! it is escaped for them; the summary is plain text by the spec and is sent as it is, only
//! made one line and cut to length.

use chrono::{DateTime, FixedOffset, Utc};
use svetofor_feed::{Kind, Severity, State};

use crate::i18n::{Arg, Catalog};
use crate::labels;
use crate::tray::one_line;
use svetofor_client::alerts::{Alert, Reason};

/// How insistent a notification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    /// Green: news, recoveries.
    Low,
    /// Yellow.
    Normal,
    /// Red: stays until acted on, on servers that honour it.
    Critical,
}

/// One notification, ready for the OS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsNotification {
    /// The notice it is about: one notification per notice, replaced on update.
    pub notice_id: String,
    /// Summary line.
    pub summary: String,
    pub body: String,
    pub urgency: Urgency,
}

/// What a notification server does with markup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkupRules {
    /// The body is read as markup.
    pub body: bool,
}

impl MarkupRules {
    /// Rules for a freedesktop notification server: the body is markup when the server
    /// announces `body-markup`; the summary is always plain text (spec; GNOME, KDE, dunst and
    /// mako all show it literally, so escaping it would print `&lt;`).
    pub fn freedesktop(capabilities: &[String]) -> Self {
        MarkupRules {
            body: capabilities.iter().any(|c| c == "body-markup"),
        }
    }

    /// Nothing is markup (Windows and macOS notification centres).
    pub const NONE: MarkupRules = MarkupRules { body: false };
}

/// Escapes text for the markup subset notification servers read (`&`, `<`, `>`, quotes).
pub fn escape_markup(text: &str) -> String {
    svetofor_feed::escape_html(text)
}

/// Longest summary; servers cut or wrap beyond this anyway.
pub const SUMMARY_CHARS: usize = 100;
/// Longest body.
pub const BODY_CHARS: usize = 300;

/// The urgency for a severity.
pub fn urgency(severity: Severity) -> Urgency {
    match severity {
        Severity::Red => Urgency::Critical,
        Severity::Yellow => Urgency::Normal,
        Severity::Green => Urgency::Low,
    }
}

/// The notification for an alert, with times as the user reads them at `now` in `tz`.
///
/// A maintenance announced for later says when in its body and is never critical (nothing is
/// wrong yet); when it starts, the body says until when rather than repeating an announcement
/// written in the future tense.
pub fn for_alert(
    cat: &Catalog,
    alert: &Alert,
    rules: MarkupRules,
    now: DateTime<Utc>,
    tz: FixedOffset,
) -> OsNotification {
    let upcoming = alert.kind == Kind::Maintenance
        && alert.reason == Reason::New
        && alert.window.as_ref().is_some_and(|w| w.starts_at > now);
    let word = match alert.reason {
        Reason::Resolved => labels::notice_word(cat, alert.kind, alert.severity, State::Resolved),
        Reason::Withdrawn => cat.t("notify-withdrawn"),
        Reason::MaintenanceStarted => cat.t("notify-maintenance-started"),
        Reason::Extended => cat.t("notify-maintenance-extended"),
        Reason::Escalated => cat.t(match alert.severity {
            Severity::Red => "notify-now-outage",
            _ => "notify-worse",
        }),
        Reason::Updated => cat.t("notify-outage-update"),
        Reason::New => labels::notice_word(
            cat,
            alert.kind,
            alert.severity,
            match (alert.kind, upcoming) {
                (Kind::Maintenance, true) => State::Scheduled,
                (Kind::Maintenance, false) => State::InProgress,
                (Kind::Info, _) => State::Published,
                _ => State::Investigating,
            },
        ),
    };
    let title = one_line(&alert.title, SUMMARY_CHARS);
    let summary = cat.tr(
        "notify-summary",
        &[("word", Arg::from(&word)), ("title", Arg::from(&title))],
    );
    let when = match (&alert.window, alert.reason) {
        (Some(w), Reason::New) if upcoming => {
            let window = labels::window(cat, w.starts_at, w.ends_at, now, tz);
            Some(cat.tr("notify-planned-when", &[("window", Arg::from(&window))]))
        }
        (Some(w), Reason::MaintenanceStarted | Reason::Extended) => Some(match w.ends_at {
            Some(end) => {
                let time = labels::moment(cat, end, now, tz);
                cat.tr("notify-maintenance-until", &[("time", Arg::from(&time))])
            }
            None => cat.t("notify-maintenance-open"),
        }),
        _ => None,
    };
    let body = match (when, alert.reason) {
        (_, Reason::Withdrawn) => {
            let mistake = cat.t("notify-withdrawn-why");
            match alert.body.is_empty() {
                true => mistake,
                false => format!("{mistake} {}", alert.body),
            }
        }
        (Some(when), Reason::MaintenanceStarted) => when,
        (Some(when), _) if alert.body.is_empty() => when,
        (Some(when), _) => format!("{when}. {}", alert.body),
        (None, _) => alert.body.clone(),
    };
    let body = one_line(&body, BODY_CHARS);
    let urgency = match upcoming {
        true => Urgency::Normal.min(urgency(alert.severity)),
        false => urgency(alert.severity),
    };
    OsNotification {
        notice_id: alert.notice_id.clone(),
        summary,
        body: if rules.body {
            escape_markup(&body)
        } else {
            body
        },
        urgency,
    }
}

/// Which OS notification shows which notice, kept on disk so that after a restart an update
/// replaces, and the end closes or replaces, what is still on screen.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShownIds {
    /// Notice id and the OS's notification id, oldest first.
    shown: Vec<(String, u32)>,
}

impl ShownIds {
    /// Most notices remembered; older ones are long off screen.
    pub const KEEP: usize = 64;

    /// Reads the stored ids; anything unreadable is an empty memory (a new notification
    /// then stacks rather than replaces, which loses nothing).
    pub fn from_json(text: &str) -> ShownIds {
        let mut ids: ShownIds = serde_json::from_str(text).unwrap_or_default();
        ids.trim();
        ids
    }

    /// The form stored on disk.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The OS id of the notification about `notice`, if one was shown.
    pub fn get(&self, notice: &str) -> Option<u32> {
        self.shown
            .iter()
            .find(|(n, _)| n == notice)
            .map(|(_, id)| *id)
    }

    /// The notice an OS notification id is about.
    pub fn notice_of(&self, id: u32) -> Option<&str> {
        self.shown
            .iter()
            .find(|(_, i)| *i == id)
            .map(|(n, _)| n.as_str())
    }

    /// Notes that `notice` shows as notification `id` (newest last).
    pub fn shown(&mut self, notice: &str, id: u32) {
        self.shown.retain(|(n, i)| n != notice && *i != id);
        self.shown.push((notice.to_owned(), id));
        self.trim();
    }

    fn trim(&mut self) {
        let extra = self.shown.len().saturating_sub(Self::KEEP);
        self.shown.drain(..extra);
    }
}
