//! How long the engine waits: between polls, before reconnecting a stream that ended, and
//! after a round in which every source failed. Pure: the caller passes the random fraction.

use std::time::Duration;

use svetofor_feed::Severity;

/// The longest pause between failed rounds while the last good status is red: when the
/// outage is on, its end must show within seconds of the feed coming back.
pub const RED_MAX_PAUSE: Duration = Duration::from_secs(5);

/// The longest pause while anything but green is shown (yellow, or no status yet): a problem
/// is when the next word matters; an outage posted right after a publisher restart must not
/// wait out minutes of backoff (it took 17 s at a 300 s cap).
pub const UNEASY_MAX_PAUSE: Duration = Duration::from_secs(15);

/// The cap on the pause between failed rounds, by the status shown: `max` (the admin's
/// setting) while green, shorter while not.
pub fn failure_cap(shown: Option<Severity>, max: Duration) -> Duration {
    match shown {
        Some(Severity::Green) => max,
        Some(Severity::Red) => max.min(RED_MAX_PAUSE),
        Some(Severity::Yellow) | None => max.min(UNEASY_MAX_PAUSE),
    }
}

/// A random fraction in [0, 1), from the OS generator (0.5 if it has none).
pub fn random_fraction() -> f64 {
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

/// The wait until the next poll: the interval ±20 %, so a fleet does not poll in step.
pub fn poll_wait(interval: Duration, fraction: f64) -> Duration {
    interval.mul_f64(0.8 + 0.4 * fraction)
}

/// The pause before reconnecting a stream that ended cleanly: 0.5–2 s, spread.
pub fn reconnect_pause(fraction: f64) -> Duration {
    Duration::from_millis(500 + (1500.0 * fraction) as u64)
}

/// The pause after `failed_rounds` rounds in which every source failed: exponential from 2 s
/// with full jitter, capped at `max`; never shorter than a server's `Retry-After` (itself
/// capped at `max`).
pub fn failure_pause(
    failed_rounds: u32,
    max: Duration,
    retry_after: Option<Duration>,
    fraction: f64,
) -> Duration {
    let cap = Duration::from_secs(2)
        .saturating_mul(1u32 << failed_rounds.min(16))
        .min(max);
    cap.mul_f64(fraction)
        .max(retry_after.unwrap_or_default().min(max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_pause_doubles_up_to_the_cap_and_honours_retry_after() {
        let max = Duration::from_secs(600);
        assert_eq!(
            failure_pause(1, max, None, 0.999_999),
            Duration::from_secs(4).mul_f64(0.999_999)
        );
        assert_eq!(failure_pause(3, max, None, 0.5), Duration::from_secs(8));
        assert_eq!(failure_pause(30, max, None, 1.0), max);
        assert_eq!(
            failure_pause(1, max, Some(Duration::from_secs(120)), 0.0),
            Duration::from_secs(120)
        );
        assert_eq!(
            failure_pause(1, max, Some(Duration::from_secs(9999)), 0.0),
            max
        );
    }

    #[test]
    fn only_green_lets_the_backoff_grow_to_its_setting() {
        let max = Duration::from_secs(300);
        assert_eq!(failure_cap(Some(Severity::Green), max), max);
        assert_eq!(failure_cap(Some(Severity::Yellow), max), UNEASY_MAX_PAUSE);
        assert_eq!(failure_cap(None, max), UNEASY_MAX_PAUSE);
        assert_eq!(failure_cap(Some(Severity::Red), max), RED_MAX_PAUSE);
        // A shorter setting stays shorter.
        let short = Duration::from_secs(3);
        assert_eq!(failure_cap(Some(Severity::Yellow), short), short);
        // However many rounds failed, a yellow desktop tries again within 15 s.
        for rounds in [1, 5, 9, 30] {
            let cap = failure_cap(Some(Severity::Yellow), max);
            assert!(failure_pause(rounds, cap, None, 0.999_999) <= UNEASY_MAX_PAUSE);
        }
    }

    #[test]
    fn polls_spread_within_twenty_percent() {
        let i = Duration::from_secs(60);
        assert_eq!(poll_wait(i, 0.0), Duration::from_secs(48));
        assert_eq!(poll_wait(i, 1.0), Duration::from_secs(72));
        assert!(reconnect_pause(0.0) >= Duration::from_millis(500));
        assert!(reconnect_pause(0.999) < Duration::from_secs(2));
        let f = random_fraction();
        assert!((0.0..1.0).contains(&f));
    }
}
