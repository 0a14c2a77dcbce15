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
use svetofor_feed::{Component, Notice, SigningKey, Text, TrustedKey};
use tokio::sync::{Mutex, Notify, watch};

mod clock;
mod components;
mod deliveries;
mod document;
mod drafts;
mod error;
mod follow;
mod meanwhile;

pub use error::PublishError;
use follow::read_stored;
pub use meanwhile::Meanwhile;

pub use document::gzip;
pub use document::{FeedSettings, Published, next_seq, render, write_pair};

use crate::notices::{self, NewNotice, NoticeChange};
use svetofor_store::blocking;
use svetofor_store::{AuditAction, AuditEntry, Change, Store, StoreError};

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
    action: AuditAction,
    target: &str,
    detail: serde_json::Value,
) -> AuditEntry {
    AuditEntry::new(actor, action, Some(target), detail).at(at)
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
            Self::known(&state.components, &notice.components, req.new_components)?;
            let audit = audit_line(
                now,
                actor.clone(),
                AuditAction::NoticeCreate,
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
        let action = match &change {
            NoticeChange::Update(_) => AuditAction::NoticeUpdate,
            NoticeChange::Resolve(_) => AuditAction::NoticeResolve,
            NoticeChange::Withdraw(_) => AuditAction::NoticeWithdraw,
            NoticeChange::Correct(_) => AuditAction::NoticeCorrect,
        };
        let event = match &change {
            NoticeChange::Update(_) => EventKind::Updated,
            NoticeChange::Resolve(_) => EventKind::Resolved,
            NoticeChange::Withdraw(_) => EventKind::Withdrawn,
            NoticeChange::Correct(_) => EventKind::Corrected,
        };
        let mut detail = serde_json::to_value(change.body()).unwrap_or_default();
        if let Some(obj) = detail.as_object_mut() {
            // What it was made from is a fact about the form, not about the notice.
            obj.remove("version");
            if let Some(o) = overridden {
                obj.insert("overridden".to_owned(), o);
            }
        }
        let mut state = self.state.lock().await;
        let mut tries = 0;
        loop {
            let _turn = self.my_turn(&mut state).await?;
            let now = Utc::now();
            let mut notice = self.find(&state, id).await?;
            self.check_version(&notice, change.version()).await?;
            notices::apply(&mut notice, change.clone(), now)?;
            if let NoticeChange::Update(u) = &change
                && u.components.is_some()
            {
                Self::known(&state.components, &notice.components, u.new_components)?;
            }
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
}
