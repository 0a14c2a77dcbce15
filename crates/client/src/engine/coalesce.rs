//! Bursts of alerts for one notice become one notification: an alert that comes within the
//! window of the notice's last one is held and merged until the window ends. Pure: the
//! caller passes the monotonic `now`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::alerts::{self, Alert};

/// How long a notice's last alert time is remembered: far past any coalescing window.
const REMEMBER: Duration = Duration::from_secs(3600);

#[derive(Debug)]
pub struct Coalescer {
    window: Duration,
    /// By notice id: the merged alert and when it is due.
    held: HashMap<String, (Alert, Instant)>,
    /// By notice id: when its last alert went out.
    last: HashMap<String, Instant>,
}

impl Coalescer {
    pub fn new(window: Duration) -> Self {
        Coalescer {
            window,
            held: HashMap::new(),
            last: HashMap::new(),
        }
    }

    /// The alert to send now, or `None` when it was held (or merged into a held one).
    pub fn offer(&mut self, a: Alert, now: Instant) -> Option<Alert> {
        if let Some((held, _)) = self.held.get_mut(&a.notice_id) {
            let mut list = vec![held.clone()];
            alerts::coalesce(&mut list, a);
            *held = list.remove(0);
            return None;
        }
        match self.last.get(&a.notice_id) {
            Some(t) if now.duration_since(*t) < self.window => {
                let due = *t + self.window;
                self.held.insert(a.notice_id.clone(), (a, due));
                None
            }
            _ => {
                self.last.insert(a.notice_id.clone(), now);
                self.last.retain(|_, t| now.duration_since(*t) < REMEMBER);
                Some(a)
            }
        }
    }

    /// The held alerts that are due at `now`, taken out.
    pub fn due(&mut self, now: Instant) -> Vec<Alert> {
        let ids: Vec<String> = self
            .held
            .iter()
            .filter(|(_, (_, t))| *t <= now)
            .map(|(k, _)| k.clone())
            .collect();
        ids.into_iter()
            .filter_map(|id| {
                let (a, _) = self.held.remove(&id)?;
                self.last.insert(id, now);
                Some(a)
            })
            .collect()
    }

    /// When the next held alert is due.
    pub fn next_due(&self) -> Option<Instant> {
        self.held.values().map(|(_, t)| *t).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::Reason;
    use svetofor_feed::{Kind, Severity};

    fn alert(id: &str, reason: Reason) -> Alert {
        Alert {
            notice_id: id.to_owned(),
            reason,
            severity: Severity::Red,
            kind: Kind::Outage,
            title: format!("T {id}"),
            body: String::new(),
            window: None,
        }
    }

    #[test]
    fn a_burst_for_one_notice_is_one_alert_then_one_merged_alert() {
        let t = Instant::now();
        let mut c = Coalescer::new(Duration::from_secs(10));
        assert!(c.offer(alert("a", Reason::New), t).is_some());
        assert!(
            c.offer(alert("a", Reason::Updated), t + Duration::from_secs(1))
                .is_none()
        );
        assert!(
            c.offer(alert("a", Reason::Updated), t + Duration::from_secs(2))
                .is_none()
        );
        // Another notice is not held back by the first.
        assert!(
            c.offer(alert("b", Reason::New), t + Duration::from_secs(2))
                .is_some()
        );
        assert_eq!(c.next_due(), Some(t + Duration::from_secs(10)));
        assert!(c.due(t + Duration::from_secs(9)).is_empty());
        let due = c.due(t + Duration::from_secs(10));
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].notice_id, "a");
        assert_eq!(c.next_due(), None);
        // Past the window, the next alert goes out at once.
        assert!(
            c.offer(alert("a", Reason::Resolved), t + Duration::from_secs(21))
                .is_some()
        );
    }
}
