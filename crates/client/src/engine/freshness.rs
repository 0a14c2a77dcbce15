//! What the shown document means now: the view with its freshness (live, stale from the
//! cache, unconfirmed, expired), and when that next changes. Pure: the caller passes `now`.

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use svetofor_feed::Snapshot;

use crate::view::{self, Freshness, ViewState};

/// The document being shown.
#[derive(Debug, Clone)]
pub struct Current {
    pub snapshot: Snapshot,
    pub source: String,
    pub fetched_at: DateTime<Utc>,
    /// Last time a source confirmed it (a fetch, a 304, a keep-alive on its stream).
    pub confirmed_at: DateTime<Utc>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Loaded from disk and not yet confirmed in this run.
    pub from_cache: bool,
}

/// How long every source may fail before the view says so: a blip (a publisher restart, a
/// proxy reload) stays silent, a feed that is down shows within seconds, not polls.
pub const OFFLINE_AFTER: Duration = Duration::from_secs(10);

/// What the view rules need besides the document.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// Without a confirmation for this long, the view is stale.
    pub stale_after: Duration,
    pub components: &'a [String],
    pub language: &'a str,
}

fn delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or_default()
}

/// The view of `current` at `now`; `last_error` says why no source confirmed it, and
/// `down_since` since when every source has been failing.
pub fn view_at(
    current: Option<&Current>,
    last_error: Option<&str>,
    down_since: Option<DateTime<Utc>>,
    rules: Rules<'_>,
    now: DateTime<Utc>,
) -> ViewState {
    let Some(c) = current else {
        let mut v = ViewState::unknown();
        v.stale_reason = last_error.map(str::to_owned);
        return v;
    };
    let mut v = view::build(&c.snapshot, now, rules.components, rules.language);
    v.source = Some(c.source.clone());
    v.fetched_at = Some(c.fetched_at);
    v.cached = c.from_cache;
    let down = down_since.is_some_and(|d| now - d >= delta(OFFLINE_AFTER));
    let unconfirmed = down || now - c.confirmed_at > delta(rules.stale_after);
    if let Some(exp) = c.snapshot.expires_at.filter(|e| *e <= now) {
        v.freshness = Freshness::Stale;
        v.stale_since = Some(exp);
        v.stale_reason = Some(format!(
            "the feed expired at {}{}",
            exp.format("%Y-%m-%d %H:%M UTC"),
            last_error.map(|e| format!("; {e}")).unwrap_or_default()
        ));
    } else if c.from_cache || unconfirmed {
        v.freshness = Freshness::Stale;
        v.stale_since = Some(c.confirmed_at);
        v.stale_reason = Some(last_error.map(str::to_owned).unwrap_or_else(|| {
            if c.from_cache {
                "shown from the cache; no source has answered yet".to_owned()
            } else {
                "no source has confirmed it lately".to_owned()
            }
        }));
    }
    v
}

/// The next instant the view of `current` may change by itself (it turns stale, the sources
/// have been down long enough to say so, or the document expires), at most `within` from
/// `now_i`. `now` and `now_i` are the same moment on the wall and monotonic clocks.
pub fn next_change(
    current: Option<&Current>,
    stale_after: Duration,
    down_since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    now_i: Instant,
    within: Duration,
) -> Instant {
    let mut next = now_i + within;
    if let Some(c) = current {
        let stale_at = c.confirmed_at + delta(stale_after);
        let offline_at = down_since.map(|d| d + delta(OFFLINE_AFTER));
        for t in [Some(stale_at), offline_at, c.snapshot.expires_at]
            .into_iter()
            .flatten()
        {
            if let Ok(d) = (t - now).to_std() {
                // A hair after the moment, so the view computed then has already changed.
                next = next.min(now_i + d + Duration::from_millis(5));
            }
        }
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
    }

    fn current(expires_in: Option<i64>, from_cache: bool) -> Current {
        let mut snapshot = svetofor_feed::Feed {
            format: svetofor_feed::v1::FORMAT_TAG.into(),
            id: "f".into(),
            name: "S".into(),
            default_language: "en".into(),
            seq: 1,
            generated_at: t0(),
            expires_at: t0() + TimeDelta::hours(1),
            components: vec![],
            notices: vec![],
        }
        .into_snapshot();
        snapshot.expires_at = expires_in.map(|m| t0() + TimeDelta::minutes(m));
        Current {
            snapshot,
            source: "https://s.example/feed.json".into(),
            fetched_at: t0(),
            confirmed_at: t0(),
            etag: None,
            last_modified: None,
            from_cache,
        }
    }

    const RULES: Rules<'static> = Rules {
        stale_after: Duration::from_secs(180),
        components: &[],
        language: "en",
    };

    #[test]
    fn live_until_unconfirmed_past_the_window_then_stale_with_the_reason() {
        let c = current(None, false);
        let at = |s| t0() + TimeDelta::seconds(s);
        assert_eq!(
            view_at(Some(&c), None, None, RULES, at(180)).freshness,
            Freshness::Live
        );
        let v = view_at(Some(&c), Some("connection refused"), None, RULES, at(181));
        assert_eq!(v.freshness, Freshness::Stale);
        assert_eq!(v.stale_since, Some(t0()));
        assert_eq!(v.stale_reason.as_deref(), Some("connection refused"));
    }

    #[test]
    fn cached_and_expired_documents_are_stale_at_once() {
        let v = view_at(Some(&current(None, true)), None, None, RULES, t0());
        assert_eq!(v.freshness, Freshness::Stale);
        assert!(v.cached);
        let v = view_at(
            Some(&current(Some(1), false)),
            None,
            None,
            RULES,
            t0() + TimeDelta::minutes(1),
        );
        assert_eq!(v.freshness, Freshness::Stale);
        assert!(v.stale_reason.unwrap().starts_with("the feed expired at"));
        let none = view_at(None, Some("no feed configured"), None, RULES, t0());
        assert_eq!(none.stale_reason.as_deref(), Some("no feed configured"));
    }

    #[test]
    fn the_next_change_is_the_earlier_of_staleness_and_expiry() {
        let i = Instant::now();
        let within = Duration::from_secs(5);
        let c = current(Some(1), false);
        assert_eq!(
            next_change(Some(&c), RULES.stale_after, None, t0(), i, within),
            i + within
        );
        let near = t0() + TimeDelta::seconds(58);
        let n = next_change(Some(&c), RULES.stale_after, None, near, i, within);
        assert_eq!(n, i + Duration::from_millis(2005));
    }

    #[test]
    fn every_source_down_shows_after_the_grace_not_after_three_polls() {
        let c = current(None, false);
        let at = |s| t0() + TimeDelta::seconds(s);
        let down = Some(at(20));
        let blip = view_at(Some(&c), Some("connection refused"), down, RULES, at(29));
        assert_eq!(blip.freshness, Freshness::Live, "a blip stays silent");
        let v = view_at(Some(&c), Some("connection refused"), down, RULES, at(30));
        assert_eq!(v.freshness, Freshness::Stale);
        assert_eq!(
            v.stale_since,
            Some(t0()),
            "stale since the last confirmation"
        );
        let i = Instant::now();
        let n = next_change(
            Some(&c),
            RULES.stale_after,
            down,
            at(25),
            i,
            Duration::from_secs(60),
        );
        assert_eq!(
            n,
            i + Duration::from_millis(5005),
            "a timer fires when it is due"
        );
    }
}
