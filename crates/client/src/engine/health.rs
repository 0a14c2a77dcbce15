//! How each source has been doing, for diagnostics.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::Serialize;

/// How one source has been doing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceHealth {
    pub url: String,
    /// Followed over its event stream (`false`: polled).
    pub push: bool,
    /// Last time it delivered or confirmed a good document.
    pub last_success: Option<DateTime<Utc>>,
    pub last_failure: Option<DateTime<Utc>>,
    /// Why it last failed.
    pub last_error: Option<String>,
}

/// A live view of the engine's sources, readable from another task or thread.
#[derive(Debug, Clone, Default)]
pub struct Health(Arc<Mutex<Vec<SourceHealth>>>);

impl Health {
    /// Every source starts unknown, pushed when `push`.
    pub(super) fn new(sources: &[String], push: bool) -> Health {
        Health(Arc::new(Mutex::new(
            sources
                .iter()
                .map(|url| SourceHealth {
                    url: url.clone(),
                    push,
                    last_success: None,
                    last_failure: None,
                    last_error: None,
                })
                .collect(),
        )))
    }

    /// The sources now, in configured order.
    pub fn sources(&self) -> Vec<SourceHealth> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// The last time any source delivered or confirmed a good document.
    pub fn last_heard(&self) -> Option<DateTime<Utc>> {
        self.sources().iter().filter_map(|s| s.last_success).max()
    }

    pub(super) fn update(&self, idx: usize, f: impl FnOnce(&mut SourceHealth)) {
        if let Ok(mut v) = self.0.lock()
            && let Some(h) = v.get_mut(idx)
        {
            f(h);
        }
    }
}
