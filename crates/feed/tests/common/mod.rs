//! Feeds built in code for the tests.
#![allow(dead_code)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use svetofor_feed::{Component, Feed, Kind, Notice, Severity, State, Text, Update, Window};

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 14, 25, 0).unwrap()
}

pub fn mins(m: i64) -> TimeDelta {
    TimeDelta::minutes(m)
}

pub fn notice(id: &str, severity: Severity, kind: Kind, state: State) -> Notice {
    Notice {
        id: id.to_owned(),
        severity,
        kind,
        state,
        title: Text::Plain(format!("Notice {id}")),
        body: Text::default(),
        components: vec![],
        created_at: t0(),
        updated_at: t0(),
        window: None,
        next_update_at: None,
        url: None,
        updates: vec![Update {
            at: t0(),
            state,
            severity: Some(severity),
            text: Text::Plain("first word".to_owned()),
        }],
    }
}

pub fn maintenance(id: &str, state: State, starts: i64, ends: Option<i64>) -> Notice {
    let mut n = notice(id, Severity::Yellow, Kind::Maintenance, state);
    n.window = Some(Window {
        starts_at: t0() + mins(starts),
        ends_at: ends.map(|e| t0() + mins(e)),
    });
    n
}

pub fn feed(notices: Vec<Notice>) -> Feed {
    Feed {
        format: "svetofor/1".to_owned(),
        id: "acme".to_owned(),
        name: "Acme CRM".to_owned(),
        default_language: "ru".to_owned(),
        seq: 7,
        generated_at: t0(),
        expires_at: t0() + mins(60),
        components: vec![Component {
            id: "payments".to_owned(),
            name: Text::Plain("Payments API".to_owned()),
            group: None,
            status: None,
        }],
        notices,
    }
}
