//! Times and durations on the command line.

use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};

/// A duration such as `30m`, `2h`, `1h30m`, `90s`.
pub fn duration(s: &str) -> Result<std::time::Duration, String> {
    humantime::parse_duration(s.trim())
        .map_err(|e| format!("\"{s}\": {e} (examples: 30m, 2h, 1h30m)"))
}

/// A moment: RFC 3339 (`2026-11-23T22:00:00Z`), local `2026-11-23 22:00`, or a duration from
/// now (`2h`, `+30m`).
pub fn moment(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let t = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, fmt) {
            return Local
                .from_local_datetime(&naive)
                .earliest()
                .map(|d| d.with_timezone(&Utc))
                .ok_or_else(|| format!("\"{s}\" does not exist in the local time zone"));
        }
    }
    if let Ok(d) = humantime::parse_duration(t.trim_start_matches('+')) {
        return chrono::TimeDelta::from_std(d)
            .map(|d| now + d)
            .map_err(|_| format!("\"{s}\" is too far away"));
    }
    Err(format!(
        "\"{s}\" is not a time: use 2026-11-23T22:00:00Z, \"2026-11-23 22:00\" (local) or a delay such as 2h"
    ))
}
