//! The words and times the desktop app shows, from the message catalogue.

use chrono::{DateTime, Datelike, FixedOffset, Utc};
use svetofor_feed::{Kind, Severity, State};

use crate::i18n::{Arg, Catalog};

/// The word for a notice, by what it is: a severity alone would read "Red".
pub fn notice_word(cat: &Catalog, kind: Kind, severity: Severity, state: State) -> String {
    let key = match (kind, state) {
        // A maintenance that ends was not a fault, and news is taken down, not fixed.
        (Kind::Maintenance, State::Resolved | State::Completed) => "word-maintenance-completed",
        (Kind::Info, State::Resolved | State::Completed) => "word-news-removed",
        (_, State::Resolved | State::Completed) => "word-resolved",
        (Kind::Maintenance, State::Withdrawn) => "word-cancelled",
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

/// A timeline state in words, for a notice of `kind`: news has nothing to investigate, and a
/// maintenance called off is cancelled, not retracted.
pub fn state_word(cat: &Catalog, kind: Kind, state: State) -> String {
    cat.t(match (kind, state) {
        (Kind::Info, State::Investigating | State::Identified | State::Monitoring) => {
            "state-published"
        }
        (Kind::Maintenance, State::Withdrawn) => "state-cancelled",
        (_, state) => state_key(state),
    })
}

fn state_key(state: State) -> &'static str {
    match state {
        State::Investigating => "state-investigating",
        State::Identified => "state-identified",
        State::Monitoring => "state-monitoring",
        State::Resolved => "state-resolved",
        State::Scheduled => "state-scheduled",
        State::InProgress => "state-in-progress",
        State::Completed => "state-completed",
        State::Withdrawn => "state-withdrawn",
        State::Published => "state-published",
    }
}

/// A moment as the user reads it: "14:25" today, "21 Nov 14:25" on another day.
pub fn moment(cat: &Catalog, t: DateTime<Utc>, now: DateTime<Utc>, tz: FixedOffset) -> String {
    let local = t.with_timezone(&tz);
    let time = local.format("%H:%M").to_string();
    if today(t, now, tz) == "yes" {
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

/// `today` for a message that words a moment: "yes" when it is today (Russian says «в 11:15»
/// but «1 дек. в 11:15», so the message needs to know).
pub fn today(t: DateTime<Utc>, now: DateTime<Utc>, tz: FixedOffset) -> &'static str {
    if t.with_timezone(&tz).date_naive() == now.with_timezone(&tz).date_naive() {
        "yes"
    } else {
        "no"
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
    cat.tr(
        key,
        &[
            ("time", Arg::from(&m)),
            ("today", Arg::from(today(t, now, tz))),
        ],
    )
}

/// A length of time in words: "25 min", "2 h 5 min", "3 days".
pub fn duration(cat: &Catalog, d: chrono::TimeDelta) -> String {
    let mins = d.num_minutes().max(1);
    match mins {
        0..60 => cat.tr("duration-minutes", &[("n", Arg::Num(mins))]),
        60..2880 => cat.tr(
            "duration-hours",
            &[("h", Arg::Num(mins / 60)), ("m", Arg::Num(mins % 60))],
        ),
        _ => cat.tr("duration-days", &[("n", Arg::Num(mins / 1440))]),
    }
}

/// The two ends of a stretch of time as words: the end only as a clock time when it falls on
/// the start's day ("1 Dec 11:15" – "11:40").
fn ends(
    cat: &Catalog,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
    tz: FixedOffset,
) -> (String, String) {
    let same_day = from.with_timezone(&tz).date_naive() == to.with_timezone(&tz).date_naive();
    let end = if same_day {
        to.with_timezone(&tz).format("%H:%M").to_string()
    } else {
        moment(cat, to, now, tz)
    };
    (moment(cat, from, now, tz), end)
}

/// "11:15–11:40 (25 min)": when something began and ended, and for how long.
pub fn span(
    cat: &Catalog,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
    tz: FixedOffset,
) -> String {
    let (start, end) = ends(cat, from, to, now, tz);
    let length = duration(cat, to - from);
    cat.tr(
        "span",
        &[
            ("from", Arg::from(&start)),
            ("to", Arg::from(&end)),
            ("duration", Arg::from(&length)),
        ],
    )
}

/// A maintenance window: "1 Dec 11:28–11:58", or "from 1 Dec 11:28" without a planned end.
pub fn window(
    cat: &Catalog,
    from: DateTime<Utc>,
    to: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    tz: FixedOffset,
) -> String {
    match to {
        Some(to) => {
            let (start, end) = ends(cat, from, to, now, tz);
            cat.tr(
                "window",
                &[("from", Arg::from(&start)), ("to", Arg::from(&end))],
            )
        }
        None => {
            let start = moment(cat, from, now, tz);
            cat.tr("window-open", &[("from", Arg::from(&start))])
        }
    }
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

/// "2 more still in effect" (on a recovery banner while other problems go on).
pub fn still_in_effect(cat: &Catalog, n: usize) -> String {
    cat.tr("still-in-effect", &[("n", Arg::Num(n as i64))])
}
