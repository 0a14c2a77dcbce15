//! `watch`: the client engine without a GUI, printing what the desktop app would show.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use serde_json::json;
use svetofor_client::config::{self, CommandLine, Config};
use svetofor_client::engine::{Engine, EngineEvent, EngineOptions};
use svetofor_client::view::{Freshness, ViewState};

use crate::Failure;

/// `watch` options.
#[derive(Args)]
pub struct WatchArgs {
    /// Feed URL; repeat for mirrors, in order. Overrides the configured feeds.
    #[arg(long = "feed", value_name = "URL")]
    feeds: Vec<String>,
    /// Trusted public key (base64 or a .pub file); repeat for several. Overrides the configured keys.
    #[arg(long = "pubkey", value_name = "KEY_OR_FILE")]
    pubkeys: Vec<String>,
    /// Cache folder. Default: the OS cache folder (~/.cache/svetofor).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// User configuration file. Default: ~/.config/svetofor/config.toml. The system policy
    /// (or SVETOFOR_POLICY) applies on top and wins.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Poll interval in seconds; the view turns stale after three missed polls.
    #[arg(long, value_name = "SECS")]
    interval: Option<u64>,
    /// Longest pause between retries while every source fails, in seconds (5 at most while
    /// the last good status is red).
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    max_backoff: u64,
    /// Poll only; do not use the publisher's event stream.
    #[arg(long)]
    no_push: bool,
    /// One JSON object per line.
    #[arg(long)]
    json: bool,
}

fn state_json(v: &ViewState) -> serde_json::Value {
    let mut obj = serde_json::to_value(v).unwrap_or_default();
    obj["type"] = json!("state");
    obj["status"] = match v.status {
        Some(s) => json!(s),
        None => json!("unknown"),
    };
    obj
}

fn state_text(v: &ViewState) -> String {
    let status = v
        .status
        .map(|s| s.as_str().to_uppercase())
        .unwrap_or_else(|| "UNKNOWN".to_owned());
    let fresh = match v.freshness {
        Freshness::Live => "live".to_owned(),
        Freshness::Unknown => "no status yet".to_owned(),
        Freshness::Stale => format!(
            "STALE since {}{}",
            v.stale_since
                .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                .unwrap_or_default(),
            v.stale_reason
                .as_ref()
                .map(|r| format!(" ({})", crate::render::clean(r)))
                .unwrap_or_default()
        ),
    };
    let mut out = format!(
        "[{}] {status}, {fresh}",
        chrono::Utc::now().format("%H:%M:%S")
    );
    for n in &v.notices {
        out.push_str(&format!(
            "\n  {} {} {}: {}{}",
            n.severity.as_str().to_uppercase(),
            n.kind,
            n.state,
            crate::render::clean(&n.title),
            if n.overdue { " (update overdue)" } else { "" }
        ));
    }
    out
}

fn resolve(args: &WatchArgs) -> Result<(Config, PathBuf), Failure> {
    let user = args.config.clone().or_else(config::user_config_path);
    let policy = config::policy_path();
    let mut cfg =
        config::load(user.as_deref(), Some(&policy)).map_err(|e| Failure::usage(e.to_string()))?;
    cfg.apply_command_line(CommandLine {
        feeds: &args.feeds,
        pubkeys: &args.pubkeys,
        interval: args.interval,
    })?;
    if cfg.feeds.is_empty() {
        return Err(Failure::usage(format!(
            "no feed: give --feed URL, or set feeds in {} or the policy {}",
            user.map(|p| p.display().to_string())
                .unwrap_or_else(|| "the user config".to_owned()),
            policy.display()
        )));
    }
    let cache = args
        .cache_dir
        .clone()
        .unwrap_or_else(config::default_cache_dir);
    Ok((cfg, cache))
}

pub fn run(args: WatchArgs) -> Result<(), Failure> {
    let (cfg, cache_dir) = resolve(&args)?;
    let mut opts = EngineOptions::from_config(&cfg, cache_dir)
        .map_err(|e| Failure::unreadable(e.to_string()))?;
    opts.max_backoff = Duration::from_secs(args.max_backoff.max(1));
    opts.push = !args.no_push;
    crate::failure::block_on(async move {
        let (engine, mut rx) = Engine::new(opts).map_err(|e| Failure::usage(e.to_string()))?;
        tokio::spawn(engine.run());
        loop {
            let ev = tokio::select! {
                ev = rx.recv() => ev,
                _ = tokio::signal::ctrl_c() => None,
            };
            let Some(ev) = ev else { break };
            let line = match (&ev, args.json) {
                (EngineEvent::State(v), true) => state_json(v).to_string(),
                (EngineEvent::State(v), false) => state_text(v),
                (EngineEvent::Alert(a), true) => {
                    let mut obj = serde_json::to_value(a).unwrap_or_default();
                    obj["type"] = json!("alert");
                    obj.to_string()
                }
                (EngineEvent::Alert(a), false) => format!(
                    "[{}] ALERT {} {:?}: {}",
                    chrono::Utc::now().format("%H:%M:%S"),
                    a.severity.as_str().to_uppercase(),
                    a.reason,
                    crate::render::clean(&a.title)
                ),
            };
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{line}").and_then(|_| out.flush()).is_err() {
                break; // stdout closed: nobody is watching
            }
        }
        Ok(())
    })?
}
