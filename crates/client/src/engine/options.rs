//! How an engine runs, and how a configuration becomes that.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};

use svetofor_feed::TrustedKey;

use crate::alerts::NotifyPolicy;
use crate::config::Config;
use crate::fetch::{CaFileError, FetcherOptions};

/// How an engine runs.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Feed URLs in order of preference: the primary, then mirrors.
    pub sources: Vec<String>,
    /// When any are set, every document must be signed by one.
    pub keys: Vec<TrustedKey>,
    /// Time between polls (±20 % jitter).
    pub poll_interval: Duration,
    /// Without a confirmation from any source for this long, the view turns stale.
    pub stale_after: Duration,
    /// Components this client follows (empty: all).
    pub components: Vec<String>,
    pub notify: NotifyPolicy,
    /// Language tag for notice texts (`ru`, `en`).
    pub language: String,
    pub cache_dir: PathBuf,
    pub fetcher: FetcherOptions,
    /// Longest pause between rounds of failures.
    pub max_backoff: Duration,
    /// Alerts for the same notice closer together than this are merged into one.
    pub coalesce: Duration,
    /// Use `/events` when a source offers it.
    pub push: bool,
    /// How long a source without a usable stream is polled before its stream is tried again.
    pub push_retry: Duration,
    /// When this process's previous engine last heard from a source (settings were saved):
    /// the cached document it left is as fresh as that, not "from the cache".
    pub heard_at: Option<DateTime<Utc>>,
}

impl EngineOptions {
    /// Defaults for `sources`: poll every 60 s, stale after three missed polls.
    pub fn new(sources: Vec<String>, cache_dir: PathBuf) -> Self {
        let poll_interval = Duration::from_secs(60);
        EngineOptions {
            sources,
            keys: vec![],
            poll_interval,
            stale_after: stale_window(poll_interval),
            components: vec![],
            notify: NotifyPolicy::default(),
            language: "en".to_owned(),
            cache_dir,
            fetcher: FetcherOptions::default(),
            max_backoff: Duration::from_secs(300),
            coalesce: Duration::from_secs(10),
            push: true,
            push_retry: Duration::from_secs(600),
            heard_at: None,
        }
    }

    /// Options for the effective configuration `cfg`, caching in `cache_dir`. Reads the extra
    /// CA file the configuration names.
    pub fn from_config(cfg: &Config, cache_dir: PathBuf) -> Result<EngineOptions, CaFileError> {
        let mut opts = EngineOptions::new(cfg.feeds.clone(), cache_dir);
        opts.keys = cfg.public_keys.clone();
        opts.poll_interval = cfg.poll_interval;
        opts.stale_after = stale_window(cfg.poll_interval);
        opts.components = cfg.components.clone();
        opts.notify = NotifyPolicy {
            min_severity: cfg.notify_min_severity,
            red_always: cfg.notify_red_always,
        };
        // Notice texts in the configured language, else the OS's (when the feed has it).
        opts.language = crate::Lang::from_config(&cfg.language).tag().to_owned();
        opts.fetcher = FetcherOptions::from_config(cfg)?;
        Ok(opts)
    }
}

/// The staleness window that follows from a poll interval: three missed polls.
pub fn stale_window(poll_interval: Duration) -> Duration {
    poll_interval * 3
}
