//! The on-disk cache: the last good document, the highest `seq` accepted, and what was
//! notified. Written atomically; a corrupt file is set aside with a warning, never a crash.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::alerts::Memory;
use svetofor_atomic::{Mode, write_atomic};

/// The last good document and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedFeed {
    /// The URL it was fetched from.
    pub source: String,
    /// When it was fetched (or last confirmed unchanged).
    pub fetched_at: DateTime<Utc>,
    /// Its seq, if it has one.
    pub seq: Option<u64>,
    /// The `ETag` it came with.
    pub etag: Option<String>,
    /// The `Last-Modified` it came with.
    pub last_modified: Option<String>,
    /// The exact document text (re-verified on load).
    pub document: String,
    /// Its signature text.
    pub signature: Option<String>,
}

/// What the client remembers between runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientState {
    /// Highest seq accepted, by feed id: anything lower is a replay.
    pub highest_seq: BTreeMap<String, u64>,
    /// The feed id first accepted, by configured primary feed URL: a document with another
    /// id (another feed signed by the same key) is refused from then on.
    #[serde(default)]
    pub feed_ids: BTreeMap<String, String>,
    /// What was seen and notified.
    pub memory: Memory,
}

/// The cache folder.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

const FEED_FILE: &str = "last-feed.json";
const STATE_FILE: &str = "state.json";
/// Largest cache file read: a document is at most 1 MiB, escaped in JSON at most ~6 MiB.
const MAX_CACHE_BYTES: u64 = 8 * 1024 * 1024;

impl Cache {
    /// A cache in `dir` (created when first written).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Cache { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn load<T: DeserializeOwned>(&self, name: &str) -> Option<T> {
        let path = self.dir.join(name);
        let meta = std::fs::metadata(&path).ok()?;
        let problem = if meta.len() > MAX_CACHE_BYTES {
            format!("{} bytes, more than a cache file can be", meta.len())
        } else {
            match std::fs::read(&path) {
                Ok(bytes) => match serde_json::from_slice(&bytes) {
                    Ok(v) => return Some(v),
                    Err(e) => e.to_string(),
                },
                Err(e) => {
                    tracing::warn!("cannot read cache {}: {e}", path.display());
                    return None;
                }
            }
        };
        let aside = self.dir.join(format!(
            "{name}.corrupt-{}",
            Utc::now().format("%Y%m%dT%H%M%S")
        ));
        tracing::warn!(
            "cache {} is unreadable ({problem}); set aside as {}",
            path.display(),
            aside.display()
        );
        let _ = std::fs::rename(&path, &aside);
        None
    }

    fn store<T: Serialize>(&self, name: &str, value: &T) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let bytes = serde_json::to_vec(value).map_err(std::io::Error::other)?;
        // Private: the cache may hold a private feed.
        write_atomic(&self.dir.join(name), &bytes, Mode::Private)
    }

    /// The last good document, if a readable one is there.
    pub fn load_feed(&self) -> Option<CachedFeed> {
        self.load(FEED_FILE)
    }

    /// Stores the last good document.
    pub fn store_feed(&self, feed: &CachedFeed) -> std::io::Result<()> {
        self.store(FEED_FILE, feed)
    }

    /// What the client remembers (empty when there is nothing readable).
    pub fn load_state(&self) -> ClientState {
        self.load(STATE_FILE).unwrap_or_default()
    }

    /// Stores what the client remembers.
    pub fn store_state(&self, state: &ClientState) -> std::io::Result<()> {
        self.store(STATE_FILE, state)
    }
}
