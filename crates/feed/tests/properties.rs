//! Property tests: v1 documents round-trip, and no input makes a reader panic.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use svetofor_feed::{
    Component, Feed, Kind, Notice, Severity, SigningKey, State, Text, Update, Window, accept, read,
};

fn time() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..4_000_000_000, 0u32..1000)
        .prop_map(|(s, ms)| Utc.timestamp_opt(s, ms * 1_000_000).single().unwrap())
}

fn text() -> impl Strategy<Value = Text> {
    let s = "\\PC{1,40}".prop_filter("not blank", |s: &String| !s.trim().is_empty());
    prop_oneof![
        s.clone().prop_map(Text::Plain),
        proptest::collection::btree_map(
            prop_oneof![Just("ru"), Just("en"), Just("pt-BR")],
            s,
            1..3
        )
        .prop_map(|m| Text::Translated(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
    ]
}

fn severity() -> impl Strategy<Value = Severity> {
    prop_oneof![
        Just(Severity::Green),
        Just(Severity::Yellow),
        Just(Severity::Red)
    ]
}

fn kind_and_state() -> impl Strategy<Value = (Kind, State)> {
    let incident = prop_oneof![Just(Kind::Outage), Just(Kind::Degraded), Just(Kind::Info)];
    let incident_state = prop_oneof![
        Just(State::Investigating),
        Just(State::Identified),
        Just(State::Monitoring),
        Just(State::Resolved),
        Just(State::Withdrawn)
    ];
    let maint_state = prop_oneof![
        Just(State::Scheduled),
        Just(State::InProgress),
        Just(State::Completed),
        Just(State::Withdrawn)
    ];
    prop_oneof![
        (incident, incident_state),
        maint_state.prop_map(|s| (Kind::Maintenance, s)),
    ]
}

fn notice(id: usize, components: usize) -> impl Strategy<Value = Notice> {
    (
        severity(),
        kind_and_state(),
        text(),
        proptest::option::of(text()),
        proptest::collection::vec(0..components.max(1), 0..3),
        time(),
        0i64..100_000,
        proptest::option::of((time(), proptest::option::of(0i64..100_000))),
        proptest::option::of(time()),
        proptest::bool::ANY,
        proptest::collection::vec(
            (
                time(),
                proptest::option::of(severity()),
                proptest::option::of(text()),
            ),
            0..4,
        ),
    )
        .prop_map(
            move |(
                severity,
                (kind, state),
                title,
                body,
                comps,
                created,
                dt,
                window,
                next,
                url,
                updates,
            )| Notice {
                id: format!("n{id}"),
                severity,
                kind,
                state,
                title,
                body: body.unwrap_or_default(),
                components: if components == 0 {
                    vec![]
                } else {
                    let mut c: Vec<String> = comps.iter().map(|i| format!("c{i}")).collect();
                    c.dedup();
                    c
                },
                created_at: created,
                updated_at: created + chrono::TimeDelta::seconds(dt),
                window: window.map(|(s, e)| Window {
                    starts_at: s,
                    ends_at: e.map(|d| s + chrono::TimeDelta::seconds(d)),
                }),
                next_update_at: next,
                url: url.then(|| format!("https://status.example.com/n{id}")),
                updates: updates
                    .into_iter()
                    .map(|(at, sev, t)| Update {
                        at,
                        state,
                        severity: sev,
                        text: t.unwrap_or_default(),
                    })
                    .collect(),
            },
        )
}

fn feed() -> impl Strategy<Value = Feed> {
    (
        0usize..4,
        0usize..6,
        0..=svetofor_feed::v1::MAX_SEQ,
        time(),
        1i64..1_000_000,
    )
        .prop_flat_map(|(n_components, n_notices, seq, generated, ttl)| {
            let notices: Vec<_> = (0..n_notices).map(|i| notice(i, n_components)).collect();
            let components: Vec<_> = (0..n_components)
                .map(|i| {
                    (text(), proptest::option::of("[a-zA-Z ]{1,12}")).prop_map(
                        move |(name, group)| Component {
                            id: format!("c{i}"),
                            name,
                            group,
                            status: None,
                        },
                    )
                })
                .collect();
            (notices, components).prop_map(move |(notices, components)| Feed {
                format: "svetofor/1".to_owned(),
                id: "prop".to_owned(),
                name: "Property feed".to_owned(),
                default_language: "ru".to_owned(),
                seq,
                generated_at: generated,
                expires_at: generated + chrono::TimeDelta::seconds(ttl),
                components,
                notices,
            })
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn v1_round_trips(f in feed()) {
        let bytes = f.to_bytes();
        let back = svetofor_feed::read_v1(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&back, &f);
        // The derived status is the worst severity in effect, and never below any active one.
        let snap = back.into_snapshot();
        let now = f.generated_at;
        let worst = snap.in_effect(now).iter().map(|n| n.severity).max().unwrap_or(Severity::Green);
        prop_assert_eq!(snap.status(now), worst);
    }

    #[test]
    fn mutated_v1_never_panics(f in feed(), flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = f.to_bytes();
        for (i, b) in flips {
            let i = i.index(bytes.len());
            bytes[i] = b;
        }
        let _ = read(&bytes);
    }

    #[test]
    fn truncated_v1_never_panics(f in feed(), cut in any::<prop::sample::Index>()) {
        let bytes = f.to_bytes();
        let _ = read(&bytes[..cut.index(bytes.len())]);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = read(&bytes);
    }

    #[test]
    fn statuspage_with_any_enum_values_never_panics_nor_shows_green_on_unknown(
        indicator in "[a-z_]{0,10}",
        impact in "[a-z_]{0,10}",
        status in "[a-z_]{0,12}",
        comp_status in "[a-z_]{0,20}",
        date in prop_oneof![Just("2020-07-16T21:00:00.000Z".to_owned()), "[0-9TZ:.-]{0,24}"],
    ) {
        let doc = serde_json::json!({
            "page": {"id": "p", "name": "P", "updated_at": date},
            "status": {"indicator": indicator, "description": "x"},
            "components": [{"id": "c", "name": "C", "status": comp_status}],
            "incidents": [{"id": "i", "name": "I", "status": status, "impact": impact,
                "created_at": date, "incident_updates": [{"body": "b", "status": status, "display_at": date}]}],
            "scheduled_maintenances": [{"id": "m", "name": "M", "status": status, "impact": impact,
                "created_at": date, "scheduled_for": date, "scheduled_until": date}],
        });
        let bytes = serde_json::to_vec(&doc).unwrap();
        if let Ok(snap) = read(&bytes) {
            let now = Utc::now();
            if !["none", "minor", "major", "critical", "maintenance"].contains(&indicator.as_str()) {
                prop_assert!(snap.status(now) >= Severity::Yellow);
            }
        }
    }

    #[test]
    fn fixtures_mutated_never_panic(which in 0usize..3, flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)) {
        let name = ["github_incident.json", "cloudamqp_maintenance.json", "twilio_incident.json"][which];
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/fixtures/statuspage").join(name);
        if let Ok(mut bytes) = std::fs::read(path) {
            for (i, b) in flips {
                let i = i.index(bytes.len());
                bytes[i] = b;
            }
            let _ = read(&bytes);
        }
    }
}

#[test]
fn accept_never_panics_on_mangled_signatures() {
    let key = SigningKey::generate().unwrap().key;
    let bytes = common::feed(vec![]).to_bytes();
    let sig = key.sign(&bytes, "c").unwrap();
    let mut runner = proptest::test_runner::TestRunner::default();
    runner
        .run(&(any::<prop::sample::Index>(), any::<u8>()), |(i, b)| {
            let mut s = sig.clone().into_bytes();
            let i = i.index(s.len());
            s[i] = b;
            let s = String::from_utf8_lossy(&s);
            let _ = accept(&bytes, Some(&s), &[key.trusted()], common::t0(), None);
            Ok(())
        })
        .unwrap();
}
