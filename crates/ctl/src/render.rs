//! How `check` shows a snapshot: text for people, JSON for scripts.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;
use svetofor_client::feed_check::SignatureCheck as SignatureReport;
use svetofor_feed::trust::human_duration;
use svetofor_feed::{Notice, Phase, Severity, Snapshot};

/// What `check` found.
pub type Report = svetofor_client::feed_check::Checked;

/// Makes untrusted text safe for a terminal: control characters (escape sequences, carriage
/// returns) and bidirectional overrides are shown as `\u{…}` instead of being obeyed.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if c.is_control() || bidi {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

fn first_line(s: &str) -> &str {
    s.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn label(s: Severity) -> &'static str {
    match s {
        Severity::Green => "GREEN",
        Severity::Yellow => "YELLOW",
        Severity::Red => "RED",
    }
}

fn status_words(s: Severity) -> &'static str {
    match s {
        Severity::Green => "all systems normal",
        Severity::Yellow => "degraded or under maintenance",
        Severity::Red => "outage",
    }
}

fn notice_line(out: &mut String, snap: &Snapshot, n: &Notice, now: DateTime<Utc>, lang: &str) {
    let dl = &snap.default_language;
    let _ = write!(
        out,
        "  [{:<6}] {} ({}, {}): {}",
        label(n.severity),
        clean(&n.id),
        n.kind,
        n.state,
        clean(n.title.get(lang, dl))
    );
    match (&n.window, snap.phase(n, now)) {
        (Some(w), Phase::Upcoming) | (Some(w), Phase::Active)
            if n.kind == svetofor_feed::Kind::Maintenance =>
        {
            let _ = write!(out, "\n           window {}", when(w.starts_at));
            if let Some(end) = w.ends_at {
                let _ = write!(out, " to {}", when(end));
            }
        }
        _ => {
            let _ = write!(out, "\n           since {}", when(n.created_at));
        }
    }
    if let Some(next) = n.next_update_at.filter(|_| !n.state.is_final()) {
        let overdue = if n.is_overdue(now) { " (overdue)" } else { "" };
        let _ = write!(out, ", next update by {}{overdue}", when(next));
    }
    out.push('\n');
    let body = first_line(n.body.get(lang, dl));
    if !body.is_empty() {
        let _ = writeln!(out, "           {}", clean(body));
    }
}

/// The human-readable report.
pub fn text(r: &Report, lang: Option<&str>) -> String {
    let snap = &r.snapshot;
    let lang = lang.unwrap_or(&snap.default_language);
    let now = r.now;
    let mut out = String::new();
    let _ = write!(out, "Valid {} feed \"{}\"", snap.format, clean(&snap.name));
    if let Some(seq) = snap.seq {
        let _ = write!(out, ", seq {seq}");
    }
    let _ = writeln!(out, "\n  Source:    {}", clean(&r.origin));
    let _ = match &r.signature {
        SignatureReport::Verified { key } => writeln!(out, "  Signature: verified, key {key}"),
        SignatureReport::Unverified { key: Some(key) } => writeln!(
            out,
            "  Signature: present (key {key}) but NOT verified: give --pubkey to verify it"
        ),
        SignatureReport::Unverified { key: None } => writeln!(
            out,
            "  Signature: present but unreadable, and NOT verified: give --pubkey to verify it"
        ),
        SignatureReport::Absent => writeln!(out, "  Signature: none"),
    };
    if let Some(g) = snap.generated_at {
        let _ = write!(out, "  Generated: {}", when(g));
        if let Some(e) = snap.expires_at {
            let _ = write!(
                out,
                "; expires {} (in {})",
                when(e),
                human_duration(e - now)
            );
        }
        out.push('\n');
    }
    let status = snap.status(now);
    let _ = writeln!(
        out,
        "\nStatus: {} ({})",
        label(status),
        status_words(status)
    );

    let sections = [
        ("In effect", snap.in_effect(now)),
        ("Upcoming", snap.upcoming(now)),
        ("History", snap.past(now)),
    ];
    for (title, notices) in sections {
        if notices.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title} ({}):", notices.len());
        for n in notices {
            notice_line(&mut out, snap, n, now, lang);
        }
    }
    if snap.notices.is_empty() {
        let _ = writeln!(out, "\nNo notices.");
    }
    out
}

#[derive(Serialize)]
struct JsonReport<'a> {
    valid: bool,
    source: &'a str,
    format: &'static str,
    status: Severity,
    checked_at: DateTime<Utc>,
    feed: JsonFeed<'a>,
    signature: JsonSignature,
    notices: Vec<JsonNotice<'a>>,
}

#[derive(Serialize)]
struct JsonFeed<'a> {
    id: &'a str,
    name: &'a str,
    seq: Option<u64>,
    generated_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
struct JsonSignature {
    /// "verified", "unverified" or "absent".
    status: &'static str,
    key_id: Option<String>,
}

#[derive(Serialize)]
struct JsonNotice<'a> {
    id: &'a str,
    severity: Severity,
    kind: svetofor_feed::Kind,
    state: svetofor_feed::State,
    phase: Phase,
    title: &'a str,
    body: &'a str,
    components: &'a [String],
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    window: Option<&'a svetofor_feed::Window>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_update_at: Option<DateTime<Utc>>,
    overdue: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

/// The report as one JSON object.
pub fn json(r: &Report, lang: Option<&str>) -> String {
    let snap = &r.snapshot;
    let dl = snap.default_language.as_str();
    let lang = lang.unwrap_or(dl);
    let (status, key) = match &r.signature {
        SignatureReport::Verified { key } => ("verified", Some(key.to_string())),
        SignatureReport::Unverified { key } => ("unverified", key.map(|k| k.to_string())),
        SignatureReport::Absent => ("absent", None),
    };
    let report = JsonReport {
        valid: true,
        source: &r.origin,
        format: snap.format.as_str(),
        status: snap.status(r.now),
        checked_at: r.now,
        feed: JsonFeed {
            id: &snap.id,
            name: &snap.name,
            seq: snap.seq,
            generated_at: snap.generated_at,
            expires_at: snap.expires_at,
        },
        signature: JsonSignature {
            status,
            key_id: key,
        },
        notices: snap
            .notices
            .iter()
            .map(|n| JsonNotice {
                id: &n.id,
                severity: n.severity,
                kind: n.kind,
                state: n.state,
                phase: snap.phase(n, r.now),
                title: n.title.get(lang, dl),
                body: n.body.get(lang, dl),
                components: &n.components,
                created_at: n.created_at,
                updated_at: n.updated_at,
                window: n.window.as_ref(),
                next_update_at: n.next_update_at,
                overdue: n.is_overdue(r.now),
                url: n.url.as_deref(),
            })
            .collect(),
    };
    serde_json::to_string(&report).expect("the report always serializes")
}

/// A refusal as one JSON object, for `--json` callers.
pub fn json_error(message: &str, code: u8) -> String {
    serde_json::json!({ "valid": false, "exit_code": code, "error": message }).to_string()
}
