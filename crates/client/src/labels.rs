//! The words and times the desktop app shows, kept in one place.
//!
//! English only for now; the message catalogues (Russian and English) replace the literals
//! here, so no other module of the app spells out user-facing text.

use chrono::{DateTime, FixedOffset, Utc};
use svetofor_feed::{Kind, Severity, State};

/// The word for a notice, by what it is: a severity alone would read "Red".
pub fn notice_word(kind: Kind, severity: Severity, state: State) -> &'static str {
    match (kind, state) {
        (_, State::Resolved | State::Completed) => "Resolved",
        (_, State::Withdrawn) => "Withdrawn",
        (Kind::Maintenance, State::Scheduled) => "Planned maintenance",
        (Kind::Maintenance, _) => "Maintenance",
        (Kind::Info, _) => "News",
        (Kind::Outage, _) => "Outage",
        (Kind::Degraded, _) => match severity {
            Severity::Red => "Outage",
            _ => "Degraded",
        },
    }
}

/// The word for an overall status.
pub fn status_word(status: Option<Severity>) -> &'static str {
    match status {
        Some(Severity::Red) => "Outage",
        Some(Severity::Yellow) => "Problems",
        Some(Severity::Green) => "All systems working",
        None => "Status unknown",
    }
}

/// A moment as the user reads it: "14:25" today, "21 Nov 14:25" on another day.
pub fn moment(t: DateTime<Utc>, now: DateTime<Utc>, tz: FixedOffset) -> String {
    let local = t.with_timezone(&tz);
    if local.date_naive() == now.with_timezone(&tz).date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%-d %b %H:%M").to_string()
    }
}

/// How long ago, in words: "just now", "5 min ago", "2 h ago", "3 days ago".
pub fn age(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - t).num_seconds().max(0);
    match secs {
        0..60 => "just now".to_owned(),
        60..3600 => format!("{} min ago", secs / 60),
        3600..172_800 => format!("{} h ago", secs / 3600),
        _ => format!("{} days ago", secs / 86_400),
    }
}

/// "since 14:25".
pub fn since(t: DateTime<Utc>, now: DateTime<Utc>, tz: FixedOffset) -> String {
    format!("since {}", moment(t, now, tz))
}

/// "until 16:00" (the planned end of maintenance).
pub fn until(t: DateTime<Utc>, now: DateTime<Utc>, tz: FixedOffset) -> String {
    format!("until {}", moment(t, now, tz))
}

/// "at 14:25" (when something ended).
pub fn at(t: DateTime<Utc>, now: DateTime<Utc>, tz: FixedOffset) -> String {
    format!("at {}", moment(t, now, tz))
}

/// "next update by 15:00", or "update overdue (promised by 15:00)" once passed.
pub fn next_update(t: DateTime<Utc>, overdue: bool, now: DateTime<Utc>, tz: FixedOffset) -> String {
    if overdue {
        format!("update overdue (promised by {})", moment(t, now, tz))
    } else {
        format!("next update by {}", moment(t, now, tz))
    }
}

/// "+2 more".
pub fn more(n: usize) -> String {
    format!("+{n} more")
}

/// Menu and button labels.
pub mod menu {
    /// Opens the banner again.
    pub const SHOW_BANNER: &str = "Show banner";
    /// Closes the banner.
    pub const HIDE_BANNER: &str = "Hide banner";
    /// Opens the details window.
    pub const DETAILS: &str = "Details…";
    /// Opens the settings window.
    pub const SETTINGS: &str = "Settings…";
    /// Silences notifications for an hour.
    pub const PAUSE: &str = "Pause notifications for 1 hour";
    /// Quits the app.
    pub const QUIT: &str = "Quit Svetofor";
    /// Nothing in effect.
    pub const NOTHING_IN_EFFECT: &str = "No current problems";
}
