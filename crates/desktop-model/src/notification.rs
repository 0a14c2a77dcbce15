//! OS notifications as plain data: text, urgency and escaping for an [`Alert`].
//!
//! Notice text is untrusted. Servers that announce `body-markup` read the body as markup, so
//! it is escaped for them; the summary is plain text by the spec and is sent as it is, only
//! made one line and cut to length.

use svetofor_feed::Severity;

use crate::i18n::{Arg, Catalog};
use crate::labels;
use crate::tray::one_line;
use svetofor_client::alerts::{Alert, Reason};

/// How insistent a notification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
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

/// The notification for an alert.
pub fn for_alert(cat: &Catalog, alert: &Alert, rules: MarkupRules) -> OsNotification {
    let word = match alert.reason {
        Reason::Resolved => cat.t("word-resolved"),
        Reason::Withdrawn => cat.t("word-withdrawn"),
        Reason::MaintenanceStarted => cat.t("notify-maintenance-started"),
        Reason::Escalated => cat.t(match alert.severity {
            Severity::Red => "notify-now-outage",
            _ => "notify-worse",
        }),
        Reason::Updated => cat.t("notify-outage-update"),
        Reason::New => labels::notice_word(
            cat,
            alert.kind,
            alert.severity,
            svetofor_feed::State::Investigating,
        ),
    };
    let title = one_line(&alert.title, SUMMARY_CHARS);
    let summary = cat.tr(
        "notify-summary",
        &[("word", Arg::from(&word)), ("title", Arg::from(&title))],
    );
    let body = one_line(&alert.body, BODY_CHARS);
    OsNotification {
        notice_id: alert.notice_id.clone(),
        summary,
        body: if rules.body {
            escape_markup(&body)
        } else {
            body
        },
        urgency: urgency(alert.severity),
    }
}
