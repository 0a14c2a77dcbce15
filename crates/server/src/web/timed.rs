//! A message with a time in it ("since { $time }"), split around the time so a template can
//! draw the time as a `<time>` element that the pages' script shows in the reader's zone.

use chrono::{DateTime, SecondsFormat, Utc};

use super::words::Words;

/// A message split around its time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timed {
    /// The words before the time.
    pub before: String,
    /// The time, if the message has one: exact (for `datetime`) and as shown without script.
    pub time: Option<Moment>,
    /// The words after it.
    pub after: String,
}

/// A moment as a page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    /// RFC 3339, to the second, for `datetime`.
    pub iso: String,
    /// `2026-12-04 12:30 UTC`, what a reader without script sees.
    pub utc: String,
}

impl Moment {
    /// `t` as a page shows it.
    pub fn of(t: DateTime<Utc>) -> Moment {
        Moment {
            iso: t.to_rfc3339_opts(SecondsFormat::Secs, true),
            utc: t.format("%Y-%m-%d %H:%M UTC").to_string(),
        }
    }
}

impl Timed {
    /// The message `key` of `w` with `t` for its `{ $time }`.
    pub fn new(w: &Words, key: &str, t: DateTime<Utc>) -> Timed {
        const MARK: char = '\u{1}';
        let text = w.tr_str(key, &[("time", "\u{1}")]);
        match text.split_once(MARK) {
            Some((before, after)) => Timed {
                before: before.to_owned(),
                time: Some(Moment::of(t)),
                after: after.to_owned(),
            },
            None => Timed {
                before: text,
                time: None,
                after: String::new(),
            },
        }
    }
}
