//! Replicas on one database: an edge replica that only serves what the signing replicas
//! stored (checked with the public key), a writer that takes its turn and re-reads when the
//! stored seq moved, and the follower that serves other replicas' documents.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use svetofor_feed::{Component, Notice, TrustedKey};
use tokio::sync::{Mutex, watch};

use super::*;
use svetofor_store::blocking;
use svetofor_store::{Store, StoreError, StoredDocument, Turn, TurnFor};

/// The notices, components and seq of the feed as stored, with the signed document of that
/// seq on a shared store.
pub(super) type Stored = (Vec<Notice>, Vec<Component>, u64, Option<StoredDocument>);

pub(super) async fn read_stored(
    store: &Arc<dyn Store>,
    since: DateTime<Utc>,
    with_document: bool,
) -> Result<Stored, PublishError> {
    let store = store.clone();
    Ok(blocking(move || {
        Ok::<_, StoreError>((
            store.feed_notices(since)?,
            store.components()?,
            store.seq()?,
            if with_document {
                store.latest_document()?
            } else {
                None
            },
        ))
    })
    .await?)
}

/// The stored document, when it was signed by `trusted` and reads as a feed.
fn verified(trusted: &TrustedKey, d: &StoredDocument) -> Result<Published, PublishError> {
    let unverified = |reason: String| PublishError::Unverified { seq: d.seq, reason };
    svetofor_feed::signature::verify(
        d.document.as_bytes(),
        &d.signature,
        std::slice::from_ref(trusted),
    )
    .map_err(|e| unverified(e.to_string()))?;
    Published::from_stored(d)
        .ok_or_else(|| unverified("the signed text is not a feed document".to_owned()))
}

impl Publisher {
    /// An edge replica: serves the newest document the signing replicas stored in the
    /// shared `store`, each checked with `public_file` (the feed's `.pub`), and follows
    /// theirs; it signs and changes nothing.
    pub async fn start_edge(
        store: Arc<dyn Store>,
        public_file: String,
        settings: FeedSettings,
        mirror_dir: Option<PathBuf>,
    ) -> Result<Arc<Self>, PublishError> {
        let trusted: TrustedKey = public_file.parse().map_err(PublishError::Signing)?;
        let since =
            Utc::now() - TimeDelta::from_std(settings.history).unwrap_or(TimeDelta::days(3));
        let (list, components, seq, document) = read_stored(&store, since, true).await?;
        let document = document.ok_or(PublishError::NothingToServe)?;
        let published = verified(&trusted, &document)?;
        let keys = Keys {
            key: None,
            trusted,
            public_file,
        };
        let state = State {
            notices: list.into_iter().map(|n| (n.id.clone(), n)).collect(),
            components,
            seq,
        };
        Ok(Self::serving(
            store,
            keys,
            settings,
            mirror_dir,
            state,
            Arc::new(published),
        )
        .await)
    }

    /// A publisher serving `published` from `state`, its mirror folder written.
    pub(super) async fn serving(
        store: Arc<dyn Store>,
        keys: Keys,
        settings: FeedSettings,
        mirror_dir: Option<PathBuf>,
        state: State,
        published: Arc<Published>,
    ) -> Arc<Self> {
        let (tx, _) = watch::channel(published);
        let publisher = Arc::new(Publisher {
            shared: store.shared(),
            store,
            key: keys.key,
            trusted: keys.trusted,
            public_file: keys.public_file,
            settings,
            mirror_dir,
            state: Mutex::new(state),
            tx,
            wake: Notify::new(),
            outbox: Notify::new(),
        });
        publisher.write_mirror().await;
        publisher
    }

    /// Reads the feed as stored (after another publisher on the same database stored a
    /// change) and serves the document it signed, if newer than ours. A writer about to
    /// publish its own newer one leaves that out (`serve`).
    pub(super) async fn reload_to(
        &self,
        state: &mut State,
        serve: bool,
    ) -> Result<(), PublishError> {
        let since =
            Utc::now() - TimeDelta::from_std(self.settings.history).unwrap_or(TimeDelta::days(3));
        let (list, components, seq, document) = read_stored(&self.store, since, serve).await?;
        state.notices = list.into_iter().map(|n| (n.id.clone(), n)).collect();
        state.components = components;
        state.seq = seq;
        let newer = match document.filter(|d| d.seq > self.current().seq) {
            Some(d) => match verified(&self.trusted, &d) {
                Ok(p) => Some(p),
                // Keep serving the last good document; a stranger's never reaches a client.
                Err(e) => {
                    tracing::error!("{e}; still serving seq {}", self.current().seq);
                    None
                }
            },
            None => None,
        };
        if let Some(p) = newer {
            self.tx.send_replace(Arc::new(p));
            self.wake.notify_one();
        }
        Ok(())
    }

    /// [`Publisher::reload_to`], serving what was read.
    pub(super) async fn reload(&self, state: &mut State) -> Result<(), PublishError> {
        self.reload_to(state, true).await
    }

    /// On a shared store: waits for this publisher's turn to write, and reads what the
    /// others stored meanwhile, so the change is made on the latest state. Hold the turn
    /// until the commit.
    pub(super) async fn my_turn(&self, state: &mut State) -> Result<Option<Turn>, PublishError> {
        if !self.shared {
            return Ok(None);
        }
        let store = self.store.clone();
        let (turn, stored) =
            blocking(move || Ok::<_, StoreError>((store.turn(TurnFor::Writing)?, store.seq()?)))
                .await?;
        if stored != state.seq {
            self.reload_to(state, false).await?;
        }
        Ok(turn)
    }

    /// After a commit that lost to another publisher's: reads theirs, and says whether to
    /// make the change again (false once it has been tried [`TRIES`] times: `e` is returned).
    pub(super) async fn again(
        &self,
        state: &mut State,
        e: PublishError,
        tries: &mut usize,
    ) -> Result<(), PublishError> {
        if !e.is_conflict() || *tries >= TRIES {
            return Err(e);
        }
        *tries += 1;
        self.reload(state).await
    }

    /// Follows the other publishers on a shared database: whenever one announces a change
    /// (and every few seconds, in case an announcement was lost), a newer stored document is
    /// read and served to this publisher's clients. Returns at once on a store of its own.
    pub async fn run_follower(self: Arc<Self>) {
        let Some(mut announced) = self.store.follow() else {
            return;
        };
        loop {
            tokio::select! {
                changed = announced.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
                _ = tokio::time::sleep(FOLLOW_CHECK) => {}
            }
            let store = self.store.clone();
            let stored = match blocking(move || store.seq()).await {
                Ok(seq) => seq,
                Err(e) => {
                    tracing::warn!("cannot read the stored seq: {e}");
                    continue;
                }
            };
            if stored <= self.current().seq {
                continue;
            }
            let mut state = self.state.lock().await;
            // The state may be newer than what is served (a writer read it, then stored
            // nothing): what counts is the document clients get.
            if stored > self.current().seq {
                match self.reload(&mut state).await {
                    Ok(()) => {
                        drop(state);
                        self.write_mirror().await;
                    }
                    Err(e) => tracing::warn!("cannot read another publisher's change: {e}"),
                }
            }
        }
    }
}
