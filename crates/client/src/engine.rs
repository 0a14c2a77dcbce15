//! The engine: follows the feed sources (push when offered, else polling), checks every
//! document, keeps the last good one on disk, and turns it into view states and alerts.
//!
//! One task, one loop. Every wait goes through [`Engine::wait_until`], which also runs the
//! timers (staleness, expiry, held alerts) and notices wall-clock jumps (a laptop waking up)
//! so the engine asks the sources again at once.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};
use serde::Serialize;
use svetofor_feed::trust::{check_expiry, check_seq};
use svetofor_feed::{Snapshot, TrustedKey, accept};
use tokio::sync::mpsc;

use crate::alerts::{self, Alert, NotifyPolicy};
use crate::cache::{Cache, CachedFeed, ClientState};
use crate::fetch::{Conditional, FetchError, Fetcher, FetcherOptions};
use crate::view::{self, Freshness, ViewState};

/// How an engine runs.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Feed URLs in order of preference: the primary, then mirrors.
    pub sources: Vec<String>,
    /// Pinned public keys; when any are set, every document must be signed by one.
    pub keys: Vec<TrustedKey>,
    /// Time between polls (±20 % jitter).
    pub poll_interval: Duration,
    /// Without a confirmation from any source for this long, the view turns stale.
    pub stale_after: Duration,
    /// Components this client follows (empty: all).
    pub components: Vec<String>,
    /// Who gets notified of what.
    pub notify: NotifyPolicy,
    /// Language for notice texts.
    pub language: String,
    /// Where the cache lives.
    pub cache_dir: PathBuf,
    /// Network settings.
    pub fetcher: FetcherOptions,
    /// Longest pause between rounds of failures.
    pub max_backoff: Duration,
    /// Alerts for the same notice closer together than this are merged into one.
    pub coalesce: Duration,
    /// Use `/events` when a source offers it.
    pub push: bool,
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
            max_backoff: Duration::from_secs(600),
            coalesce: Duration::from_secs(10),
            push: true,
        }
    }
}

impl EngineOptions {
    /// Options for the effective configuration `cfg`, caching in `cache_dir`. Reads the extra
    /// CA file the configuration names.
    pub fn from_config(
        cfg: &crate::config::Config,
        cache_dir: PathBuf,
    ) -> Result<EngineOptions, String> {
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
        opts.language = crate::i18n::Lang::from_config(&cfg.language)
            .tag()
            .to_owned();
        opts.fetcher = FetcherOptions::from_config(cfg)?;
        Ok(opts)
    }
}

/// The staleness window that follows from a poll interval: three missed polls.
pub fn stale_window(poll_interval: Duration) -> Duration {
    poll_interval * 3
}

/// How one source has been doing, for diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceHealth {
    /// The feed URL.
    pub url: String,
    /// Followed over its event stream (`false`: polled).
    pub push: bool,
    /// Last time it delivered or confirmed a good document.
    pub last_success: Option<DateTime<Utc>>,
    /// Last time it failed.
    pub last_failure: Option<DateTime<Utc>>,
    /// Why it last failed.
    pub last_error: Option<String>,
}

/// A live view of the engine's sources, readable from another task or thread.
#[derive(Debug, Clone, Default)]
pub struct Health(Arc<Mutex<Vec<SourceHealth>>>);

impl Health {
    /// The sources now, in order.
    pub fn sources(&self) -> Vec<SourceHealth> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }

    fn update(&self, idx: usize, f: impl FnOnce(&mut SourceHealth)) {
        if let Ok(mut v) = self.0.lock()
            && let Some(h) = v.get_mut(idx)
        {
            f(h);
        }
    }
}

/// What the engine tells its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineEvent {
    /// The view changed.
    State(ViewState),
    /// Show a notification.
    Alert(Alert),
}

/// The document being shown.
struct Current {
    snapshot: Snapshot,
    source: String,
    fetched_at: DateTime<Utc>,
    /// Last time a source confirmed it (a fetch, a 304, a keep-alive on its stream).
    confirmed_at: DateTime<Utc>,
    etag: Option<String>,
    last_modified: Option<String>,
    /// Loaded from disk and not yet confirmed in this run.
    from_cache: bool,
}

enum Outcome {
    /// A poll went through; wait for the next one.
    Polled,
    /// The source offers no event stream: poll it.
    NoPush,
    /// The stream went silent past its limit.
    Stalled,
    /// The stream ended (server restart, proxy timeout).
    Ended,
    /// The clock jumped: ask again now.
    Woke,
}

/// Why a fetched document was not shown.
#[derive(Debug)]
enum Failure {
    Fetch(FetchError),
    Rejected(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Fetch(e) => write!(f, "{e}"),
            Failure::Rejected(e) => f.write_str(e),
        }
    }
}

impl Failure {
    fn retry_after(&self) -> Option<Duration> {
        match self {
            Failure::Fetch(FetchError::Status {
                retry_after: Some(s),
                ..
            }) => Some(Duration::from_secs(*s)),
            _ => None,
        }
    }
}

/// A random fraction in [0, 1), from the OS generator.
fn random_fraction() -> f64 {
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

/// `/events` beside a `/feed.json` URL, where the publisher serves its stream.
pub fn events_url(feed_url: &str) -> Option<String> {
    let (base, query) = match feed_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (feed_url, None),
    };
    let base = base.strip_suffix("/feed.json")?;
    Some(match query {
        Some(q) => format!("{base}/events?{q}"),
        None => format!("{base}/events"),
    })
}

/// The engine.
pub struct Engine {
    opts: EngineOptions,
    fetcher: Fetcher,
    cache: Cache,
    state: ClientState,
    current: Option<Current>,
    last_error: Option<String>,
    shown: Option<ViewState>,
    tx: mpsc::Sender<EngineEvent>,
    held: HashMap<String, (Alert, Instant)>,
    last_alert: HashMap<String, Instant>,
    push_off: Vec<bool>,
    stalls: Vec<u32>,
    health: Health,
}

impl Engine {
    /// An engine and the receiver of its events.
    pub fn new(opts: EngineOptions) -> Result<(Engine, mpsc::Receiver<EngineEvent>), FetchError> {
        let fetcher = Fetcher::new(FetcherOptions {
            stream_idle_timeout: opts.fetcher.stream_idle_timeout,
            ..opts.fetcher.clone()
        })?;
        let (tx, rx) = mpsc::channel(256);
        let cache = Cache::new(opts.cache_dir.clone());
        let n = opts.sources.len();
        Ok((
            Engine {
                state: cache.load_state(),
                cache,
                fetcher,
                current: None,
                last_error: None,
                shown: None,
                tx,
                held: HashMap::new(),
                last_alert: HashMap::new(),
                push_off: vec![!opts.push; n],
                stalls: vec![0; n],
                health: Health(Arc::new(Mutex::new(
                    opts.sources
                        .iter()
                        .map(|url| SourceHealth {
                            url: url.clone(),
                            push: opts.push,
                            last_success: None,
                            last_failure: None,
                            last_error: None,
                        })
                        .collect(),
                ))),
                opts,
            },
            rx,
        ))
    }

    /// A handle on how the sources are doing, for diagnostics.
    pub fn health(&self) -> Health {
        self.health.clone()
    }

    fn source_index(&self, source: &str) -> Option<usize> {
        self.opts.sources.iter().position(|s| s == source)
    }

    /// Runs until the receiver is dropped.
    pub async fn run(mut self) {
        self.load_cache().await;
        if self.opts.sources.is_empty() {
            self.last_error = Some("no feed configured".to_owned());
            self.refresh().await;
            while !self.tx.is_closed() {
                self.wait_until(Instant::now() + Duration::from_secs(3600))
                    .await;
            }
            return;
        }
        let mut idx = 0usize;
        let mut failed_rounds = 0u32;
        let mut round_start = 0usize;
        let mut retry_after: Option<Duration> = None;
        while !self.tx.is_closed() {
            let result = if self.push_off[idx] {
                self.poll(idx).await
            } else {
                self.follow(idx).await
            };
            match result {
                Ok(Outcome::Polled) => {
                    failed_rounds = 0;
                    let jitter = 0.8 + 0.4 * random_fraction();
                    let next = Instant::now() + self.opts.poll_interval.mul_f64(jitter);
                    self.wait_until(next).await;
                }
                Ok(Outcome::NoPush) => self.push_off[idx] = true,
                Ok(Outcome::Stalled) => {
                    self.stalls[idx] += 1;
                    if self.stalls[idx] >= 3 {
                        tracing::warn!(
                            "{}: event stream keeps stalling (a buffering proxy?); polling instead",
                            self.opts.sources[idx]
                        );
                        self.push_off[idx] = true;
                    }
                }
                Ok(Outcome::Ended) => {
                    failed_rounds = 0;
                    let pause = Duration::from_millis(500 + (1500.0 * random_fraction()) as u64);
                    self.wait_until(Instant::now() + pause).await;
                }
                Ok(Outcome::Woke) => {}
                Err(e) => {
                    tracing::warn!("{e}");
                    self.last_error = Some(e.to_string());
                    let push = !self.push_off[idx];
                    self.health.update(idx, |h| {
                        h.push = push;
                        h.last_failure = Some(Utc::now());
                        h.last_error = Some(e.to_string());
                    });
                    retry_after = retry_after.max(e.retry_after());
                    self.refresh().await;
                    idx = (idx + 1) % self.opts.sources.len();
                    if idx == round_start {
                        // Every source failed: back off with full jitter before the next round.
                        failed_rounds = failed_rounds.saturating_add(1);
                        let cap = Duration::from_secs(2)
                            .saturating_mul(1u32 << failed_rounds.min(16))
                            .min(self.opts.max_backoff);
                        let pause = cap.mul_f64(random_fraction()).max(
                            retry_after
                                .take()
                                .unwrap_or_default()
                                .min(self.opts.max_backoff),
                        );
                        self.wait_until(Instant::now() + pause).await;
                    }
                    continue;
                }
            }
            // After a success or a stream that ended, start again from the primary: a mirror
            // is only for while the primary is down.
            if !matches!(result, Ok(Outcome::NoPush) | Ok(Outcome::Stalled)) {
                idx = 0;
                round_start = 0;
            }
        }
    }

    async fn load_cache(&mut self) {
        let Some(c) = self.cache.load_feed() else {
            self.refresh().await;
            return;
        };
        // Re-check what was stored: keys may have changed since. Expiry is not an error
        // here: an expired document is still the last known status, shown as stale.
        let result = accept(
            c.document.as_bytes(),
            c.signature.as_deref(),
            &self.opts.keys,
            Utc::now(),
            None,
        )
        .map(|a| a.snapshot)
        .or_else(|e| match e {
            svetofor_feed::FeedError::Expired { .. } => {
                svetofor_feed::read(c.document.as_bytes()).map_err(Into::into)
            }
            e => Err(e),
        });
        match result {
            Ok(snapshot) => {
                // Alerts were decided when it was fetched; only bring the memory up to date.
                let now = Utc::now();
                let fresh = alerts::decide(
                    &snapshot,
                    now,
                    &mut self.state.memory,
                    self.opts.notify,
                    &self.opts.components,
                    &self.opts.language,
                );
                for a in fresh {
                    self.hold_or_send(a).await;
                }
                let _ = self.cache.store_state(&self.state);
                self.current = Some(Current {
                    snapshot,
                    source: c.source,
                    fetched_at: c.fetched_at,
                    confirmed_at: c.fetched_at,
                    etag: c.etag,
                    last_modified: c.last_modified,
                    from_cache: true,
                });
            }
            Err(e) => tracing::warn!("cached feed no longer verifies ({e}); ignoring it"),
        }
        self.refresh().await;
    }

    /// Checks a document and, if it is good, shows it.
    async fn take(
        &mut self,
        source: &str,
        bytes: &[u8],
        signature: Option<&str>,
        etag: Option<String>,
        last_modified: Option<String>,
    ) -> Result<(), Failure> {
        let now = Utc::now();
        let accepted = accept(bytes, signature, &self.opts.keys, now, None)
            .map_err(|e| Failure::Rejected(format!("{source}: {e}")))?;
        let snapshot = accepted.snapshot;
        let highest = self.state.highest_seq.get(&snapshot.id).copied();
        check_seq(&snapshot, highest).map_err(|e| Failure::Rejected(format!("{source}: {e}")))?;
        check_expiry(&snapshot, now).map_err(|e| Failure::Rejected(format!("{source}: {e}")))?;
        if let Some(seq) = snapshot.seq {
            self.state
                .highest_seq
                .insert(snapshot.id.clone(), seq.max(highest.unwrap_or(0)));
        }
        let document = String::from_utf8_lossy(bytes).into_owned();
        let record = CachedFeed {
            source: source.to_owned(),
            fetched_at: now,
            seq: snapshot.seq,
            etag: etag.clone(),
            last_modified: last_modified.clone(),
            document,
            signature: signature.map(str::to_owned),
        };
        if let Err(e) = self.cache.store_feed(&record) {
            tracing::warn!(
                "cannot write the cache in {}: {e}",
                self.cache.dir().display()
            );
        }
        let fresh = alerts::decide(
            &snapshot,
            now,
            &mut self.state.memory,
            self.opts.notify,
            &self.opts.components,
            &self.opts.language,
        );
        if let Err(e) = self.cache.store_state(&self.state) {
            tracing::warn!("cannot write the client state: {e}");
        }
        self.current = Some(Current {
            snapshot,
            source: source.to_owned(),
            fetched_at: now,
            confirmed_at: now,
            etag,
            last_modified,
            from_cache: false,
        });
        self.last_error = None;
        self.mark_success(source);
        for a in fresh {
            self.hold_or_send(a).await;
        }
        self.refresh().await;
        Ok(())
    }

    fn mark_success(&self, source: &str) {
        if let Some(idx) = self.source_index(source) {
            let push = !self.push_off[idx];
            self.health.update(idx, |h| {
                h.push = push;
                h.last_success = Some(Utc::now());
            });
        }
    }

    /// Marks the shown document as confirmed by `source` now.
    async fn confirm(&mut self, source: &str) {
        if let Some(c) = self.current.as_mut()
            && c.source == source
        {
            c.confirmed_at = Utc::now();
            c.from_cache = false;
            self.last_error = None;
        }
        self.mark_success(source);
        self.refresh().await;
    }

    async fn poll(&mut self, idx: usize) -> Result<Outcome, Failure> {
        let url = self.opts.sources[idx].clone();
        let (etag, lm) = match &self.current {
            Some(c) if c.source == url => (c.etag.clone(), c.last_modified.clone()),
            _ => (None, None),
        };
        match self
            .fetcher
            .get_conditional(&url, etag.as_deref(), lm.as_deref())
            .await
        {
            Ok(Conditional::NotModified) => {
                self.confirm(&url).await;
                Ok(Outcome::Polled)
            }
            Ok(Conditional::Fresh(f)) => {
                let signature = if self.opts.keys.is_empty() {
                    None
                } else {
                    let sig_url = format!("{url}.minisig");
                    match self
                        .fetcher
                        .get_optional(&sig_url)
                        .await
                        .map_err(Failure::Fetch)?
                    {
                        Some(s) => Some(String::from_utf8_lossy(&s.bytes).into_owned()),
                        None => {
                            return Err(Failure::Rejected(format!(
                                "{url}: not signed (no {sig_url}), but keys are pinned"
                            )));
                        }
                    }
                };
                self.take(
                    &url,
                    &f.bytes,
                    signature.as_deref(),
                    f.etag,
                    f.last_modified,
                )
                .await?;
                Ok(Outcome::Polled)
            }
            Err(e) => Err(Failure::Fetch(e)),
        }
    }

    async fn follow(&mut self, idx: usize) -> Result<Outcome, Failure> {
        let url = self.opts.sources[idx].clone();
        let Some(events) = events_url(&url) else {
            return Ok(Outcome::NoPush);
        };
        let last_id = self
            .current
            .as_ref()
            .filter(|c| c.source == url)
            .and_then(|c| c.snapshot.seq)
            .map(|s| s.to_string());
        let mut resp = match self.fetcher.open_stream(&events, last_id.as_deref()).await {
            Ok(r) => r,
            Err(FetchError::Status {
                status: 404 | 405 | 501,
                ..
            }) => return Ok(Outcome::NoPush),
            Err(e) => return Err(Failure::Fetch(e)),
        };
        let is_stream = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if !is_stream {
            return Ok(Outcome::NoPush);
        }
        // The stream is up: what we show from this source is confirmed as of now.
        self.confirm(&url).await;
        let mut parser = SseParser::default();
        // After the stream carried a document we refused, its keep-alives no longer vouch for
        // what we show: the publisher has moved on to something we cannot accept.
        let mut refused = false;
        loop {
            let deadline = self.next_deadline();
            let wall = SystemTime::now();
            let mono = Instant::now();
            let chunk = tokio::select! {
                c = self.fetcher.next_chunk(&events, &mut resp) => c,
                _ = tokio::time::sleep_until(deadline.into()) => {
                    if clock_jumped(wall, mono) {
                        return Ok(Outcome::Woke);
                    }
                    self.on_timers().await;
                    continue;
                }
            };
            let chunk = match chunk {
                Ok(Some(c)) => c,
                Ok(None) => return Ok(Outcome::Ended),
                Err(FetchError::Timeout { .. }) => return Ok(Outcome::Stalled),
                Err(e) => return Err(Failure::Fetch(e)),
            };
            self.stalls[idx] = 0;
            let batch = parser
                .push(&chunk)
                .map_err(|e| Failure::Rejected(format!("{events}: {e}")))?;
            if batch.is_empty() && !refused {
                // A keep-alive comment: the publisher is there and has nothing new.
                self.confirm(&url).await;
            }
            for ev in batch {
                if ev.event != "snapshot" {
                    continue;
                }
                let data: SnapshotEvent = match serde_json::from_str(&ev.data) {
                    Ok(d) => d,
                    Err(e) => {
                        tracing::warn!("{events}: unreadable snapshot event: {e}");
                        continue;
                    }
                };
                match self
                    .take(
                        &url,
                        data.feed.as_bytes(),
                        Some(&data.signature),
                        None,
                        None,
                    )
                    .await
                {
                    Ok(()) => refused = false,
                    Err(e) => {
                        // A bad document on the stream: keep the last good one, stay connected.
                        tracing::warn!("{e}");
                        self.last_error = Some(e.to_string());
                        refused = true;
                    }
                }
            }
        }
    }

    /// The next time a timer is due.
    fn next_deadline(&self) -> Instant {
        let now_i = Instant::now();
        let now = Utc::now();
        let mut next = now_i + Duration::from_secs(5);
        if let Some(c) = &self.current {
            let stale_at = c.confirmed_at
                + chrono::TimeDelta::from_std(self.opts.stale_after).unwrap_or_default();
            for t in [Some(stale_at), c.snapshot.expires_at]
                .into_iter()
                .flatten()
            {
                if let Ok(d) = (t - now).to_std() {
                    next = next.min(now_i + d + Duration::from_millis(5));
                }
            }
        }
        for (_, due) in self.held.values() {
            next = next.min(*due);
        }
        next
    }

    /// Runs the timers: held alerts that are due, and the view (freshness, overdue marks).
    async fn on_timers(&mut self) {
        let now = Instant::now();
        let due: Vec<String> = self
            .held
            .iter()
            .filter(|(_, (_, t))| *t <= now)
            .map(|(k, _)| k.clone())
            .collect();
        for id in due {
            if let Some((a, _)) = self.held.remove(&id) {
                self.last_alert.insert(id, now);
                let _ = self.tx.send(EngineEvent::Alert(a)).await;
            }
        }
        self.refresh().await;
    }

    /// Waits until `until`, running timers on the way; returns early if the wall clock jumped.
    async fn wait_until(&mut self, until: Instant) -> bool {
        loop {
            let now = Instant::now();
            if now >= until || self.tx.is_closed() {
                return false;
            }
            let step = self.next_deadline().min(until);
            let wall = SystemTime::now();
            tokio::time::sleep_until(step.into()).await;
            if clock_jumped(wall, now) {
                tracing::info!("the clock jumped (resume from sleep?): asking the sources now");
                return true;
            }
            self.on_timers().await;
        }
    }

    /// Sends an alert now, or holds it when the same notice alerted a moment ago, so a burst
    /// becomes one notification.
    async fn hold_or_send(&mut self, a: Alert) {
        let now = Instant::now();
        if let Some((held, _)) = self.held.get_mut(&a.notice_id) {
            let mut list = vec![held.clone()];
            alerts::coalesce(&mut list, a);
            *held = list.remove(0);
            return;
        }
        let recent = self
            .last_alert
            .get(&a.notice_id)
            .is_some_and(|t| now.duration_since(*t) < self.opts.coalesce);
        if recent {
            let due = self.last_alert[&a.notice_id] + self.opts.coalesce;
            self.held.insert(a.notice_id.clone(), (a, due));
        } else {
            self.last_alert.insert(a.notice_id.clone(), now);
            self.last_alert
                .retain(|_, t| now.duration_since(*t) < Duration::from_secs(3600));
            let _ = self.tx.send(EngineEvent::Alert(a)).await;
        }
    }

    /// Recomputes the view and sends it when it changed.
    async fn refresh(&mut self) {
        let now = Utc::now();
        let view = match &self.current {
            None => {
                let mut v = ViewState::unknown();
                v.stale_reason = self.last_error.clone();
                v
            }
            Some(c) => {
                let mut v =
                    view::build(&c.snapshot, now, &self.opts.components, &self.opts.language);
                v.source = Some(c.source.clone());
                v.fetched_at = Some(c.fetched_at);
                v.cached = c.from_cache;
                let unconfirmed = now - c.confirmed_at
                    > chrono::TimeDelta::from_std(self.opts.stale_after).unwrap_or_default();
                if let Some(exp) = c.snapshot.expires_at.filter(|e| *e <= now) {
                    v.freshness = Freshness::Stale;
                    v.stale_since = Some(exp);
                    v.stale_reason = Some(format!(
                        "the feed expired at {}{}",
                        exp.format("%Y-%m-%d %H:%M UTC"),
                        self.last_error
                            .as_ref()
                            .map(|e| format!("; {e}"))
                            .unwrap_or_default()
                    ));
                } else if c.from_cache || unconfirmed {
                    v.freshness = Freshness::Stale;
                    v.stale_since = Some(c.confirmed_at);
                    v.stale_reason = Some(self.last_error.clone().unwrap_or_else(|| {
                        if c.from_cache {
                            "shown from the cache; no source has answered yet".to_owned()
                        } else {
                            "no source has confirmed it lately".to_owned()
                        }
                    }));
                }
                v
            }
        };
        if self.shown.as_ref() != Some(&view) {
            self.shown = Some(view.clone());
            let _ = self.tx.send(EngineEvent::State(view)).await;
        }
    }
}

/// True when the wall clock moved more than 5 s further than the monotonic clock since the
/// pair was taken: the machine slept.
fn clock_jumped(wall: SystemTime, mono: Instant) -> bool {
    let walled = SystemTime::now().duration_since(wall).unwrap_or_default();
    walled > mono.elapsed() + Duration::from_secs(5)
}

#[derive(serde::Deserialize)]
struct SnapshotEvent {
    feed: String,
    signature: String,
}

/// One server-sent event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseEvent {
    /// `event:` (default `message`).
    pub event: String,
    /// `id:`.
    pub id: String,
    /// `data:` lines joined by newlines.
    pub data: String,
}

/// An incremental parser of `text/event-stream`, bounded in memory.
#[derive(Debug, Default)]
pub struct SseParser {
    buf: Vec<u8>,
}

/// Largest event accepted: a 1 MiB document, JSON-escaped, plus its signature.
pub const MAX_EVENT_BYTES: usize = 8 * 1024 * 1024;

impl SseParser {
    /// Feeds bytes; returns the complete events in them. An event larger than
    /// [`MAX_EVENT_BYTES`] is an error.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<SseEvent>, String> {
        self.buf.extend_from_slice(bytes);
        let mut out = vec![];
        loop {
            let end = self
                .buf
                .windows(2)
                .position(|w| w == b"\n\n")
                .map(|i| (i, 2))
                .or_else(|| {
                    self.buf
                        .windows(4)
                        .position(|w| w == b"\r\n\r\n")
                        .map(|i| (i, 4))
                });
            let Some((i, sep)) = end else { break };
            let block: Vec<u8> = self.buf.drain(..i + sep).collect();
            let text = String::from_utf8_lossy(&block);
            let mut ev = SseEvent {
                event: "message".to_owned(),
                ..SseEvent::default()
            };
            let mut any = false;
            for line in text.lines() {
                let (field, value) = match line.split_once(':') {
                    Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                    None => (line, ""),
                };
                match field {
                    "" => {} // a comment
                    "event" => ev.event = value.to_owned(),
                    "id" => ev.id = value.to_owned(),
                    "data" => {
                        if any {
                            ev.data.push('\n');
                        }
                        ev.data.push_str(value);
                        any = true;
                    }
                    _ => {}
                }
            }
            if any {
                out.push(ev);
            }
        }
        if self.buf.len() > MAX_EVENT_BYTES {
            self.buf.clear();
            return Err(format!("an event larger than {MAX_EVENT_BYTES} bytes"));
        }
        Ok(out)
    }
}
