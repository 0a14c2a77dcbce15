//! Who has a notice open in the console now: two people on one incident see each other
//! before they write, not after. Kept in memory by each publishing process (a glance, not a
//! record): a page seen and its script's heartbeat mark a person present for a short while.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long one sighting counts: the page's script reports every 20 s.
pub const FRESH: Duration = Duration::from_secs(60);
/// Most notices followed at once, and most people per notice (a bound, not a real number).
const MOST_NOTICES: usize = 2000;
const MOST_PEOPLE: usize = 50;

/// Who was seen on which notice, and when.
#[derive(Debug, Default)]
pub struct Presence {
    seen: Mutex<HashMap<String, Vec<(String, Instant)>>>,
}

impl Presence {
    /// Marks `who` present on `notice` at `now`, and gives the others present there, in
    /// the order they came.
    pub fn seen(&self, notice: &str, who: &str, now: Instant) -> Vec<String> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = |at: &Instant| now.saturating_duration_since(*at) < FRESH;
        if seen.len() >= MOST_NOTICES && !seen.contains_key(notice) {
            seen.retain(|_, people| {
                people.retain(|(_, at)| fresh(at));
                !people.is_empty()
            });
            if seen.len() >= MOST_NOTICES {
                return vec![];
            }
        }
        let people = seen.entry(notice.to_owned()).or_default();
        people.retain(|(_, at)| fresh(at));
        if let Some(p) = people.iter_mut().find(|(name, _)| name == who) {
            p.1 = now;
        } else if people.len() < MOST_PEOPLE {
            people.push((who.to_owned(), now));
        }
        people
            .iter()
            .filter(|(name, _)| name != who)
            .map(|(name, _)| name.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_sees_the_other_while_both_are_there() {
        let p = Presence::default();
        let t = Instant::now();
        assert!(p.seen("n1", "anna", t).is_empty());
        assert_eq!(p.seen("n1", "boris", t + Duration::from_secs(5)), ["anna"]);
        assert_eq!(p.seen("n1", "anna", t + Duration::from_secs(10)), ["boris"]);
        // Another notice is another room.
        assert!(p.seen("n2", "vera", t).is_empty());
    }

    #[test]
    fn someone_who_left_is_no_longer_shown() {
        let p = Presence::default();
        let t = Instant::now();
        p.seen("n1", "anna", t);
        let later = t + FRESH + Duration::from_secs(1);
        assert!(p.seen("n1", "boris", later).is_empty());
    }

    #[test]
    fn the_number_of_notices_followed_is_bounded() {
        let p = Presence::default();
        let t = Instant::now();
        for i in 0..MOST_NOTICES {
            p.seen(&format!("n{i}"), "anna", t);
        }
        // All fresh: a new notice is not followed, and nothing breaks.
        assert!(p.seen("new", "boris", t).is_empty());
        // Once the old ones are stale they make room.
        let later = t + FRESH + Duration::from_secs(1);
        p.seen("new", "boris", later);
        assert_eq!(p.seen("new", "anna", later), ["boris"]);
    }
}
