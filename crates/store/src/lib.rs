//! Durable storage behind a small trait: SQLite (one publisher, the default) or PostgreSQL
//! (publishers sharing one database).
//!
//! The trait is synchronous: callers run it on tokio's blocking pool. Every method that
//! writes is one transaction: either all of it is stored or none.

pub mod accounts;
mod audit;
pub mod channels;
mod database;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod sqlite;
pub mod work;

use chrono::{DateTime, Utc};
use serde::Serialize;
use svetofor_feed::{Component, Notice};

pub use svetofor_api::Role;

pub use accounts::{AccountChange, AccountStore, SessionRecord, UserRecord};
pub use audit::{AuditAction, AuditEntry, AuditRecord};
pub use channels::{
    ChannelRecord, ChannelStore, DeliveryQuery, DeliveryRow, NewDelivery, TryResult,
};
pub use database::{Backend, Database, DatabaseError};
#[cfg(feature = "postgres")]
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use work::{AlertLink, WorkStore};

/// Runs a blocking store call on tokio's blocking pool: the one way async code calls the
/// store.
pub async fn blocking<T: Send + 'static, E: From<StoreError> + Send + 'static>(
    f: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, E> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| E::from(StoreError::Task(e)))?
}

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database said no.
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    /// PostgreSQL said no.
    #[cfg(feature = "postgres")]
    #[error("database error: {0}")]
    Pg(tokio_postgres::Error),
    /// The database could not be reached in time: nothing was changed, try again.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The database's address or settings are wrong.
    #[error("{0}")]
    Config(String),
    /// Another publisher on the same database stored a change first: re-read, then try again.
    #[error("another publisher stored seq {stored} first")]
    Conflict {
        /// The seq stored now.
        stored: u64,
    },
    /// A record could not be encoded for storage.
    #[error("cannot encode a record: {0}")]
    Encode(#[from] serde_json::Error),
    /// The database file could not be created.
    #[error("cannot create the database file: {0}")]
    Io(#[source] std::io::Error),
    /// The blocking task that ran the call died (a panic in the store).
    #[error("storage task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// Stored data could not be read back.
    #[error("corrupt record {what}: {reason}")]
    Corrupt { what: String, reason: String },
}

#[cfg(feature = "postgres")]
impl From<tokio_postgres::Error> for StoreError {
    /// A lost connection, a server shutting down or a standby that cannot take writes is the
    /// database being unavailable (503, try again), not a failed request (500).
    fn from(e: tokio_postgres::Error) -> Self {
        let unreachable = match e.as_db_error() {
            Some(db) => {
                let code = db.code().code();
                code.starts_with("08")
                    || code.starts_with("53")
                    || code.starts_with("57P")
                    || code == "25006"
            }
            None => {
                e.is_closed()
                    || std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>())
            }
        };
        if unreachable {
            StoreError::Unavailable(e.to_string())
        } else {
            StoreError::Pg(e)
        }
    }
}

/// A bearer token as stored: only the hash of its secret.
#[derive(Debug, Clone, Serialize)]
pub struct TokenRecord {
    /// The public part of the token, also its primary key.
    pub id: String,
    /// Who or what it is for.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// SHA-256 of the whole token.
    #[serde(skip)]
    pub hash: [u8; 32],
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Which audit lines a listing wants; every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// At most this many.
    pub limit: usize,
    /// Only lines numbered below this (the previous page's last).
    pub before: Option<i64>,
    /// Only this actor's (`user:anna`, `system`).
    pub actor: Option<String>,
    /// Only lines about this notice, draft, token or account.
    pub target: Option<String>,
    /// Only at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only before this time.
    pub until: Option<DateTime<Utc>>,
}

/// Which notices a listing wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeFilter {
    /// Not resolved, completed or withdrawn.
    Current,
    /// Resolved, completed or withdrawn.
    Past,
    /// Both.
    All,
}

/// A page of a notice listing, newest first by creation time.
#[derive(Debug, Clone)]
pub struct NoticeQuery {
    /// Which.
    pub filter: NoticeFilter,
    /// Only notices created before this (the cursor from the previous page).
    pub before: Option<(DateTime<Utc>, String)>,
    /// At most this many.
    pub limit: usize,
}

/// One atomic change: a notice written (created or replaced), components added, the feed's
/// new `seq`, and the audit line that says who did it.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    /// The notice as it is now.
    pub notice: Option<&'a Notice>,
    /// The notice is new: storing it must fail rather than replace one with its id.
    pub notice_is_new: bool,
    /// Components to add if missing.
    pub components: &'a [Component],
    /// A component to create or replace (an admin named it).
    pub set_component: Option<&'a Component>,
    /// A component to delete.
    pub remove_component: Option<&'a str>,
    /// A draft to delete (it is published by this change).
    pub remove_draft: Option<&'a str>,
    /// Deliveries of this change to channels (the outbox).
    pub deliveries: &'a [NewDelivery],
    /// The feed's seq after this change.
    pub seq: u64,
    /// The seq this change was built on, on a store several publishers share: the change is
    /// stored only while that is still the stored seq (else [`StoreError::Conflict`]).
    pub base_seq: Option<u64>,
    /// The signed document of `seq` (`feed.json`, its `.minisig`), kept on a shared store so
    /// every publisher serves the same bytes.
    pub document: Option<(&'a str, &'a str)>,
    /// Who did what.
    pub audit: Option<&'a AuditEntry>,
}

/// What publishers sharing a store take turns at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TurnFor {
    /// Writing the feed: held from reading the stored seq to committing on it, so writers
    /// take turns instead of racing (and the loser of a race re-reading while the winner
    /// writes again).
    Writing,
    /// Turning an alert into a draft: read what the alert made so far, then make or update
    /// its draft, so the same alert arriving at two publishers makes one draft.
    Intake,
}

/// A turn held (see [`TurnFor`]); given back when dropped.
pub struct Turn(#[allow(dead_code)] Box<dyn Send>);

impl Turn {
    pub(crate) fn new(held: impl Send + 'static) -> Turn {
        Turn(Box::new(held))
    }
}

/// The signed document last stored with a change.
#[derive(Debug, Clone)]
pub struct StoredDocument {
    pub seq: u64,
    /// `feed.json`, exactly.
    pub document: String,
    /// Its `.minisig`.
    pub signature: String,
}

/// What the publisher needs from storage.
pub trait Store: WorkStore + ChannelStore + Send + Sync + 'static {
    /// The highest feed seq stored.
    fn seq(&self) -> Result<u64, StoreError>;
    /// Stores a change in one transaction, durably, before returning.
    fn commit(&self, change: &Change<'_>) -> Result<(), StoreError>;
    /// One notice.
    fn notice(&self, id: &str) -> Result<Option<Notice>, StoreError>;
    /// Open notices, and closed ones updated at or after `closed_since`.
    fn feed_notices(&self, closed_since: DateTime<Utc>) -> Result<Vec<Notice>, StoreError>;
    /// A page of notices.
    fn list_notices(&self, query: &NoticeQuery) -> Result<Vec<Notice>, StoreError>;
    /// Every component.
    fn components(&self) -> Result<Vec<Component>, StoreError>;
    /// Stores a new token and its audit line.
    fn insert_token(&self, token: &TokenRecord, audit: &AuditEntry) -> Result<(), StoreError>;
    /// One token by id.
    fn token(&self, id: &str) -> Result<Option<TokenRecord>, StoreError>;
    /// Every token.
    fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError>;
    /// Revokes a token; false when there is no such active token.
    fn revoke_token(&self, id: &str, audit: &AuditEntry) -> Result<bool, StoreError>;
    /// Audit lines, newest first, numbered below `before` when given.
    fn audit(&self, limit: usize, before: Option<i64>) -> Result<Vec<AuditRecord>, StoreError> {
        self.audit_matching(&AuditQuery {
            limit,
            before,
            ..AuditQuery::default()
        })
    }
    /// Audit lines that match `query`, newest first.
    fn audit_matching(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError>;
    /// Whether other publishers write to this store too (PostgreSQL): changes are then made
    /// with `base_seq` and `document`, and [`Store::follow`] tells of theirs.
    fn shared(&self) -> bool {
        false
    }
    /// Waits for this publisher's turn at `what` (a shared store), at most a few seconds.
    fn turn(&self, what: TurnFor) -> Result<Option<Turn>, StoreError> {
        let _ = what;
        Ok(None)
    }
    /// The signed document stored with the latest change, on a shared store.
    fn latest_document(&self) -> Result<Option<StoredDocument>, StoreError> {
        Ok(None)
    }
    /// Changes value whenever another publisher may have stored a change: on each of its
    /// notifications, and after each reconnect (when one may have been missed). `None` for a
    /// store nobody else writes.
    fn follow(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        None
    }
}
