//! Times as support people type them, in Russian or English: a delay (`2ч`, `30 мин`,
//! `1h30m`, `через 2 часа`), a time today (`15:00`), a day and a time (`завтра 9:00`,
//! `04.12.2026 15:00`, `2026-12-04 15:00`, a `datetime-local` value `2026-12-04T15:00`),
//! each read in the writer's zone, or in UTC with ` UTC` after it.
//!
//! Pure and total: any text gives a time, nothing, or a [`WhenError`] that says what to
//! write instead; no input panics (a proptest and a fuzz target hold it to that).

use chrono::{
    DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc,
};

/// The longest delay that may be typed (a date may be any).
pub const REACH: TimeDelta = TimeDelta::days(366);

/// Longer texts are not times; they are refused before any reading.
const MAX_LEN: usize = 64;

/// Why a typed time could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WhenError {
    /// Not a shape of time this reader knows.
    #[error("not a time: write 2h, 30 min, 15:00, tomorrow 9:00 or 04.12.2026 15:00")]
    Unreadable,
    /// A day with no time of day (`завтра`, `04.12.2026`).
    #[error("a day needs a time of day, as in tomorrow 9:00")]
    NoClock,
    /// A date or time that does not exist (`31.02.2026`, `25:00`).
    #[error("no such date or time")]
    NoSuchTime,
    /// A delay of more than [`REACH`].
    #[error("a delay of more than a year")]
    TooFar,
}

/// What `raw` means, read against `base` (delays count from it, "today" is its day) in the
/// zone `zone`. Empty text is no time.
pub fn read(
    raw: &str,
    base: DateTime<Utc>,
    zone: FixedOffset,
) -> Result<Option<DateTime<Utc>>, WhenError> {
    read_toward(raw, base, zone, 1)
}

/// As [`read`], for a filter on what has happened: a delay counts back from `now` (`2ч` in
/// "since" is two hours ago).
pub fn read_back(
    raw: &str,
    now: DateTime<Utc>,
    zone: FixedOffset,
) -> Result<Option<DateTime<Utc>>, WhenError> {
    read_toward(raw, now, zone, -1)
}

fn read_toward(
    raw: &str,
    base: DateTime<Utc>,
    zone: FixedOffset,
    direction: i32,
) -> Result<Option<DateTime<Utc>>, WhenError> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.len() > MAX_LEN {
        return Err(WhenError::Unreadable);
    }
    let lower = text.to_lowercase();
    let (words, zone) = match lower.strip_suffix("utc") {
        Some(rest) => (rest.trim_end(), FixedOffset::east_opt(0).unwrap_or(zone)),
        None => (lower.as_str(), zone),
    };
    let words = words.replace(',', " ");
    let words: Vec<&str> = words.split_whitespace().collect();
    match delay(&words) {
        Some(d) => base
            .checked_add_signed(d? * direction)
            .map(Some)
            .ok_or(WhenError::TooFar),
        None => at(&words, base, zone).map(Some),
    }
}

/// A delay, if the words are one: numbers each followed by a unit, with or without a space,
/// after an optional `через`, `in` or `+`.
fn delay(words: &[&str]) -> Option<Result<TimeDelta, WhenError>> {
    let words = match words.split_first() {
        Some((&("через" | "in"), rest)) => rest,
        _ => words,
    };
    let joined: String = words.concat();
    let mut rest = joined.strip_prefix('+').unwrap_or(&joined);
    if rest.is_empty() || !rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let mut total = TimeDelta::zero();
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let (number, after) = rest.split_at(digits);
        let unit_len = after
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let minutes_per = unit_minutes(unit)?;
        // Anything of more than six digits is beyond reach in every unit.
        let n = match number.parse::<i64>() {
            Ok(n) if number.len() <= 6 => n,
            _ => return Some(Err(WhenError::TooFar)),
        };
        total += TimeDelta::minutes(n * minutes_per);
        if total > REACH {
            return Some(Err(WhenError::TooFar));
        }
        rest = after;
    }
    Some(Ok(total))
}

/// Minutes in one of `unit` (`ч`, `часа`, `min`, `d` …), or `None` for a word that is not one.
fn unit_minutes(unit: &str) -> Option<i64> {
    let unit = unit.trim_end_matches('.');
    match unit {
        "m" | "min" | "mins" | "minute" | "minutes" | "м" | "мин" | "минута" | "минуты"
        | "минут" | "минуту" => Some(1),
        "h" | "hr" | "hrs" | "hour" | "hours" | "ч" | "час" | "часа" | "часов" => {
            Some(60)
        }
        "d" | "day" | "days" | "д" | "дн" | "день" | "дня" | "дней" => Some(24 * 60),
        _ => None,
    }
}

/// A time of day, alone or after a day: a word (`завтра`), a date (`04.12.2026`, `04.12`,
/// `2026-12-04`), or both joined by `T` as a `datetime-local` field sends it.
fn at(words: &[&str], base: DateTime<Utc>, zone: FixedOffset) -> Result<DateTime<Utc>, WhenError> {
    let today = base.with_timezone(&zone).date_naive();
    let mut words: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !matches!(*w, "в" | "at" | "во"))
        .collect();
    // `2026-12-04t15:00`, as a datetime-local field sends it (lower-cased above).
    if let [one] = words[..]
        && let Some((day, clock)) = one.split_once('t')
        && day.contains('-')
    {
        words = vec![day, clock];
    }
    let (day, clock) = match words[..] {
        [one] if one.contains(':') => (today, clock_of(one)?),
        [one] => {
            // A day alone is a day without a time of day, if it is a day at all.
            day_of(one, today)?;
            return Err(WhenError::NoClock);
        }
        [day, clock] => (day_of(day, today)?, clock_of(clock)?),
        _ => return Err(WhenError::Unreadable),
    };
    zone.from_local_datetime(&day.and_time(clock))
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or(WhenError::NoSuchTime)
}

/// `15:00`, `9:05`, `15:00:30`.
fn clock_of(s: &str) -> Result<NaiveTime, WhenError> {
    let parts: Vec<&str> = s.split(':').collect();
    let number = |p: &str| -> Result<u32, WhenError> {
        if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(WhenError::Unreadable);
        }
        p.parse().map_err(|_| WhenError::Unreadable)
    };
    let (h, m, s) = match parts[..] {
        [h, m] if m.len() == 2 => (number(h)?, number(m)?, 0),
        [h, m, s] if m.len() == 2 && s.len() == 2 => (number(h)?, number(m)?, number(s)?),
        _ => return Err(WhenError::Unreadable),
    };
    NaiveTime::from_hms_opt(h, m, s).ok_or(WhenError::NoSuchTime)
}

/// `сегодня`/`today`, `завтра`/`tomorrow`, `послезавтра`, `04.12.2026`, `04.12` (this
/// year), `2026-12-04`.
fn day_of(s: &str, today: NaiveDate) -> Result<NaiveDate, WhenError> {
    let later = |n| {
        today
            .checked_add_days(Days::new(n))
            .ok_or(WhenError::TooFar)
    };
    match s {
        "сегодня" | "today" => return Ok(today),
        "завтра" | "tomorrow" => return later(1),
        "послезавтра" => return later(2),
        _ => {}
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return Err(WhenError::Unreadable);
    }
    let numbers = |sep| -> Result<Vec<u32>, WhenError> {
        s.split(sep)
            .map(|p: &str| {
                if p.is_empty() || p.len() > 4 {
                    return Err(WhenError::Unreadable);
                }
                p.parse::<u32>().map_err(|_| WhenError::Unreadable)
            })
            .collect()
    };
    let year = |y: u32| i32::try_from(y).map_err(|_| WhenError::Unreadable);
    let (y, m, d) = if s.contains('-') {
        match numbers('-')?[..] {
            [y, m, d] => (year(y)?, m, d),
            _ => return Err(WhenError::Unreadable),
        }
    } else {
        match numbers('.')?[..] {
            [d, m, y] => (year(y)?, m, d),
            [d, m] => (today.year(), m, d),
            _ => return Err(WhenError::Unreadable),
        }
    };
    NaiveDate::from_ymd_opt(y, m, d).ok_or(WhenError::NoSuchTime)
}

#[cfg(test)]
mod tests;
