//! Notices and snapshots for tests, at a fixed time.

use chrono::{TimeDelta, TimeZone, Utc};
use svetofor_feed::{Feed, Kind, Notice, Severity, Snapshot, State, Text};

/// 2026-11-22 12:00 UTC.
pub fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
}

pub fn notice(id: &str, severity: Severity, kind: Kind, state: State) -> Notice {
    Notice {
        id: id.into(),
        severity,
        kind,
        state,
        title: Text::Plain(format!("T {id}")),
        body: Text::Plain("first line\nsecond".into()),
        components: vec![],
        created_at: t0(),
        updated_at: t0(),
        window: None,
        next_update_at: None,
        url: None,
        updates: vec![],
    }
}

pub fn snap(notices: Vec<Notice>) -> Snapshot {
    Feed {
        format: "svetofor/1".into(),
        id: "f".into(),
        name: "F".into(),
        default_language: "en".into(),
        seq: 1,
        generated_at: t0(),
        expires_at: t0() + TimeDelta::hours(1),
        components: vec![],
        notices,
    }
    .into_snapshot()
}

/// A temporary folder holding `user.toml` and `policy.toml` with these texts (`None`: the
/// file does not exist); returns the folder and the two paths.
pub fn config_files(
    user: Option<&str>,
    policy: Option<&str>,
) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (u, p) = (dir.path().join("user.toml"), dir.path().join("policy.toml"));
    for (path, text) in [(&u, user), (&p, policy)] {
        if let Some(text) = text {
            std::fs::write(path, text).unwrap();
        }
    }
    (dir, u, p)
}
