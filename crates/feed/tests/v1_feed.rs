//! Svetofor v1: derived status, phases, validation errors, and the documented example.

mod common;

use common::*;
use svetofor_feed::{Kind, ReadError, Severity, State, Text, read, read_v1};

#[test]
fn status_is_worst_notice_in_effect() {
    let f = feed(vec![
        notice("a", Severity::Yellow, Kind::Degraded, State::Investigating),
        notice("b", Severity::Red, Kind::Outage, State::Identified),
        notice("c", Severity::Red, Kind::Outage, State::Resolved),
    ]);
    let snap = f.into_snapshot();
    assert_eq!(snap.status(t0()), Severity::Red);
    let ids: Vec<_> = snap.in_effect(t0()).iter().map(|n| n.id.clone()).collect();
    assert_eq!(ids, ["b", "a"]);
    assert_eq!(snap.past(t0()).len(), 1);
}

#[test]
fn empty_and_history_only_feeds_are_green() {
    assert_eq!(feed(vec![]).into_snapshot().status(t0()), Severity::Green);
    let f = feed(vec![
        notice("r", Severity::Red, Kind::Outage, State::Resolved),
        notice("w", Severity::Red, Kind::Outage, State::Withdrawn),
        maintenance("m", State::Completed, -60, Some(-30)),
    ]);
    assert_eq!(f.into_snapshot().status(t0()), Severity::Green);
}

#[test]
fn maintenance_windows_follow_the_clock() {
    let snap = feed(vec![maintenance("m", State::Scheduled, 30, Some(90))]).into_snapshot();
    // Before the window: upcoming, not in effect.
    assert_eq!(snap.status(t0()), Severity::Green);
    assert_eq!(snap.upcoming(t0()).len(), 1);
    // Inside: in effect even though the feed still says "scheduled".
    assert_eq!(snap.status(t0() + mins(31)), Severity::Yellow);
    assert!(snap.upcoming(t0() + mins(31)).is_empty());
    // After: over.
    assert_eq!(snap.status(t0() + mins(91)), Severity::Green);
    assert_eq!(snap.past(t0() + mins(91)).len(), 1);

    // An in-progress maintenance that overruns stays in effect.
    let overrun = feed(vec![maintenance("m", State::InProgress, -90, Some(-30))]).into_snapshot();
    assert_eq!(overrun.status(t0()), Severity::Yellow);
}

#[test]
fn overdue_when_promised_update_time_passed() {
    let mut n = notice("a", Severity::Red, Kind::Outage, State::Investigating);
    n.next_update_at = Some(t0() + mins(30));
    assert!(!n.is_overdue(t0() + mins(29)));
    assert!(n.is_overdue(t0() + mins(31)));
    n.state = State::Resolved;
    assert!(!n.is_overdue(t0() + mins(31)));
}

#[test]
fn round_trip_through_bytes() {
    let mut n = notice("a", Severity::Red, Kind::Outage, State::Identified);
    n.title = Text::Translated(
        [("ru", "Платежи не проходят"), ("en", "Payments fail")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    );
    n.components = vec!["payments".to_owned()];
    n.url = Some("https://status.example.com/a".to_owned());
    let f = feed(vec![n, maintenance("m", State::Scheduled, 30, None)]);
    let back = read_v1(&f.to_bytes()).unwrap();
    assert_eq!(back, f);
    assert_eq!(back.notices[0].title.get("en", "ru"), "Payments fail");
    assert_eq!(back.notices[0].title.get("de", "ru"), "Платежи не проходят");
}

fn invalid_path(bytes: &[u8]) -> String {
    match read(bytes) {
        Err(ReadError::Invalid { path, .. }) => path,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn rule_breaks_name_the_field() {
    let mut f = feed(vec![notice(
        "a",
        Severity::Red,
        Kind::Outage,
        State::Scheduled,
    )]);
    assert_eq!(invalid_path(&f.to_bytes()), "notices[0].state");

    f.notices[0].updates[0].state = State::Investigating;
    assert_eq!(invalid_path(&f.to_bytes()), "notices[0].state");
    f.notices[0].state = State::Investigating;
    f.notices[0].updates[0].state = State::Scheduled;
    assert_eq!(invalid_path(&f.to_bytes()), "notices[0].updates[0].state");
    f.notices[0].updates[0].state = State::Identified;
    f.notices[0].url = Some("javascript:alert(1)".to_owned());
    assert_eq!(invalid_path(&f.to_bytes()), "notices[0].url");

    f.notices[0].url = None;
    f.notices[0].components = vec!["nope".to_owned()];
    assert_eq!(invalid_path(&f.to_bytes()), "notices[0].components[0]");

    f.notices[0].components.clear();
    f.notices.push(f.notices[0].clone());
    assert_eq!(invalid_path(&f.to_bytes()), "notices[1].id");

    f.notices.pop();
    f.notices[0].title = Text::Plain("  ".to_owned());
    assert_eq!(invalid_path(&f.to_bytes()), "notices[0].title");

    let mut g = feed(vec![]);
    g.expires_at = g.generated_at;
    assert_eq!(invalid_path(&g.to_bytes()), "expires_at");

    let mut h = feed(vec![maintenance("m", State::Scheduled, 30, Some(10))]);
    assert_eq!(invalid_path(&h.to_bytes()), "notices[0].window.ends_at");
    h.notices.clear();
    h.default_language = "Russian".to_owned();
    assert_eq!(invalid_path(&h.to_bytes()), "default_language");
}

#[test]
fn a_seq_or_a_lifetime_that_would_block_every_later_document_is_refused() {
    let mut f = feed(vec![]);
    f.seq = svetofor_feed::v1::MAX_SEQ;
    assert!(read(&f.to_bytes()).is_ok());
    f.seq = u64::MAX;
    assert_eq!(invalid_path(&f.to_bytes()), "seq");
    let mut g = feed(vec![]);
    g.expires_at = g.generated_at + chrono::TimeDelta::days(31);
    assert!(read(&g.to_bytes()).is_ok());
    g.expires_at = g.generated_at + chrono::TimeDelta::days(32);
    assert_eq!(invalid_path(&g.to_bytes()), "expires_at");
}

#[test]
fn malformed_json_reports_line_and_column() {
    let text = "{\n  \"format\": \"svetofor/1\",\n  \"id\": \"x\",,\n}";
    match read(text.as_bytes()) {
        Err(ReadError::Malformed { line, column, .. }) => assert_eq!((line, column), (3, 13)),
        other => panic!("expected Malformed, got {other:?}"),
    }
    let bad_enum = String::from_utf8(
        feed(vec![notice(
            "a",
            Severity::Red,
            Kind::Outage,
            State::Identified,
        )])
        .to_bytes(),
    )
    .unwrap()
    .replace("\"red\"", "\"purple\"");
    match read(bad_enum.as_bytes()) {
        Err(e @ ReadError::Malformed { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("purple") && msg.contains("line"), "{msg}");
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn format_detection() {
    assert_eq!(read(b"[1,2]"), Err(ReadError::UnknownFormat));
    assert_eq!(read(b"{\"hello\": 1}"), Err(ReadError::UnknownFormat));
    assert_eq!(
        read(b"{\"format\": \"svetofor/2\"}"),
        Err(ReadError::UnsupportedVersion {
            found: "svetofor/2".to_owned()
        })
    );
    assert!(matches!(
        read(b"\xff\xfe"),
        Err(ReadError::Malformed { .. })
    ));
    assert!(matches!(read(b""), Err(ReadError::Malformed { .. })));
    let big = vec![b' '; svetofor_feed::MAX_DOCUMENT_BYTES + 1];
    assert!(matches!(read(&big), Err(ReadError::TooLarge { .. })));
}

#[test]
fn documented_example_reads() {
    let doc = include_str!("../../../docs/feed-format.md");
    let start = doc
        .find("```json\n")
        .expect("feed-format.md has a ```json example")
        + 8;
    let end = start + doc[start..].find("```").unwrap();
    let feed = read_v1(&doc.as_bytes()[start..end]).unwrap_or_else(|e| panic!("docs example: {e}"));
    assert!(
        feed.notices.len() >= 3,
        "the example shows an incident, a maintenance and history"
    );
}
