//! The publisher: the one writer of notices. It keeps the notices of the feed in memory,
//! stores every change durably before it is published, signs each new feed document, and
//! hands it to every subscriber through a watch channel (so a slow subscriber only ever
//! skips to the newest document and never holds anyone up).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use svetofor_api::EventKind;
use svetofor_feed::{Component, MAX_DOCUMENT_BYTES, Notice, SigningKey, Text, TrustedKey};
use tokio::sync::{Mutex, Notify, watch};

mod deliveries;
mod document;
mod drafts;

pub use document::gzip;
pub use document::{FeedSettings, Published, next_seq, render, write_pair};

use crate::notices::{self, ComponentSettings, NewNotice, NoticeChange, Rejected};
use svetofor_store::blocking;
use svetofor_store::{AuditEntry, Change, Store, StoreError, StoredDocument, Turn, TurnFor};

/// How many times a change is made again after other publishers stored theirs first (each
/// time on what they stored) before the caller is told to try later.
const TRIES: usize = 25;

/// How often a publisher on a shared database looks for changes it was not told of.
const FOLLOW_CHECK: Duration = Duration::from_secs(3);

/// What one commit changes besides the seq.
enum Edit {
    /// Only a re-sign.
    Nothing,
    /// A notice as it is now (components it names are created), and the draft it was
    /// published from.
    Notice(NoticeEdit),
    /// A component as an admin named it.
    SetComponent(Component),
    /// A component an admin removed.
    RemoveComponent(String),
}

/// A notice as it is now (`new`: one that must not exist yet), the draft it was published
/// from, and what happened to it (for the channels).
struct NoticeEdit {
    notice: Notice,
    new: bool,
    draft: Option<String>,
    event: EventKind,
}

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The request is wrong.
    #[error(transparent)]
    Rejected(#[from] Rejected),
    /// No such notice.
    #[error("no notice with id \"{0}\"")]
    NotFound(String),
    /// No such draft (or it was published or deleted already).
    #[error("no draft with id \"{0}\" (published or deleted already?)")]
    NoDraft(String),
    /// No such component.
    #[error("no component with id \"{0}\"")]
    NoComponent(String),
    /// The feed would be too large.
    #[error(
        "the feed would be {size} bytes, more than the {MAX_DOCUMENT_BYTES} clients accept; resolve or shorten open notices"
    )]
    FeedTooLarge {
        /// The size it would have.
        size: usize,
    },
    /// Storage failed; nothing was published.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Signing failed; nothing was published.
    #[error("signing failed: {0}")]
    Signing(#[source] svetofor_feed::KeyError),
    /// The OS gave no randomness for a new id; nothing was published.
    #[error("no randomness for a new id: {0}")]
    Randomness(#[from] getrandom::Error),
    /// An edge replica has no signing key: it serves what the signing replicas stored.
    #[error(
        "this is an edge replica: it serves the feed only; send changes to a publishing replica"
    )]
    Edge,
    /// An edge replica found nothing to serve.
    #[error(
        "the database holds no signed feed yet: start a publishing replica (with the signing key) first"
    )]
    NothingToServe,
    /// What the database holds was not signed by the feed's key.
    #[error("the stored feed (seq {seq}) does not verify with the feed's public key: {reason}")]
    Unverified {
        /// The stored document's seq.
        seq: u64,
        /// Why it failed.
        reason: String,
    },
}

/// The signing key (none on an edge replica) and the public key documents are checked with.
struct Keys {
    key: Option<SigningKey>,
    trusted: TrustedKey,
    public_file: String,
}

struct State {
    /// Open notices and recently closed ones, by id.
    notices: BTreeMap<String, Notice>,
    components: Vec<Component>,
    seq: u64,
}

/// The publisher. Cheap to share in an `Arc`.
pub struct Publisher {
    store: Arc<dyn Store>,
    /// Other publishers write to the same database (PostgreSQL).
    shared: bool,
    /// `None` on an edge replica, which only serves what signing replicas stored.
    key: Option<SigningKey>,
    /// Checks every document read from the database before it is served.
    trusted: TrustedKey,
    public_file: String,
    settings: FeedSettings,
    mirror_dir: Option<PathBuf>,
    state: Mutex<State>,
    tx: watch::Sender<Arc<Published>>,
    wake: Notify,
    /// Wakes the outbox when a change stored deliveries.
    pub(crate) outbox: Notify,
}

fn audit_line(
    at: DateTime<Utc>,
    actor: String,
    action: &str,
    target: &str,
    detail: serde_json::Value,
) -> AuditEntry {
    AuditEntry {
        at,
        actor,
        action: action.to_owned(),
        target: Some(target.to_owned()),
        detail,
    }
}

/// A new notice, published from `draft` if it was one.
fn created(notice: Notice, draft: Option<String>) -> NoticeEdit {
    NoticeEdit {
        notice,
        new: true,
        draft,
        event: EventKind::Created,
    }
}

/// A new notice id: the day, then 128 random bits (no two ids meet by chance).
fn new_notice_id(now: DateTime<Utc>) -> Result<String, getrandom::Error> {
    let mut bits = [0u8; 16];
    getrandom::fill(&mut bits)?;
    let hex: String = bits.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{}-{hex}", now.format("%Y%m%d")))
}

impl PublishError {
    fn is_conflict(&self) -> bool {
        matches!(self, PublishError::Store(StoreError::Conflict { .. }))
    }
}

/// The notices, components and seq of the feed as stored, with the signed document of that
/// seq on a shared store.
type Stored = (Vec<Notice>, Vec<Component>, u64, Option<StoredDocument>);

async fn read_stored(
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

/// Stores `change` made owned: the store call runs on the blocking pool.
struct Commit {
    notice: Option<Notice>,
    notice_is_new: bool,
    components: Vec<Component>,
    set_component: Option<Component>,
    remove_component: Option<String>,
    remove_draft: Option<String>,
    deliveries: Vec<svetofor_store::NewDelivery>,
    seq: u64,
    base_seq: Option<u64>,
    document: Option<Arc<Published>>,
    audit: Option<AuditEntry>,
}

impl Commit {
    async fn store(self, store: &Arc<dyn Store>) -> Result<(), StoreError> {
        let store = store.clone();
        blocking(move || {
            let document = self.document.as_ref().and_then(|p| {
                std::str::from_utf8(&p.bytes)
                    .ok()
                    .map(|d| (d, p.signature.as_str()))
            });
            store.commit(&Change {
                notice: self.notice.as_ref(),
                notice_is_new: self.notice_is_new,
                components: &self.components,
                set_component: self.set_component.as_ref(),
                remove_component: self.remove_component.as_deref(),
                remove_draft: self.remove_draft.as_deref(),
                deliveries: &self.deliveries,
                seq: self.seq,
                base_seq: self.base_seq,
                document,
                audit: self.audit.as_ref(),
            })
        })
        .await
    }
}

impl Publisher {
    /// Loads the feed's notices from `store`, signs a fresh document (one seq above the
    /// stored one, so every start serves a new, unexpired document) and stores its seq.
    pub async fn start(
        store: Arc<dyn Store>,
        key: SigningKey,
        settings: FeedSettings,
        mirror_dir: Option<PathBuf>,
    ) -> Result<Arc<Self>, PublishError> {
        let now = Utc::now();
        let since = now - TimeDelta::from_std(settings.history).unwrap_or(TimeDelta::days(3));
        let shared = store.shared();
        let mut tries = 0;
        let (notices, components, seq, published) = loop {
            let (list, components, stored, _) = read_stored(&store, since, false).await?;
            let notices: BTreeMap<String, Notice> =
                list.into_iter().map(|n| (n.id.clone(), n)).collect();
            let seq = next_seq(stored, now);
            let published = Arc::new(render(&settings, &key, &notices, &components, seq, now)?);
            let commit = Commit {
                notice: None,
                notice_is_new: false,
                components: vec![],
                set_component: None,
                remove_component: None,
                remove_draft: None,
                deliveries: vec![],
                seq,
                base_seq: shared.then_some(stored),
                document: shared.then(|| published.clone()),
                audit: None,
            };
            match commit.store(&store).await {
                Ok(()) => break (notices, components, seq, published),
                // Another publisher started or wrote meanwhile: start from what it stored.
                Err(StoreError::Conflict { .. }) if tries < TRIES => tries += 1,
                Err(e) => return Err(e.into()),
            }
        };
        let keys = Keys {
            trusted: key.trusted(),
            public_file: key.public_file(),
            key: Some(key),
        };
        let state = State {
            notices,
            components,
            seq,
        };
        Ok(Self::serving(store, keys, settings, mirror_dir, state, published).await)
    }

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
    async fn serving(
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

    /// Whether this is an edge replica (no signing key).
    pub fn is_edge(&self) -> bool {
        self.key.is_none()
    }

    /// The current document.
    pub fn current(&self) -> Arc<Published> {
        self.tx.borrow().clone()
    }

    /// A receiver that sees every new document (or at least the newest).
    pub fn subscribe(&self) -> watch::Receiver<Arc<Published>> {
        self.tx.subscribe()
    }

    /// The public key that verifies the feed, as a minisign `.pub` file.
    pub fn public_key_file(&self) -> String {
        self.public_file.clone()
    }

    /// The store behind this publisher.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Stores `edit` with the feed's next seq and its audit line, then signs and publishes
    /// the new document. If storing or signing fails, nothing changes.
    async fn commit(
        &self,
        state: &mut State,
        edit: Edit,
        audit: Option<AuditEntry>,
        now: DateTime<Utc>,
    ) -> Result<(), PublishError> {
        let mut notices = state.notices.clone();
        let mut components = state.components.clone();
        let mut new_components = Vec::new();
        let (mut notice, mut set_component, mut remove_component) = (None, None, None);
        let mut notice_is_new = false;
        let mut remove_draft = None;
        let mut event = None;
        match edit {
            Edit::Nothing => {}
            Edit::Notice(NoticeEdit {
                notice: n,
                new,
                draft,
                event: e,
            }) => {
                event = Some(e);
                notice_is_new = new;
                remove_draft = draft;
                for c in &n.components {
                    if !components.iter().any(|k| &k.id == c) {
                        let k = Component {
                            id: c.clone(),
                            name: Text::Plain(c.clone()),
                            group: None,
                            status: None,
                        };
                        components.push(k.clone());
                        new_components.push(k);
                    }
                }
                notices.insert(n.id.clone(), n.clone());
                notice = Some(n);
            }
            Edit::SetComponent(c) => {
                match components.iter_mut().find(|k| k.id == c.id) {
                    Some(k) => *k = c.clone(),
                    None => components.push(c.clone()),
                }
                set_component = Some(c);
            }
            Edit::RemoveComponent(id) => {
                components.retain(|k| k.id != id);
                remove_component = Some(id);
            }
        }
        let key = self.key.as_ref().ok_or(PublishError::Edge)?;
        let seq = next_seq(state.seq, now);
        let published = Arc::new(render(
            &self.settings,
            key,
            &notices,
            &components,
            seq,
            now,
        )?);
        let deliveries = match (&notice, event) {
            (Some(n), Some(kind)) => self.deliveries_for(n, kind, seq, now).await?,
            _ => vec![],
        };
        let any_delivery = !deliveries.is_empty();
        Commit {
            notice,
            notice_is_new,
            components: new_components,
            set_component,
            remove_component,
            remove_draft,
            deliveries,
            seq,
            base_seq: self.shared.then_some(state.seq),
            document: self.shared.then(|| published.clone()),
            audit,
        }
        .store(&self.store)
        .await?;
        // Forget closed notices that have left the history window.
        let since = now - TimeDelta::from_std(self.settings.history).unwrap_or(TimeDelta::days(3));
        notices.retain(|_, n| !n.state.is_final() || n.updated_at >= since);
        state.notices = notices;
        state.components = components;
        state.seq = seq;
        self.tx.send_replace(published);
        self.wake.notify_one();
        if any_delivery {
            self.outbox.notify_one();
        }
        Ok(())
    }

    async fn find(&self, state: &State, id: &str) -> Result<Notice, PublishError> {
        if let Some(n) = state.notices.get(id) {
            return Ok(n.clone());
        }
        let store = self.store.clone();
        let owned = id.to_owned();
        blocking(move || store.notice(&owned))
            .await?
            .ok_or_else(|| PublishError::NotFound(id.to_owned()))
    }

    /// Reads the feed as stored (after another publisher on the same database stored a
    /// change) and serves the document it signed, if newer than ours. A writer about to
    /// publish its own newer one leaves that out (`serve`).
    async fn reload_to(&self, state: &mut State, serve: bool) -> Result<(), PublishError> {
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
    async fn reload(&self, state: &mut State) -> Result<(), PublishError> {
        self.reload_to(state, true).await
    }

    /// On a shared store: waits for this publisher's turn to write, and reads what the
    /// others stored meanwhile, so the change is made on the latest state. Hold the turn
    /// until the commit.
    async fn my_turn(&self, state: &mut State) -> Result<Option<Turn>, PublishError> {
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
    async fn again(
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

    /// Creates a notice.
    pub async fn create(&self, req: NewNotice, actor: String) -> Result<Notice, PublishError> {
        self.create_noted(req, actor, None).await
    }

    /// Creates a notice; `overridden` (checks support chose to override, and why) goes to the
    /// audit line with the request.
    pub async fn create_noted(
        &self,
        req: NewNotice,
        actor: String,
        overridden: Option<serde_json::Value>,
    ) -> Result<Notice, PublishError> {
        let mut detail = serde_json::to_value(&req).unwrap_or_default();
        if let (Some(o), Some(obj)) = (overridden, detail.as_object_mut()) {
            obj.insert("overridden".to_owned(), o);
        }
        let mut state = self.state.lock().await;
        let mut tries = 0;
        loop {
            let _turn = self.my_turn(&mut state).await?;
            let now = Utc::now();
            // 128 random bits never meet by chance; should they, the store refuses the
            // insert rather than overwrite a notice.
            let notice = notices::create(new_notice_id(now)?, req.clone(), now)?;
            let audit = audit_line(
                now,
                actor.clone(),
                "notice.create",
                &notice.id,
                detail.clone(),
            );
            let edit = Edit::Notice(created(notice.clone(), None));
            match self.commit(&mut state, edit, Some(audit), now).await {
                Ok(()) => {
                    self.published(state).await;
                    return Ok(notice);
                }
                Err(e) => self.again(&mut state, e, &mut tries).await?,
            }
        }
    }

    /// Updates, resolves or withdraws a notice.
    pub async fn change(
        &self,
        id: &str,
        change: NoticeChange,
        actor: String,
    ) -> Result<Notice, PublishError> {
        self.change_noted(id, change, actor, None).await
    }

    /// [`Publisher::change`], with the checks support overrode kept in the audit line.
    pub async fn change_noted(
        &self,
        id: &str,
        change: NoticeChange,
        actor: String,
        overridden: Option<serde_json::Value>,
    ) -> Result<Notice, PublishError> {
        let action = change.action();
        let event = match &change {
            NoticeChange::Update(_) => EventKind::Updated,
            NoticeChange::Resolve(_) => EventKind::Resolved,
            NoticeChange::Withdraw(_) => EventKind::Withdrawn,
            NoticeChange::Correct(_) => EventKind::Corrected,
        };
        let mut detail = serde_json::to_value(change.body()).unwrap_or_default();
        if let (Some(o), Some(obj)) = (overridden, detail.as_object_mut()) {
            obj.insert("overridden".to_owned(), o);
        }
        let mut state = self.state.lock().await;
        let mut tries = 0;
        loop {
            let _turn = self.my_turn(&mut state).await?;
            let now = Utc::now();
            let mut notice = self.find(&state, id).await?;
            notices::apply(&mut notice, change.clone(), now)?;
            let audit = audit_line(now, actor.clone(), action, &notice.id, detail.clone());
            let edit = NoticeEdit {
                notice: notice.clone(),
                new: false,
                draft: None,
                event,
            };
            match self
                .commit(&mut state, Edit::Notice(edit), Some(audit), now)
                .await
            {
                Ok(()) => {
                    self.published(state).await;
                    return Ok(notice);
                }
                Err(e) => self.again(&mut state, e, &mut tries).await?,
            }
        }
    }

    /// After a commit: lets go of the state, then refreshes the mirror (slow, so outside the
    /// lock).
    async fn published(&self, state: tokio::sync::MutexGuard<'_, State>) {
        drop(state);
        self.write_mirror().await;
    }

    /// Names a component (creating it if new); it stays in the feed from then on.
    pub async fn set_component(
        &self,
        id: &str,
        req: ComponentSettings,
        actor: String,
    ) -> Result<Component, PublishError> {
        let detail = serde_json::to_value(&req).unwrap_or_default();
        let component = notices::named_component(id, req)?;
        let mut state = self.state.lock().await;
        let mut tries = 0;
        loop {
            let _turn = self.my_turn(&mut state).await?;
            let now = Utc::now();
            let audit = audit_line(
                now,
                actor.clone(),
                "component.set",
                &component.id,
                detail.clone(),
            );
            let edit = Edit::SetComponent(component.clone());
            match self.commit(&mut state, edit, Some(audit), now).await {
                Ok(()) => {
                    self.published(state).await;
                    return Ok(component);
                }
                Err(e) => self.again(&mut state, e, &mut tries).await?,
            }
        }
    }

    /// Removes a component no open notice names.
    pub async fn remove_component(&self, id: &str, actor: String) -> Result<(), PublishError> {
        let id = notices::component_id(id)?;
        let mut state = self.state.lock().await;
        let mut tries = 0;
        loop {
            let _turn = self.my_turn(&mut state).await?;
            if !state.components.iter().any(|c| c.id == id) {
                return Err(PublishError::NoComponent(id));
            }
            if let Some(n) = state
                .notices
                .values()
                .find(|n| !n.state.is_final() && n.components.contains(&id))
            {
                return Err(PublishError::Rejected(notices::Rejected {
                    field: "id".to_owned(),
                    message: format!(
                        "component \"{id}\" is named by open notice {}: close it, or post the \
                         change without the component, first",
                        n.id
                    ),
                }));
            }
            let now = Utc::now();
            let audit = audit_line(
                now,
                actor.clone(),
                "component.remove",
                &id,
                serde_json::Value::Null,
            );
            let edit = Edit::RemoveComponent(id.clone());
            match self.commit(&mut state, edit, Some(audit), now).await {
                Ok(()) => {
                    self.published(state).await;
                    return Ok(());
                }
                Err(e) => self.again(&mut state, e, &mut tries).await?,
            }
        }
    }

    /// One pass of the clock: moves maintenance windows along and re-signs the feed when
    /// half its lifetime has passed. Returns when the next pass is due.
    pub async fn tick(&self) -> Result<DateTime<Utc>, PublishError> {
        let mut state = self.state.lock().await;
        let _turn = self.my_turn(&mut state).await?;
        // Another replica may have signed while we waited for the turn: serve its document,
        // so that its age (not our stale one's) decides whether a re-sign is due.
        if state.seq > self.current().seq {
            self.reload(&mut state).await?;
        }
        let now = Utc::now();
        let due: Vec<String> = state
            .notices
            .values()
            .filter(|n| notices::next_transition(n).is_some_and(|t| t <= now))
            .map(|n| n.id.clone())
            .collect();
        let mut changed = false;
        let mut stuck = false;
        for id in due {
            let Some(mut n) = state.notices.get(&id).cloned() else {
                continue;
            };
            if notices::advance_by_clock(&mut n, now) {
                let audit = AuditEntry {
                    at: now,
                    actor: "system".to_owned(),
                    action: format!("notice.{}", n.state),
                    target: Some(id.clone()),
                    detail: serde_json::json!({ "by": "maintenance window" }),
                };
                // One step that fails must not stop the rest, least of all re-signing: an
                // expired feed turns every desktop stale.
                match self
                    .commit(
                        &mut state,
                        Edit::Notice(NoticeEdit {
                            event: if n.state.is_final() {
                                EventKind::Resolved
                            } else {
                                EventKind::Updated
                            },
                            notice: n,
                            new: false,
                            draft: None,
                        }),
                        Some(audit),
                        now,
                    )
                    .await
                {
                    Ok(()) => changed = true,
                    // Another publisher moved it (or wrote) first: take what it stored.
                    Err(e) if e.is_conflict() => {
                        self.reload(&mut state).await?;
                        changed = true;
                    }
                    Err(e) => {
                        tracing::error!("maintenance {id} cannot move along by the clock: {e}");
                        stuck = true;
                    }
                }
            }
        }
        let half_ttl = TimeDelta::from_std(self.settings.ttl / 2).unwrap_or(TimeDelta::minutes(30));
        let resign_at = self.current().generated_at + half_ttl;
        if !changed && now >= resign_at {
            match self.commit(&mut state, Edit::Nothing, None, now).await {
                // Another publisher wrote (or re-signed) first: its newer document will do.
                Err(e) if e.is_conflict() => self.reload(&mut state).await?,
                r => r?,
            }
            changed = true;
        }
        let resign_at = self.current().generated_at + half_ttl;
        let next = state
            .notices
            .values()
            .filter_map(notices::next_transition)
            .chain(std::iter::once(resign_at))
            .min()
            .unwrap_or(resign_at);
        // A step that keeps failing is tried again in a while, not in a busy loop.
        let next = if stuck {
            next.max(now + TimeDelta::seconds(10)).min(resign_at)
        } else {
            next
        };
        drop(state);
        if changed {
            self.write_mirror().await;
        }
        Ok(next)
    }

    /// Runs [`Publisher::tick`] forever, sleeping until the next pass or a change. Errors are
    /// logged and retried a little later.
    pub async fn run_clock(self: Arc<Self>) {
        loop {
            let scheduled = self.publish_due_drafts().await;
            let wait = match self.tick().await {
                Ok(next) => {
                    let next = scheduled.map_or(next, |s| s.min(next));
                    (next - Utc::now()).to_std().unwrap_or(Duration::ZERO)
                }
                Err(e) => {
                    tracing::error!("clock pass failed: {e}");
                    Duration::from_secs(10)
                }
            };
            // Wall-clock time can jump (suspend, NTP): never sleep more than a minute.
            let wait = wait
                .min(Duration::from_secs(60))
                .max(Duration::from_millis(50));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.wake.notified() => {}
            }
        }
    }

    /// Writes the current document to the mirror folder, if one is set.
    async fn write_mirror(&self) {
        let Some(dir) = self.mirror_dir.clone() else {
            return;
        };
        let p = self.current();
        let result = tokio::task::spawn_blocking(move || write_pair(&dir, &p)).await;
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!("mirror: {e}"),
            Err(e) => tracing::error!("mirror task failed: {e}"),
        }
    }
}
