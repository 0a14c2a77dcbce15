//! A revoked token ends its event streams within about a second, whoever revoked it (the
//! API, or `svetoforctl token revoke` on the database): the tokens table is read once a
//! second and streams opened with a token now revoked close.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use svetofor_store::{Store, blocking};

/// The ids of every revoked token, as last read.
pub type Revoked = watch::Receiver<Arc<BTreeSet<String>>>;

/// How often the tokens table is read.
pub const EVERY: Duration = Duration::from_secs(1);

/// Starts reading the revoked tokens of `store` every [`EVERY`].
pub fn watch(store: Arc<dyn Store>) -> (Revoked, JoinHandle<()>) {
    let (tx, rx) = watch::channel(Arc::new(BTreeSet::new()));
    let task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let store = store.clone();
            let read = blocking(move || store.tokens()).await;
            match read {
                Ok(tokens) => {
                    let ids: BTreeSet<String> = tokens
                        .into_iter()
                        .filter(|t| t.revoked_at.is_some())
                        .map(|t| t.id)
                        .collect();
                    tx.send_if_modified(|old| {
                        let changed = **old != ids;
                        if changed {
                            *old = Arc::new(ids);
                        }
                        changed
                    });
                }
                Err(e) => tracing::warn!("cannot read revoked tokens: {e}"),
            }
            if tx.is_closed() {
                return;
            }
        }
    });
    (rx, task)
}
