use super::*;
use chrono::TimeZone;

fn t(min: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap() + chrono::TimeDelta::minutes(min)
}

fn maintenance_request(starts: i64, ends: Option<i64>) -> NewNotice {
    NewNotice {
        severity: Some(Severity::Yellow),
        kind: Some(Kind::Maintenance),
        title: Some("DB".into()),
        starts_at: Some(t(starts)),
        ends_at: ends.map(t),
        ..NewNotice::default()
    }
}

fn maintenance(starts: i64, ends: Option<i64>, now: i64) -> Notice {
    create("m".into(), maintenance_request(starts, ends), t(now)).unwrap()
}

#[test]
fn maintenance_starts_in_the_state_its_window_says() {
    assert_eq!(maintenance(10, Some(20), 0).state, State::Scheduled);
    assert_eq!(maintenance(-10, Some(20), 0).state, State::InProgress);
    assert!(
        create("m".into(), maintenance_request(-20, Some(-10)), t(0)).is_err(),
        "a window that is over already"
    );
}

#[test]
fn clock_moves_maintenance_and_records_when() {
    let mut m = maintenance(10, Some(20), 0);
    assert_eq!(next_transition(&m), Some(t(10)));
    assert!(!advance_by_clock(&mut m, t(5)));
    assert!(advance_by_clock(&mut m, t(11)));
    assert_eq!(m.state, State::InProgress);
    assert_eq!(m.updates.last().unwrap().at, t(10));
    assert_eq!(next_transition(&m), Some(t(20)));
    // A server that was down through the whole window completes it in one step.
    let mut late = maintenance(10, Some(20), 0);
    assert!(advance_by_clock(&mut late, t(30)));
    assert_eq!(late.state, State::Completed);
    assert_eq!(next_transition(&late), None);
    // Open-ended maintenance stays in progress until support completes it.
    let mut open = maintenance(10, None, 0);
    assert!(advance_by_clock(&mut open, t(11)));
    assert!(!advance_by_clock(&mut open, t(1000)));
    assert_eq!(open.state, State::InProgress);
}

#[test]
fn update_text_becomes_the_body_and_severity_changes_are_recorded() {
    let mut n = create(
        "n".into(),
        NewNotice {
            severity: Some(Severity::Yellow),
            kind: Some(Kind::Degraded),
            title: Some("Slow".into()),
            ..NewNotice::default()
        },
        t(0),
    )
    .unwrap();
    update(
        &mut n,
        NoticeUpdate {
            text: Some("Now down".into()),
            severity: Some(Severity::Red),
            ..NoticeUpdate::default()
        },
        t(1),
    )
    .unwrap();
    assert_eq!(n.severity, Severity::Red);
    assert_eq!(n.body.get("en", "en"), "Now down");
    assert_eq!(n.updates.last().unwrap().severity, Some(Severity::Red));
    // A promise is kept by an update that says nothing of it, and can be taken back.
    n.next_update_at = Some(t(30));
    update(
        &mut n,
        NoticeUpdate {
            text: Some("Still down".into()),
            ..NoticeUpdate::default()
        },
        t(1),
    )
    .unwrap();
    assert_eq!(n.next_update_at, Some(t(30)));
    update(
        &mut n,
        NoticeUpdate {
            no_next_update: true,
            ..NoticeUpdate::default()
        },
        t(1),
    )
    .unwrap();
    assert_eq!(n.next_update_at, None);
    assert!(
        update(
            &mut n,
            NoticeUpdate {
                no_next_update: true,
                next_update_at: Some(t(40)),
                ..NoticeUpdate::default()
            },
            t(1),
        )
        .is_err()
    );
    resolve(&mut n, Closing::default(), t(2)).unwrap();
    assert_eq!(n.state, State::Resolved);
    assert!(withdraw(&mut n, Closing::default(), t(3)).is_err());
}
