use super::*;
use proptest::prelude::*;

/// 4 December 2026, 12:00 UTC: 15:00 in Moscow.
fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0).unwrap()
}

fn moscow() -> FixedOffset {
    FixedOffset::east_opt(3 * 3600).unwrap()
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn read_msk(s: &str) -> Result<Option<DateTime<Utc>>, WhenError> {
    read(s, base(), moscow())
}

#[test]
fn delays_in_both_languages() {
    for (typed, minutes) in [
        ("2ч", 120),
        ("30м", 30),
        ("30 мин", 30),
        ("30 мин.", 30),
        ("2 часа", 120),
        ("5 часов", 300),
        ("1 час", 60),
        ("1 ч 30 мин", 90),
        ("через 2 часа", 120),
        ("1 день", 1440),
        ("2 дня", 2880),
        ("30m", 30),
        ("2h", 120),
        ("1d", 1440),
        ("1h30m", 90),
        ("+30m", 30),
        ("in 2 hours", 120),
        ("2H", 120),
    ] {
        assert_eq!(
            read_msk(typed),
            Ok(Some(base() + TimeDelta::minutes(minutes))),
            "{typed}"
        );
    }
}

#[test]
fn times_of_day_and_days_in_the_writers_zone() {
    for (typed, want) in [
        ("15:00", utc(2026, 12, 4, 12, 0)),
        ("9:05", utc(2026, 12, 4, 6, 5)),
        ("сегодня 18:30", utc(2026, 12, 4, 15, 30)),
        ("завтра 9:00", utc(2026, 12, 5, 6, 0)),
        ("завтра в 9:00", utc(2026, 12, 5, 6, 0)),
        ("послезавтра 10:00", utc(2026, 12, 6, 7, 0)),
        ("tomorrow at 9:00", utc(2026, 12, 5, 6, 0)),
        ("04.12.2026 15:00", utc(2026, 12, 4, 12, 0)),
        ("4.12.2026, 15:00", utc(2026, 12, 4, 12, 0)),
        ("05.12 08:00", utc(2026, 12, 5, 5, 0)),
        ("2026-12-04 15:00", utc(2026, 12, 4, 12, 0)),
        ("2026-12-04T15:00", utc(2026, 12, 4, 12, 0)),
        ("2026-12-04T15:00:00", utc(2026, 12, 4, 12, 0)),
        ("2026-12-04 15:00 UTC", utc(2026, 12, 4, 15, 0)),
        ("31.12.2099 22:00", utc(2099, 12, 31, 19, 0)),
    ] {
        assert_eq!(read_msk(typed), Ok(Some(want)), "{typed}");
    }
}

#[test]
fn the_day_is_the_writers_day_not_utcs() {
    // 23:30 UTC on the 4th is already the 5th in Moscow: "15:00" is the 5th's.
    let late = utc(2026, 12, 4, 23, 30);
    assert_eq!(
        read("15:00", late, moscow()),
        Ok(Some(utc(2026, 12, 5, 12, 0)))
    );
}

#[test]
fn a_filters_delay_looks_back() {
    assert_eq!(
        read_back("2ч", base(), moscow()),
        Ok(Some(base() - TimeDelta::hours(2)))
    );
    assert_eq!(
        read_back("15:00", base(), moscow()),
        Ok(Some(utc(2026, 12, 4, 12, 0)))
    );
}

#[test]
fn empty_is_no_time() {
    assert_eq!(read_msk(""), Ok(None));
    assert_eq!(read_msk("   "), Ok(None));
}

#[test]
fn refusals_say_what_is_wrong() {
    for (typed, why) in [
        ("завтра", WhenError::NoClock),
        ("04.12.2026", WhenError::NoClock),
        ("31.02.2026 10:00", WhenError::NoSuchTime),
        ("25:00", WhenError::NoSuchTime),
        ("2 попугая", WhenError::Unreadable),
        ("скоро", WhenError::Unreadable),
        ("2", WhenError::Unreadable),
        ("-2h", WhenError::Unreadable),
        ("15:0", WhenError::Unreadable),
        ("400 дней", WhenError::TooFar),
        ("99999999999999999999h", WhenError::TooFar),
    ] {
        assert_eq!(read_msk(typed), Err(why), "{typed}");
    }
}

proptest! {
    /// Any text, Cyrillic and digits included, reads as a time, nothing or a refusal.
    #[test]
    fn no_text_panics(raw in "[0-9:.,T +\\-чмдасовинуteуhdmза ]{0,24}|\\PC{0,80}") {
        let _ = read(&raw, base(), moscow());
        let _ = read_back(&raw, base(), moscow());
    }

    /// A delay, however written, stays within reach.
    #[test]
    fn delays_stay_within_reach(
        n in prop_oneof![0u64..1_000, 0u64..600_000, 0u64..10_000_000_000],
        (unit, per) in prop_oneof![Just(("m", 1u64)), Just(("ч", 60)), Just(("дней", 1440))],
    ) {
        let within = n.saturating_mul(per) <= 366 * 24 * 60;
        match read(&format!("{n}{unit}"), base(), moscow()) {
            Ok(Some(t)) => {
                prop_assert!(within);
                prop_assert_eq!(t - base(), TimeDelta::minutes((n * per) as i64));
            }
            other => {
                prop_assert!(!within);
                prop_assert_eq!(other, Err(WhenError::TooFar));
            }
        }
    }

    #[test]
    fn any_zone_and_base(raw in "\\PC{0,30}", east in -14 * 3600..=14 * 3600i32, secs in 0..4_000_000_000i64) {
        let base = DateTime::from_timestamp(secs, 0).unwrap();
        let _ = read(&raw, base, FixedOffset::east_opt(east).unwrap());
    }
}
