//! The engine: follows the feed sources (push when offered, else polling), checks every
//! document, keeps the last good one on disk, and turns it into view states and alerts.
//!
//! One task, one loop, one owner of the state ([`Engine::run`]). Every wait goes through
//! `wait_until`, which also runs the timers (staleness, expiry, held alerts) and notices
//! wall-clock jumps (a laptop waking up) so the engine asks the sources again at once. The
//! parts with rules of their own are pure and tested beside their code:
//!
//! - [`options`]: how an engine runs, from a configuration.
//! - [`sources`]: one poll or one followed stream, and what came of it.
//! - [`sse`]: the event-stream parser.
//! - [`backoff`]: how long to wait between polls and after failures.
//! - [`freshness`]: what the shown document means now (live, stale, expired).
//! - [`coalesce`]: a burst of alerts for one notice becomes one.
//! - [`health`]: how each source has been doing, for diagnostics.

mod backoff;
mod coalesce;
mod freshness;
mod health;
mod options;
mod sources;
mod sse;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};
use svetofor_feed::accept;
use tokio::sync::{Notify, mpsc};

use crate::alerts::{self, Alert};
use crate::cache::{Cache, CachedFeed, ClientState};
use crate::fetch::{FetchError, Fetcher, FetcherOptions};
use crate::view::ViewState;

use backoff::random_fraction;
use coalesce::Coalescer;
use freshness::{Current, Rules};
use sources::{Failure, Outcome, clock_jumped};

pub use health::{Health, SourceHealth};
pub use options::{EngineOptions, stale_window};
pub use sse::{MAX_EVENT_BYTES, SseEvent, SseParser, events_url};

/// What the engine tells its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineEvent {
    /// The view changed.
    State(ViewState),
    /// Show a notification.
    Alert(Alert),
}

/// The engine. Build it with [`Engine::new`], then spawn [`Engine::run`].
pub struct Engine {
    opts: EngineOptions,
    fetcher: Fetcher,
    cache: Cache,
    state: ClientState,
    current: Option<Current>,
    last_error: Option<String>,
    shown: Option<ViewState>,
    tx: mpsc::Sender<EngineEvent>,
    coalescer: Coalescer,
    /// By source index: the source offered no usable stream, so it is polled until then.
    push_off_until: Vec<Option<Instant>>,
    /// By source index: streams in a row that went silent past their limit.
    stalls: Vec<u32>,
    health: Health,
    /// The first failure since a source last answered.
    failing_since: Option<DateTime<Utc>>,
    /// Set once a whole round failed: since when every source has been failing.
    down_since: Option<DateTime<Utc>>,
    wake: Arc<Notify>,
}

/// Asks a running engine to try its sources at once (the network changed).
#[derive(Debug, Clone)]
pub struct Waker(Arc<Notify>);

impl Waker {
    /// Wakes the engine; a wake while it is busy is kept for its next wait.
    pub fn wake(&self) {
        self.0.notify_one();
    }
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
                coalescer: Coalescer::new(opts.coalesce),
                push_off_until: vec![None; n],
                stalls: vec![0; n],
                health: Health::new(&opts.sources, opts.push),
                failing_since: None,
                down_since: None,
                wake: Arc::default(),
                opts,
            },
            rx,
        ))
    }

    /// A handle on how the sources are doing, for diagnostics.
    pub fn health(&self) -> Health {
        self.health.clone()
    }

    /// A handle that makes the engine try its sources at once.
    pub fn waker(&self) -> Waker {
        Waker(self.wake.clone())
    }

    /// Whether source `idx` is polled now rather than followed over its stream.
    fn polled(&self, idx: usize) -> bool {
        !self.opts.push || self.push_off_until[idx].is_some_and(|until| Instant::now() < until)
    }

    /// Polls source `idx` for `push_retry`, then tries its stream again (a publisher
    /// upgraded, a proxy fixed).
    fn poll_for_a_while(&mut self, idx: usize) {
        self.push_off_until[idx] = Some(Instant::now() + self.opts.push_retry);
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
            let result = if self.polled(idx) {
                self.poll(idx).await
            } else {
                self.follow(idx).await
            };
            match result {
                Ok(Outcome::Polled) => {
                    failed_rounds = 0;
                    let wait = backoff::poll_wait(self.opts.poll_interval, random_fraction());
                    self.wait_until(Instant::now() + wait).await;
                }
                Ok(Outcome::NoPush) => self.poll_for_a_while(idx),
                Ok(Outcome::Stalled) => {
                    self.stalls[idx] += 1;
                    if self.stalls[idx] >= 3 {
                        tracing::warn!(
                            "{}: event stream keeps stalling (a buffering proxy?); polling it for a while",
                            self.opts.sources[idx]
                        );
                        self.stalls[idx] = 0;
                        self.poll_for_a_while(idx);
                    }
                }
                Ok(Outcome::Ended) => {
                    failed_rounds = 0;
                    let pause = backoff::reconnect_pause(random_fraction());
                    self.wait_until(Instant::now() + pause).await;
                }
                Ok(Outcome::Woke) => {}
                Ok(Outcome::Busy(retry_after)) => {
                    failed_rounds = 0;
                    // Never later than the next poll would be anyway.
                    let poll = backoff::poll_wait(self.opts.poll_interval, random_fraction());
                    let wait =
                        retry_after.map_or(poll, |r| r.max(Duration::from_secs(1)).min(poll));
                    self.wait_until(Instant::now() + wait).await;
                }
                Err(e) => {
                    tracing::warn!("{e}");
                    self.last_error = Some(e.to_string());
                    let push = !self.polled(idx);
                    self.health.update(idx, |h| {
                        h.push = push;
                        h.last_failure = Some(Utc::now());
                        h.last_error = Some(e.to_string());
                    });
                    retry_after = retry_after.max(e.retry_after());
                    let failing_since = *self.failing_since.get_or_insert_with(Utc::now);
                    idx = (idx + 1) % self.opts.sources.len();
                    if idx == round_start {
                        self.down_since = Some(failing_since);
                    }
                    self.refresh().await;
                    if idx == round_start {
                        // Every source failed: back off with full jitter before the next round,
                        // briefly while anything but green is shown, so news shows soon.
                        failed_rounds = failed_rounds.saturating_add(1);
                        let shown = self.shown.as_ref().and_then(|v| v.status);
                        let max = backoff::failure_cap(shown, self.opts.max_backoff);
                        let pause = backoff::failure_pause(
                            failed_rounds,
                            max,
                            retry_after.take(),
                            random_fraction(),
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
            Ok(snapshot) if self.other_feed_than_pinned(&snapshot.id) => tracing::warn!(
                "cached feed \"{}\" is not the feed the configured address pinned; ignoring it",
                snapshot.id
            ),
            Ok(snapshot) => {
                // A previous engine of this process heard from a source lately (settings were
                // saved): the document is as fresh as that, not a stale cache.
                let heard = self
                    .opts
                    .heard_at
                    .filter(|t| *t >= c.fetched_at && self.opts.sources.contains(&c.source));
                // Alerts were decided when it was fetched; only bring the memory up to date.
                let fresh = self.decide(&snapshot, Utc::now());
                for a in fresh {
                    self.hold_or_send(a).await;
                }
                let _ = self.cache.store_state(&self.state);
                self.current = Some(Current {
                    snapshot,
                    source: c.source,
                    fetched_at: c.fetched_at,
                    confirmed_at: heard.unwrap_or(c.fetched_at),
                    etag: c.etag,
                    last_modified: c.last_modified,
                    from_cache: heard.is_none(),
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
        let accepted = accept(
            bytes,
            signature,
            &self.opts.keys,
            now,
            &self.state.highest_seq,
        )
        .map_err(|e| Failure::Rejected(format!("{source}: {e}")))?;
        let snapshot = accepted.snapshot;
        self.pin_feed_id(&snapshot.id)
            .map_err(|e| Failure::Rejected(format!("{source}: {e}")))?;
        if let Some(seq) = snapshot.seq {
            let highest = self
                .state
                .highest_seq
                .entry(snapshot.id.clone())
                .or_insert(0);
            *highest = seq.max(*highest);
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
        let fresh = self.decide(&snapshot, now);
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

    fn mark_success(&mut self, source: &str) {
        self.failing_since = None;
        self.down_since = None;
        if let Some(idx) = self.source_index(source) {
            let push = !self.polled(idx);
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

    /// The alerts `snapshot` calls for, given what was seen before (which it updates).
    fn decide(&mut self, snapshot: &svetofor_feed::Snapshot, now: DateTime<Utc>) -> Vec<Alert> {
        alerts::decide(
            snapshot,
            now,
            &mut self.state.memory,
            self.opts.notify,
            &self.opts.components,
            &self.opts.language,
        )
    }

    /// The feed id pinned for the configured primary feed, if one was learned.
    fn pinned_feed_id(&self) -> Option<&String> {
        let primary = self.opts.sources.first()?;
        self.state.feed_ids.get(primary)
    }

    fn other_feed_than_pinned(&self, id: &str) -> bool {
        self.pinned_feed_id().is_some_and(|p| p != id)
    }

    /// Checks `id` against the feed id pinned for the configured feed, pinning it on the
    /// first document. A key may sign several feeds; this client follows one of them.
    fn pin_feed_id(&mut self, id: &str) -> Result<(), String> {
        if let Some(pinned) = self.pinned_feed_id() {
            return if pinned == id {
                Ok(())
            } else {
                Err(format!(
                    "this is feed \"{id}\", but {} has always been feed \"{pinned}\": \
                     another feed signed by the same key is refused",
                    self.opts.sources[0]
                ))
            };
        }
        if let Some(primary) = self.opts.sources.first() {
            self.state.feed_ids.insert(primary.clone(), id.to_owned());
        }
        Ok(())
    }

    /// The next time a timer is due.
    fn next_deadline(&self) -> Instant {
        let next = freshness::next_change(
            self.current.as_ref(),
            self.opts.stale_after,
            self.down_since,
            Utc::now(),
            Instant::now(),
            Duration::from_secs(5),
        );
        self.coalescer.next_due().map_or(next, |d| next.min(d))
    }

    /// Runs the timers: held alerts that are due, and the view (freshness, overdue marks).
    async fn on_timers(&mut self) {
        for a in self.coalescer.due(Instant::now()) {
            let _ = self.tx.send(EngineEvent::Alert(a)).await;
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
            let wake = self.wake.clone();
            tokio::select! {
                _ = tokio::time::sleep_until(step.into()) => {}
                _ = wake.notified() => {
                    tracing::info!("the network changed: asking the sources now");
                    return true;
                }
            }
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
        if let Some(a) = self.coalescer.offer(a, Instant::now()) {
            let _ = self.tx.send(EngineEvent::Alert(a)).await;
        }
    }

    /// Recomputes the view and sends it when it changed.
    async fn refresh(&mut self) {
        let rules = Rules {
            stale_after: self.opts.stale_after,
            components: &self.opts.components,
            language: &self.opts.language,
        };
        let view = freshness::view_at(
            self.current.as_ref(),
            self.last_error.as_deref(),
            self.down_since,
            rules,
            Utc::now(),
        );
        if self.shown.as_ref() != Some(&view) {
            self.shown = Some(view.clone());
            let _ = self.tx.send(EngineEvent::State(view)).await;
        }
    }
}
