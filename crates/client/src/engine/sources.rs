//! Asking the sources: one poll (conditional GET, then the signature beside it) or one
//! event stream followed until it ends, and what came of it.

use std::time::{Duration, Instant, SystemTime};

use crate::fetch::{Conditional, FetchError};

use super::Engine;
use super::sse::{SnapshotEvent, SseParser, events_url};

pub(super) enum Outcome {
    /// A poll went through; wait for the next one.
    Polled,
    /// The source offers no event stream: poll it.
    NoPush,
    /// The stream went silent past its limit.
    Stalled,
    /// The stream ended (server restart, proxy timeout).
    Ended,
    /// The clock jumped or the network changed: ask again now.
    Woke,
    /// The publisher had no room for another stream (it said when to try again); the
    /// feed was polled meanwhile.
    Busy(Option<Duration>),
}

/// Why a fetched document was not shown.
#[derive(Debug)]
pub(super) enum Failure {
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
    pub(super) fn retry_after(&self) -> Option<Duration> {
        match self {
            Failure::Fetch(FetchError::Status {
                retry_after: Some(s),
                ..
            }) => Some(Duration::from_secs(*s)),
            _ => None,
        }
    }
}

impl Engine {
    pub(super) async fn poll(&mut self, idx: usize) -> Result<Outcome, Failure> {
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
                // A bundle (a CDN's `feed.bundle.json`) carries its own signature: one
                // object, so never a new document with an old signature.
                if let Some(b) = svetofor_feed::Bundle::read(&f.bytes) {
                    self.take(
                        &url,
                        b.feed.as_bytes(),
                        Some(&b.signature),
                        f.etag,
                        f.last_modified,
                    )
                    .await?;
                    return Ok(Outcome::Polled);
                }
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

    pub(super) async fn follow(&mut self, idx: usize) -> Result<Outcome, Failure> {
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
            // The publisher has no room for another stream now and says to poll: do, at once,
            // and try the stream again when it says (behind a load balancer another
            // replica may have room by then).
            Err(FetchError::Status {
                status: 429 | 503,
                retry_after,
                ..
            }) => {
                self.poll(idx).await?;
                return Ok(Outcome::Busy(retry_after.map(Duration::from_secs)));
            }
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
            let wake = self.wake.clone();
            let chunk = tokio::select! {
                c = self.fetcher.next_chunk(&events, &mut resp) => c,
                // After a network change the connection may be dead without a word: open a new one.
                _ = wake.notified() => return Ok(Outcome::Woke),
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
            let parsed = parser
                .push(&chunk)
                .map_err(|e| Failure::Rejected(format!("{events}: {e}")))?;
            if parsed.keep_alives > 0 && !refused {
                // A keep-alive comment: the publisher is there and has nothing new. Bytes that
                // are neither an event nor a comment vouch for nothing.
                self.confirm(&url).await;
            }
            for ev in parsed.events {
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
}

/// True when the wall clock moved more than 5 s further than the monotonic clock since the
/// pair was taken: the machine slept.
pub(super) fn clock_jumped(wall: SystemTime, mono: Instant) -> bool {
    let walled = SystemTime::now().duration_since(wall).unwrap_or_default();
    walled > mono.elapsed() + Duration::from_secs(5)
}
