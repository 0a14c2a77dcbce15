//! What the public pages are drawn from: the signed document being served, parsed once per
//! seq, and the store's notices of the last [`HISTORY_DAYS`] days, read again at most once a
//! minute (the window moves with the clock even when nothing is published).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeDelta, Utc};
use svetofor_feed::{Component, Feed, Notice, Snapshot, State};

use crate::AppState;
use crate::error::ApiError;
use svetofor_store::{StoreError, blocking};

/// How far back the status page and the history feeds go.
pub const HISTORY_DAYS: i64 = 90;

/// How long a read of the history is reused while the feed stays the same.
const REREAD: TimeDelta = TimeDelta::seconds(60);

/// One view of the published state.
#[derive(Debug)]
pub struct Sight {
    /// The seq of the signed document it was drawn from.
    pub seq: u64,
    /// The signed document, parsed.
    pub feed: Feed,
    /// The same document as the desktops read it (built once, not per request).
    pub snapshot: Snapshot,
    /// Notices of the last [`HISTORY_DAYS`] days and every open one, newest change first;
    /// withdrawn ones left out (published by mistake, they are nobody's history).
    pub history: Vec<Notice>,
    read_at: DateTime<Utc>,
    /// Pages drawn from this sight, by what was asked: an outage brings everyone to the
    /// status page at once, and each is drawn once per feed and minute, not per reader.
    drawn: Mutex<HashMap<String, Arc<Drawn>>>,
}

/// An answer made once and served many times: its bytes and their ETag.
#[derive(Debug)]
pub struct Drawn {
    pub body: axum::body::Bytes,
    pub etag: String,
}

impl Drawn {
    /// `body` with its ETag.
    pub fn new(body: Vec<u8>) -> Drawn {
        Drawn {
            etag: super::etag_of(&body),
            body: body.into(),
        }
    }
}

/// At most this many drawn pages are kept per sight (languages × pages × hosts).
const DRAWN: usize = 64;

impl Sight {
    /// The components, as the feed names them.
    pub fn components(&self) -> &[Component] {
        &self.feed.components
    }

    /// A notice of the history by id.
    pub fn notice(&self, id: &str) -> Option<&Notice> {
        self.history.iter().find(|n| n.id == id)
    }

    /// The page `key` names, drawn by `draw` the first time it is asked for.
    pub fn drawn(&self, key: String, draw: impl FnOnce() -> Vec<u8>) -> Arc<Drawn> {
        if let Some(b) = self.drawn.lock().ok().and_then(|d| d.get(&key).cloned()) {
            return b;
        }
        let body = Arc::new(Drawn::new(draw()));
        if let Ok(mut d) = self.drawn.lock()
            && d.len() < DRAWN
        {
            d.insert(key, body.clone());
        }
        body
    }

    /// A component's name in `lang`, or its id when the feed has none.
    pub fn component_name(&self, id: &str, lang: &str) -> String {
        self.feed
            .components
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.get(lang, &self.feed.default_language).to_owned())
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| id.to_owned())
    }
}

/// The last [`Sight`], shared by every public request.
#[derive(Debug, Default)]
pub struct SightCache {
    last: Mutex<Option<Arc<Sight>>>,
}

impl SightCache {
    /// The current sight: the cached one while the feed and the minute are the same.
    pub async fn get(&self, app: &AppState) -> Result<Arc<Sight>, ApiError> {
        let published = app.publisher.current();
        let now = Utc::now();
        if let Some(s) = self.last.lock().ok().and_then(|l| l.clone())
            && s.seq == published.seq
            && now - s.read_at < REREAD
        {
            return Ok(s);
        }
        let feed: Feed = serde_json::from_slice(&published.bytes).map_err(|e| {
            tracing::error!("the served feed does not parse: {e}");
            ApiError::from(StoreError::Encode(e))
        })?;
        let store = app.store.clone();
        let since = now - TimeDelta::days(HISTORY_DAYS);
        let mut history = blocking(move || {
            Ok::<_, StoreError>(
                store
                    .feed_notices(since)?
                    .into_iter()
                    .filter(|n| n.state != State::Withdrawn)
                    .collect::<Vec<_>>(),
            )
        })
        .await?;
        history.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(a.id.cmp(&b.id)));
        let sight = Arc::new(Sight {
            seq: published.seq,
            snapshot: feed.clone().into_snapshot(),
            feed,
            history,
            read_at: now,
            drawn: Mutex::default(),
        });
        if let Ok(mut l) = self.last.lock() {
            *l = Some(sight.clone());
        }
        Ok(sight)
    }
}
