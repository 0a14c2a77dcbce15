//! The real Statuspage captures in `shared/fixtures/statuspage/` read as their README says.

use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use svetofor_feed::{ComponentStatus, Format, Kind, Phase, Severity, State, read};

fn fixture(name: &str) -> Vec<u8> {
    let dir = std::env::var_os("SVETOFOR_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")
        });
    let path = dir.join("statuspage").join(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read fixture {}: {e} (shared/ must sit beside the checkout, or set SVETOFOR_FIXTURES)",
            path.display()
        )
    })
}

// Statuspage states are taken as stated, so the clock must not matter: check at two times.
fn times() -> [chrono::DateTime<Utc>; 2] {
    [
        Utc.with_ymd_and_hms(2014, 5, 14, 21, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap(),
    ]
}

#[test]
fn github_incident_is_red_with_incident_and_maintenance_in_effect() {
    let snap = read(&fixture("github_incident.json")).unwrap();
    assert_eq!(snap.format, Format::StatuspageV2);
    assert_eq!(snap.name, "GitHub");
    assert_eq!(snap.declared_status, Some(Severity::Red));
    for now in times() {
        assert_eq!(snap.status(now), Severity::Red);
        let active: Vec<&str> = snap.in_effect(now).iter().map(|n| n.id.as_str()).collect();
        assert_eq!(
            active,
            ["cp306tmzcl0y", "k7mf5z1gz05c"],
            "critical first, then maintenance"
        );
        let upcoming: Vec<&str> = snap.upcoming(now).iter().map(|n| n.id.as_str()).collect();
        assert_eq!(upcoming, ["w1zdr745wmfy"]);
    }
    let incident = &snap.notices[0];
    assert_eq!(incident.severity, Severity::Red);
    assert_eq!(incident.kind, Kind::Outage);
    assert_eq!(incident.state, State::Identified);
    assert_eq!(incident.title.get("en", "en"), "Unplanned Database Outage");
    assert!(
        incident
            .body
            .get("en", "en")
            .starts_with("Our master database")
    );
    assert_eq!(incident.updates.len(), 1);
    assert_eq!(incident.url.as_deref(), Some("http://stspg.co:5000/Q0E"));

    let web_tier = snap
        .notices
        .iter()
        .find(|n| n.id == "k7mf5z1gz05c")
        .unwrap();
    assert_eq!(web_tier.kind, Kind::Maintenance);
    assert_eq!(web_tier.state, State::InProgress);
    // Timeline oldest first; the body is the latest word.
    assert_eq!(web_tier.updates[0].state, State::Scheduled);
    assert_eq!(web_tier.updates[1].state, State::InProgress);
    assert!(
        web_tier
            .body
            .get("en", "en")
            .starts_with("Scheduled maintenance is currently")
    );
    let w = web_tier.window.as_ref().unwrap();
    assert_eq!(
        w.starts_at,
        Utc.with_ymd_and_hms(2014, 5, 14, 20, 30, 0).unwrap()
    );
    assert_eq!(
        w.ends_at,
        Some(Utc.with_ymd_and_hms(2014, 5, 14, 22, 30, 0).unwrap())
    );

    let statuses: Vec<_> = snap.components.iter().map(|c| c.status).collect();
    assert_eq!(
        statuses,
        [
            Some(ComponentStatus::PartialOutage),
            Some(ComponentStatus::MajorOutage)
        ]
    );
}

#[test]
fn cloudamqp_maintenance_is_yellow_maintenance() {
    let snap = read(&fixture("cloudamqp_maintenance.json")).unwrap();
    for now in times() {
        assert_eq!(snap.status(now), Severity::Yellow);
        let active = snap.in_effect(now);
        assert_eq!(active.len(), 1);
        assert_eq!(active[0].kind, Kind::Maintenance);
        assert_eq!(active[0].state, State::InProgress);
        assert_eq!(snap.phase(active[0], now), Phase::Active);
    }
    let m = &snap.notices[0];
    assert_eq!(m.id, "qy6n39trpl7l");
    assert_eq!(m.updates.len(), 2);
    // The affected component is named by id and is a known component under maintenance.
    assert_eq!(m.components.len(), 1);
    let comp = snap
        .components
        .iter()
        .find(|c| c.id == m.components[0])
        .unwrap();
    assert_eq!(comp.name.get("en", "en"), "Shared servers");
    assert_eq!(comp.status, Some(ComponentStatus::Maintenance));
    assert_eq!(snap.components.len(), 23);
}

#[test]
fn twilio_incident_is_yellow_with_groups_and_upcoming_maintenances() {
    let snap = read(&fixture("twilio_incident.json")).unwrap();
    for now in times() {
        assert_eq!(snap.status(now), Severity::Yellow);
        let active = snap.in_effect(now);
        assert_eq!(active.len(), 2, "two open minor incidents");
        assert!(
            active
                .iter()
                .all(|n| n.severity == Severity::Yellow && n.kind == Kind::Degraded)
        );
        assert_eq!(snap.upcoming(now).len(), 9);
    }
    let monitoring = snap
        .notices
        .iter()
        .find(|n| n.id == "r0f0vdz8vrgm")
        .unwrap();
    assert_eq!(monitoring.state, State::Monitoring);
    assert_eq!(monitoring.updates.len(), 5);
    assert!(monitoring.updates.windows(2).all(|w| w[0].at <= w[1].at));
    // Group entries are not components themselves, but name their children's group.
    assert!(snap.components.iter().any(|c| c.group.is_some()));
    assert!(
        snap.components
            .iter()
            .any(|c| c.status == Some(ComponentStatus::Degraded))
    );
}
