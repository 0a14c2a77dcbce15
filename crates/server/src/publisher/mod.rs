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
use svetofor_feed::{Component, MAX_DOCUMENT_BYTES, Notice, SigningKey, Text};
use tokio::sync::{Mutex, Notify, watch};

mod deliveries;
mod document;
mod drafts;

pub(crate) use document::gzip;
pub use document::{FeedSettings, Published, next_seq, render, write_pair};

use crate::notices::{self, ComponentSettings, NewNotice, NoticeChange, Rejected};
use crate::store::blocking;
use crate::store::{AuditEntry, Change, Store, StoreError};

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
    key: SigningKey,
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

/// A new notice id: the day, then 128 random bits (no two ids meet by chance).
fn new_notice_id(now: DateTime<Utc>) -> Result<String, getrandom::Error> {
    let mut bits = [0u8; 16];
    getrandom::fill(&mut bits)?;
    let hex: String = bits.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{}-{hex}", now.format("%Y%m%d")))
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
        let (list, components, seq) = {
            let store = store.clone();
            blocking(move || {
                Ok::<_, StoreError>((
                    store.feed_notices(since)?,
                    store.components()?,
                    store.seq()?,
                ))
            })
            .await?
        };
        let notices: BTreeMap<String, Notice> =
            list.into_iter().map(|n| (n.id.clone(), n)).collect();
        let seq = next_seq(seq, now);
        let published = render(&settings, &key, &notices, &components, seq, now)?;
        {
            let store = store.clone();
            blocking(move || {
                store.commit(&Change {
                    notice: None,
                    notice_is_new: false,
                    components: &[],
                    set_component: None,
                    remove_component: None,
                    remove_draft: None,
                    deliveries: &[],
                    seq,
                    audit: None,
                })
            })
            .await?;
        }
        let (tx, _) = watch::channel(Arc::new(published));
        let publisher = Arc::new(Publisher {
            store,
            key,
            settings,
            mirror_dir,
            state: Mutex::new(State {
                notices,
                components,
                seq,
            }),
            tx,
            wake: Notify::new(),
            outbox: Notify::new(),
        });
        publisher.write_mirror().await;
        Ok(publisher)
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
        self.key.public_file()
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
        let seq = next_seq(state.seq, now);
        let published = render(&self.settings, &self.key, &notices, &components, seq, now)?;
        let deliveries = match (&notice, event) {
            (Some(n), Some(kind)) => self.deliveries_for(n, kind, seq, now).await?,
            _ => vec![],
        };
        let any_delivery = !deliveries.is_empty();
        {
            let store = self.store.clone();
            blocking(move || {
                store.commit(&Change {
                    notice: notice.as_ref(),
                    notice_is_new,
                    components: &new_components,
                    set_component: set_component.as_ref(),
                    remove_component: remove_component.as_deref(),
                    remove_draft: remove_draft.as_deref(),
                    deliveries: &deliveries,
                    seq,
                    audit: audit.as_ref(),
                })
            })
            .await?;
        }
        // Forget closed notices that have left the history window.
        let since = now - TimeDelta::from_std(self.settings.history).unwrap_or(TimeDelta::days(3));
        notices.retain(|_, n| !n.state.is_final() || n.updated_at >= since);
        state.notices = notices;
        state.components = components;
        state.seq = seq;
        self.tx.send_replace(Arc::new(published));
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
        let state = self.state.lock().await;
        let now = Utc::now();
        // 128 random bits never meet by chance; should they, the store refuses the insert
        // rather than overwrite a notice.
        let notice = notices::create(new_notice_id(now)?, req, now)?;
        let audit = audit_line(now, actor, "notice.create", &notice.id, detail);
        let edit = NoticeEdit {
            notice,
            new: true,
            draft: None,
            event: EventKind::Created,
        };
        self.commit_notice(state, edit, audit, now).await
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
        let state = self.state.lock().await;
        let now = Utc::now();
        let mut notice = self.find(&state, id).await?;
        notices::apply(&mut notice, change, now)?;
        let audit = audit_line(now, actor, action, &notice.id, detail);
        let edit = NoticeEdit {
            notice,
            new: false,
            draft: None,
            event,
        };
        self.commit_notice(state, edit, audit, now).await
    }

    /// Stores a notice with its audit line, publishes, then refreshes the mirror (after the
    /// lock is released: the mirror may be slow).
    async fn commit_notice(
        &self,
        mut state: tokio::sync::MutexGuard<'_, State>,
        edit: NoticeEdit,
        audit: AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<Notice, PublishError> {
        let notice = edit.notice.clone();
        self.commit(&mut state, Edit::Notice(edit), Some(audit), now)
            .await?;
        drop(state);
        self.write_mirror().await;
        Ok(notice)
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
        let now = Utc::now();
        let audit = audit_line(now, actor, "component.set", &component.id, detail);
        self.commit(
            &mut state,
            Edit::SetComponent(component.clone()),
            Some(audit),
            now,
        )
        .await?;
        drop(state);
        self.write_mirror().await;
        Ok(component)
    }

    /// Removes a component no open notice names.
    pub async fn remove_component(&self, id: &str, actor: String) -> Result<(), PublishError> {
        let id = notices::component_id(id)?;
        let mut state = self.state.lock().await;
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
        let audit = audit_line(now, actor, "component.remove", &id, serde_json::Value::Null);
        self.commit(&mut state, Edit::RemoveComponent(id), Some(audit), now)
            .await?;
        drop(state);
        self.write_mirror().await;
        Ok(())
    }

    /// One pass of the clock: moves maintenance windows along and re-signs the feed when
    /// half its lifetime has passed. Returns when the next pass is due.
    pub async fn tick(&self) -> Result<DateTime<Utc>, PublishError> {
        let mut state = self.state.lock().await;
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
            self.commit(&mut state, Edit::Nothing, None, now).await?;
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
