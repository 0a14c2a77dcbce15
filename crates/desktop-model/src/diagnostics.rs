//! "Copy diagnostics": a plain-text report a user can paste to support. It says which
//! version runs, where the settings came from, how each feed source has been doing and how
//! old the shown status is. Secrets never appear: values go through
//! [`config::shown_value`], and URLs lose their user info and query.
//!
//! The report is for support staff and stays in English whatever the UI language.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, Utc};

use svetofor_client::config::{Config, Key, Origin};
use svetofor_client::engine::SourceHealth;
use svetofor_client::view::ViewState;

/// Everything the report covers.
pub struct Inputs<'a> {
    /// App version.
    pub version: &'a str,
    /// UI language tag.
    pub language: &'a str,
    /// The effective configuration, or why it could not be read.
    pub config: Result<&'a Config, &'a str>,
    /// The user's settings file.
    pub user_file: Option<&'a Path>,
    /// The system policy file.
    pub policy_file: &'a Path,
    /// Feeds given on the command line for this run (they replace the configured ones).
    pub feeds_override: bool,
    /// How each source has been doing.
    pub sources: &'a [SourceHealth],
    /// What is shown.
    pub view: &'a ViewState,
    /// Where the cache lives.
    pub cache_dir: Option<&'a Path>,
    pub now: DateTime<Utc>,
}

/// A URL fit for a report: no user info (`user:pass@`), no query (tokens hide there).
pub fn safe_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        // Not a URL: nothing in it can be told apart from a secret.
        return "(not a URL)".to_owned();
    };
    let had_query = parsed.query().is_some();
    // Neither can fail on a URL with a host, the only kind that carries user info.
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    parsed.set_query(None);
    parsed.set_fragment(None);
    let mut shown = parsed.to_string();
    if had_query {
        shown.push_str("?…");
    }
    shown
}

fn when(t: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match t {
        Some(t) => format!(
            "{} ({} s ago)",
            t.format("%Y-%m-%d %H:%M:%S UTC"),
            (now - t).num_seconds().max(0)
        ),
        None => "never".to_owned(),
    }
}

pub fn report(i: &Inputs<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Svetofor {} diagnostics, {}",
        i.version,
        i.now.format("%Y-%m-%d %H:%M:%S UTC")
    );
    let _ = writeln!(
        out,
        "OS: {} {}; UI language: {}",
        std::env::consts::OS,
        std::env::consts::ARCH,
        i.language
    );
    let _ = writeln!(
        out,
        "Settings: user file {}; policy {}",
        i.user_file
            .map_or("(none)".into(), |p| p.display().to_string()),
        i.policy_file.display()
    );
    match i.config {
        Ok(cfg) => {
            let locked: Vec<&str> = Key::ALL
                .into_iter()
                .filter(|k| cfg.is_locked(*k))
                .map(Key::as_str)
                .collect();
            let _ = writeln!(
                out,
                "Locked by policy: {}",
                if locked.is_empty() {
                    "nothing".to_owned()
                } else {
                    locked.join(", ")
                }
            );
            for key in Key::ALL {
                let origin = match cfg.origins.get(&key) {
                    Some(Origin::Policy) => "policy",
                    Some(Origin::User) => "user",
                    _ => "default",
                };
                let mut value = cfg.shown_value(key);
                if key == Key::Feeds
                    && let Some(list) = value.as_array_mut()
                {
                    for v in list.iter_mut() {
                        if let Some(s) = v.as_str() {
                            *v = serde_json::Value::String(safe_url(s));
                        }
                    }
                }
                let _ = writeln!(out, "  {key} = {value} ({origin})");
            }
        }
        Err(e) => {
            let _ = writeln!(out, "Settings could not be read: {e}");
        }
    }
    if i.feeds_override {
        let _ = writeln!(
            out,
            "Feeds for this run come from the command line (--feed)."
        );
    }
    let _ = writeln!(out, "Sources:");
    if i.sources.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for (n, s) in i.sources.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {}. {} [{}]\n     last success: {}\n     last failure: {}{}",
            n + 1,
            safe_url(&s.url),
            if s.push { "push" } else { "poll" },
            when(s.last_success, i.now),
            when(s.last_failure, i.now),
            s.last_error
                .as_deref()
                .map(|e| format!("\n     error: {}", redact(e, &s.url)))
                .unwrap_or_default()
        );
    }
    let v = i.view;
    let status = v.status.map_or("unknown", |s| s.as_str());
    let _ = writeln!(
        out,
        "Shown: status {status}, {:?}{}, {} notice(s) in effect",
        v.freshness,
        if v.cached { " (from cache)" } else { "" },
        v.notices.len()
    );
    let _ = writeln!(out, "Shown document: fetched {}", when(v.fetched_at, i.now));
    if let Some(src) = &v.source {
        let _ = writeln!(out, "  from {}", safe_url(src));
    }
    if let Some(r) = &v.stale_reason {
        let _ = writeln!(out, "  stale because: {r}");
    }
    if let Some(dir) = i.cache_dir {
        let cached = std::fs::metadata(dir.join("last-feed.json"))
            .and_then(|m| m.modified())
            .ok()
            .map(DateTime::<Utc>::from);
        let _ = writeln!(
            out,
            "Cache: {} (last-feed.json written {})",
            dir.display(),
            when(cached, i.now)
        );
    }
    out
}

/// An error message with the source URL's secrets taken out, should the message quote it.
fn redact(message: &str, url: &str) -> String {
    if url.contains('@') || url.contains('?') {
        message.replace(url, &safe_url(url))
    } else {
        message.to_owned()
    }
}
