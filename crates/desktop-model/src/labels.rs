//! The words and times the desktop app shows, from the message catalogue.

use chrono::{DateTime, Datelike, FixedOffset, Utc};
use svetofor_feed::{Kind, Severity, State};

use crate::i18n::{Arg, Catalog};

/// The word for a notice, by what it is: a severity alone would read "Red".
pub fn notice_word(cat: &Catalog, kind: Kind, severity: Severity, state: State) -> String {
    let key = match (kind, state) {
        (_, State::Resolved | State::Completed) => "word-resolved",
        (_, State::Withdrawn) => "word-withdrawn",
        (Kind::Maintenance, State::Scheduled) => "word-planned-maintenance",
        (Kind::Maintenance, _) => "word-maintenance",
        (Kind::Info, _) => "word-news",
        (Kind::Outage, _) => "word-outage",
        (Kind::Degraded, _) => match severity {
            Severity::Red => "word-outage",
            _ => "word-degraded",
        },
    };
    cat.t(key)
}

/// The word for an overall status.
pub fn status_word(cat: &Catalog, status: Option<Severity>) -> String {
    cat.t(match status {
        Some(Severity::Red) => "status-red",
        Some(Severity::Yellow) => "status-yellow",
        Some(Severity::Green) => "status-green",
        None => "status-unknown",
    })
}

/// A timeline state in words.
pub fn state_word(cat: &Catalog, state: State) -> String {
    cat.t(match state {
        State::Investigating => "state-investigating",
        State::Identified => "state-identified",
        State::Monitoring => "state-monitoring",
        State::Resolved => "state-resolved",
        State::Scheduled => "state-scheduled",
        State::InProgress => "state-in-progress",
        State::Completed => "state-completed",
        State::Withdrawn => "state-withdrawn",
    })
}

/// A moment as the user reads it: "14:25" today, "21 Nov 14:25" on another day.
pub fn moment(cat: &Catalog, t: DateTime<Utc>, now: DateTime<Utc>, tz: FixedOffset) -> String {
    let local = t.with_timezone(&tz);
    let time = local.format("%H:%M").to_string();
    if local.date_naive() == now.with_timezone(&tz).date_naive() {
        cat.tr("time-today", &[("time", Arg::from(&time))])
    } else {
        let day = local.day().to_string();
        let month = cat.t(&format!("month-{}", local.month()));
        cat.tr(
            "time-other-day",
            &[
                ("day", Arg::from(&day)),
                ("month", Arg::from(&month)),
                ("time", Arg::from(&time)),
            ],
        )
    }
}

/// How long ago, in words: "just now", "5 min ago", "2 h ago", "3 days ago".
pub fn age(cat: &Catalog, t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - t).num_seconds().max(0);
    match secs {
        0..60 => cat.t("age-just-now"),
        60..3600 => cat.tr("age-minutes", &[("n", Arg::Num(secs / 60))]),
        3600..172_800 => cat.tr("age-hours", &[("n", Arg::Num(secs / 3600))]),
        _ => cat.tr("age-days", &[("n", Arg::Num(secs / 86_400))]),
    }
}

fn timed(
    cat: &Catalog,
    key: &str,
    t: DateTime<Utc>,
    now: DateTime<Utc>,
    tz: FixedOffset,
) -> String {
    let m = moment(cat, t, now, tz);
    cat.tr(key, &[("time", Arg::from(&m))])
}

/// "since 14:25".
pub fn since(cat: &Catalog, t: DateTime<Utc>, now: DateTime<Utc>, tz: FixedOffset) -> String {
    timed(cat, "since", t, now, tz)
}

/// "until 16:00" (the planned end of maintenance).
pub fn until(cat: &Catalog, t: DateTime<Utc>, now: DateTime<Utc>, tz: FixedOffset) -> String {
    timed(cat, "until", t, now, tz)
}

/// "at 14:25" (when something ended).
pub fn at(cat: &Catalog, t: DateTime<Utc>, now: DateTime<Utc>, tz: FixedOffset) -> String {
    timed(cat, "at", t, now, tz)
}

/// "next update by 15:00", or "update overdue (promised by 15:00)" once passed.
pub fn next_update(
    cat: &Catalog,
    t: DateTime<Utc>,
    overdue: bool,
    now: DateTime<Utc>,
    tz: FixedOffset,
) -> String {
    let key = if overdue {
        "update-overdue"
    } else {
        "next-update"
    };
    timed(cat, key, t, now, tz)
}

/// "+2 more".
pub fn more(cat: &Catalog, n: usize) -> String {
    cat.tr("more", &[("n", Arg::Num(n as i64))])
}
