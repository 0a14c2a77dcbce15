//! Alert decisions, the SSE parser and configuration files, without a network.

use svetofor_testkit::fixtures as common;

use chrono::TimeDelta;
use common::{notice, snap, t0};
use svetofor_client::alerts::{Memory, NotifyPolicy, Reason, coalesce, decide};
use svetofor_client::config::{self, Key, Origin};
use svetofor_feed::{Kind, Severity, Snapshot, State, Text, Window};

fn reasons(s: &Snapshot, m: &mut Memory, p: NotifyPolicy) -> Vec<(String, Reason, Severity)> {
    decide(s, t0(), m, p, &[], "en")
        .into_iter()
        .map(|a| (a.notice_id, a.reason, a.severity))
        .collect()
}

#[test]
fn lifecycle_notifies_new_escalation_and_recovery_once_each() {
    let p = NotifyPolicy::default();
    let mut m = Memory::default();
    let mut n = notice("a", Severity::Yellow, Kind::Degraded, State::Investigating);
    assert_eq!(
        reasons(&snap(vec![n.clone()]), &mut m, p),
        [("a".into(), Reason::New, Severity::Yellow)]
    );
    // The same again, or a wording fix: nothing.
    assert!(reasons(&snap(vec![n.clone()]), &mut m, p).is_empty());
    n.title = Text::Plain("Typo fixed".into());
    n.state = State::Identified;
    assert!(
        reasons(&snap(vec![n.clone()]), &mut m, p).is_empty(),
        "a state change that is no worse is quiet"
    );
    n.severity = Severity::Red;
    assert_eq!(
        reasons(&snap(vec![n.clone()]), &mut m, p),
        [("a".into(), Reason::Escalated, Severity::Red)]
    );
    n.severity = Severity::Yellow;
    assert!(
        reasons(&snap(vec![n.clone()]), &mut m, p).is_empty(),
        "de-escalation is quiet"
    );
    n.state = State::Resolved;
    assert_eq!(
        reasons(&snap(vec![n.clone()]), &mut m, p),
        [("a".into(), Reason::Resolved, Severity::Green)]
    );
    assert!(reasons(&snap(vec![n.clone()]), &mut m, p).is_empty());
    assert!(
        reasons(&snap(vec![]), &mut m, p).is_empty(),
        "leaving the feed after resolution is quiet"
    );
}

fn followed(s: &Snapshot, m: &mut Memory, components: &[&str]) -> Vec<(String, Reason)> {
    let components: Vec<String> = components.iter().map(|c| c.to_string()).collect();
    decide(s, t0(), m, NotifyPolicy::default(), &components, "en")
        .into_iter()
        .map(|a| (a.notice_id, a.reason))
        .collect()
}

#[test]
fn a_notice_leaving_the_component_filter_has_not_ended_and_coming_back_is_not_new() {
    let mut m = Memory::default();
    let mut n = notice("r", Severity::Yellow, Kind::Degraded, State::Investigating);
    n.components = vec!["reports".into()];
    assert_eq!(
        followed(&snap(vec![n.clone()]), &mut m, &[]),
        [("r".into(), Reason::New)]
    );
    assert!(
        followed(&snap(vec![n.clone()]), &mut m, &["billing"]).is_empty(),
        "choosing another component is not a resolution"
    );
    // Across a restart (the memory is stored), with the filter back to everything.
    let mut m: Memory = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
    assert!(
        followed(&snap(vec![n.clone()]), &mut m, &[]).is_empty(),
        "back in the filter, it is not new"
    );
    // Its real end, while filtered out, is not told; while followed, it is.
    n.state = State::Resolved;
    assert!(followed(&snap(vec![n.clone()]), &mut m, &["billing"]).is_empty());
    let mut other = notice("o", Severity::Red, Kind::Outage, State::Investigating);
    other.components = vec!["reports".into()];
    assert!(followed(&snap(vec![other.clone()]), &mut m, &["billing"]).is_empty());
    assert!(followed(&snap(vec![other.clone()]), &mut m, &["reports"]).is_empty());
    assert_eq!(
        followed(&snap(vec![]), &mut m, &["reports"]),
        [("o".into(), Reason::Resolved)],
        "vanishing while followed is its end"
    );
    let mut quiet = notice("q", Severity::Red, Kind::Outage, State::Investigating);
    quiet.components = vec!["reports".into()];
    followed(&snap(vec![quiet]), &mut m, &["billing"]);
    assert!(
        followed(&snap(vec![]), &mut m, &["billing"]).is_empty(),
        "the end of what is not followed is not told"
    );
}

#[test]
fn first_start_hears_of_an_outage_once_and_not_of_history() {
    let p = NotifyPolicy::default();
    let mut m = Memory::default();
    let s = snap(vec![
        notice("live", Severity::Red, Kind::Outage, State::Identified),
        notice("old", Severity::Red, Kind::Outage, State::Resolved),
    ]);
    assert_eq!(
        reasons(&s, &mut m, p),
        [("live".into(), Reason::New, Severity::Red)]
    );
    // A restart with the stored memory says nothing new.
    let stored = serde_json::to_string(&m).unwrap();
    let mut m2: Memory = serde_json::from_str(&stored).unwrap();
    assert!(reasons(&s, &mut m2, p).is_empty());
}

#[test]
fn withdrawal_vanishing_and_maintenance_start() {
    let p = NotifyPolicy::default();
    let mut m = Memory::default();
    let a = notice("a", Severity::Red, Kind::Outage, State::Investigating);
    reasons(&snap(vec![a.clone()]), &mut m, p);
    let mut w = a.clone();
    w.state = State::Withdrawn;
    assert_eq!(
        reasons(&snap(vec![w]), &mut m, p),
        [("a".into(), Reason::Withdrawn, Severity::Green)]
    );

    let b = notice("b", Severity::Yellow, Kind::Degraded, State::Investigating);
    reasons(&snap(vec![b]), &mut m, p);
    let gone = decide(&snap(vec![]), t0(), &mut m, p, &[], "en");
    assert_eq!(
        gone.len(),
        1,
        "a notice that vanished while in effect is a recovery"
    );
    assert_eq!(
        (gone[0].reason, gone[0].title.as_str()),
        (Reason::Resolved, "T b")
    );

    let mut mt = notice("m", Severity::Yellow, Kind::Maintenance, State::Scheduled);
    mt.window = Some(Window {
        starts_at: t0() + TimeDelta::minutes(10),
        ends_at: None,
    });
    let s = snap(vec![mt]);
    let mut m = Memory::default();
    assert_eq!(
        reasons(&s, &mut m, p),
        [("m".into(), Reason::New, Severity::Yellow)],
        "announced"
    );
    let later = decide(&s, t0() + TimeDelta::minutes(11), &mut m, p, &[], "en");
    assert_eq!(
        later[0].reason,
        Reason::MaintenanceStarted,
        "starts by the clock"
    );

    // Under way, it runs longer than it said: one notification, naming the new end; the same
    // end again, or an earlier one, says nothing.
    let mut running = notice("w", Severity::Yellow, Kind::Maintenance, State::InProgress);
    running.window = Some(Window {
        starts_at: t0() - TimeDelta::minutes(30),
        ends_at: Some(t0() + TimeDelta::minutes(30)),
    });
    let mut m = Memory::default();
    let first = decide(&snap(vec![running.clone()]), t0(), &mut m, p, &[], "en");
    assert_eq!(first[0].reason, Reason::MaintenanceStarted);
    running.window = Some(Window {
        starts_at: t0() - TimeDelta::minutes(30),
        ends_at: Some(t0() + TimeDelta::minutes(90)),
    });
    let longer = decide(&snap(vec![running.clone()]), t0(), &mut m, p, &[], "en");
    assert_eq!(longer.len(), 1, "{longer:?}");
    assert_eq!(longer[0].reason, Reason::Extended);
    assert_eq!(
        longer[0].window.as_ref().and_then(|w| w.ends_at),
        Some(t0() + TimeDelta::minutes(90))
    );
    assert!(decide(&snap(vec![running.clone()]), t0(), &mut m, p, &[], "en").is_empty());
    running.window = Some(Window {
        starts_at: t0() - TimeDelta::minutes(30),
        ends_at: Some(t0() + TimeDelta::minutes(60)),
    });
    assert!(
        decide(&snap(vec![running]), t0(), &mut m, p, &[], "en").is_empty(),
        "ending sooner is good news the banner shows quietly"
    );
}

#[test]
fn minimum_severity_and_red_always() {
    let mut m = Memory::default();
    let only_red = NotifyPolicy {
        min_severity: Severity::Red,
        red_always: true,
    };
    let s = snap(vec![
        notice("y", Severity::Yellow, Kind::Degraded, State::Investigating),
        notice("r", Severity::Red, Kind::Outage, State::Investigating),
    ]);
    assert_eq!(reasons(&s, &mut m, only_red).len(), 1);
    let mut m = Memory::default();
    let silent = NotifyPolicy {
        min_severity: Severity::Red,
        red_always: false,
    };
    let green_min = NotifyPolicy {
        min_severity: Severity::Green,
        red_always: false,
    };
    assert_eq!(reasons(&s, &mut m, silent).len(), 1, "red >= red");
    let mut m = Memory::default();
    assert_eq!(reasons(&s, &mut m, green_min).len(), 2);
}

#[test]
fn components_filter_what_concerns_this_client() {
    let mut m = Memory::default();
    let mut pay = notice("p", Severity::Red, Kind::Outage, State::Investigating);
    pay.components = vec!["payments".into()];
    let mut rep = notice("r", Severity::Red, Kind::Outage, State::Investigating);
    rep.components = vec!["reports".into()];
    let all = notice("x", Severity::Yellow, Kind::Degraded, State::Investigating);
    let s = snap(vec![pay, rep, all]);
    let ids: Vec<String> = decide(
        &s,
        t0(),
        &mut m,
        NotifyPolicy::default(),
        &["reports".into()],
        "en",
    )
    .into_iter()
    .map(|a| a.notice_id)
    .collect();
    assert_eq!(ids, ["r", "x"]);
    let v = svetofor_client::view::build(&s, t0(), &["reports".into()], "en");
    assert_eq!(v.notices.len(), 2);
}

#[test]
fn coalescing_keeps_one_per_notice() {
    let mut m = Memory::default();
    let p = NotifyPolicy::default();
    let mut decide_one = |severity| {
        let n = notice("a", severity, Kind::Degraded, State::Investigating);
        decide(&snap(vec![n]), t0(), &mut m, p, &[], "en")
    };
    let a = decide_one(Severity::Yellow);
    let b = decide_one(Severity::Red);
    let mut pending = vec![];
    for x in a.into_iter().chain(b) {
        coalesce(&mut pending, x);
    }
    assert_eq!(pending.len(), 1);
    assert_eq!(
        (pending[0].reason, pending[0].severity),
        (Reason::New, Severity::Red)
    );
}

#[test]
fn policy_overrides_and_locks_and_bad_files_name_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let user = dir.path().join("config.toml");
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &user,
        "feeds = [\"https://user.example/feed.json\"]\npoll_interval = 30\nlanguage = \"en\"\n",
    )
    .unwrap();
    std::fs::write(&policy, "# set by IT\nfeeds = [\"https://corp.example/feed.json\"]\nnotify_min_severity = \"red\"\n").unwrap();
    let c = config::load(Some(&user), Some(&policy)).unwrap();
    assert_eq!(c.feeds, ["https://corp.example/feed.json"]);
    assert!(c.is_locked(Key::Feeds) && c.is_locked(Key::NotifyMinSeverity));
    assert_eq!(c.origins[&Key::PollInterval], Origin::User);
    assert_eq!(c.poll_interval.as_secs(), 30);
    assert_eq!(c.origins[&Key::Proxy], Origin::Default);
    assert_eq!(c.notify_min_severity, Severity::Red);

    for (text, line, key) in [
        (
            "feeds = [\"https://a.example/feed.json\"]\npoll_interval = \"soon\"\n",
            2,
            "poll_interval",
        ),
        ("\n\nsurprise = 1\n", 3, "surprise"),
        ("feeds = [\"ftp://x\"]\n", 1, "feeds"),
        ("public_keys = [\"nope\"]\n", 1, "public_keys"),
        ("poll_interval = 0\n", 1, "poll_interval"),
        (
            "notify_min_severity = \"purple\"\n",
            1,
            "notify_min_severity",
        ),
        ("feeds = [\n", 1, "feeds"),
    ] {
        std::fs::write(&user, text).unwrap();
        let e = config::load(Some(&user), None).unwrap_err();
        assert_eq!(e.line, line, "{text:?}: {e}");
        if !key.is_empty() {
            assert_eq!(e.key.as_deref(), Some(key), "{text:?}: {e}");
        }
        assert!(
            e.to_string().starts_with(&user.display().to_string()),
            "{e}"
        );
    }
    // Missing files are fine: defaults.
    let c = config::load(
        Some(&dir.path().join("none.toml")),
        Some(&dir.path().join("none2.toml")),
    )
    .unwrap();
    assert!(c.feeds.is_empty());
}
