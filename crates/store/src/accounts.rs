//! What the console needs from storage: accounts and sign-in sessions. A session is stored by
//! the SHA-256 of its id only, so a copy of the database signs nobody in.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{AuditEntry, Role, StoreError};

/// An account as stored: the hash of its password, never the password.
#[derive(Debug, Clone, Serialize)]
pub struct UserRecord {
    /// Sign-in name, lower case; also how the audit log names the person.
    pub name: String,
    pub role: Role,
    /// Argon2id PHC string.
    #[serde(skip)]
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    /// Disabled accounts cannot sign in, and their sessions end.
    pub disabled_at: Option<DateTime<Utc>>,
}

impl UserRecord {
    /// How the audit log names this person.
    pub fn actor(&self) -> String {
        format!("user:{}", self.name)
    }
}

/// A sign-in session as stored.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    /// SHA-256 of the session id the browser holds.
    pub id_hash: [u8; 32],
    /// Whose.
    pub user: String,
    /// The token every state-changing form of this session carries.
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    /// Last request, for the idle timeout.
    pub last_seen: DateTime<Utc>,
}

/// A change to an account.
#[derive(Debug, Clone, Copy)]
pub enum AccountChange<'a> {
    /// Disable it: no sign-in, and its sessions end.
    Disable,
    /// A new password (its hash); its sessions end.
    Password(&'a str),
}

/// Accounts and sessions.
pub trait AccountStore: Send + Sync + 'static {
    /// Stores a new account and its audit line; false when the name is taken.
    fn insert_user(&self, user: &UserRecord, audit: &AuditEntry) -> Result<bool, StoreError>;
    /// One account by (lower-case) name.
    fn user(&self, name: &str) -> Result<Option<UserRecord>, StoreError>;
    /// Every account, oldest first.
    fn users(&self) -> Result<Vec<UserRecord>, StoreError>;
    /// Changes an account and ends its sessions, in one transaction with the audit line;
    /// false when there is no such account.
    fn change_user(
        &self,
        name: &str,
        change: AccountChange<'_>,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError>;
    /// Stores a new session.
    fn insert_session(&self, session: &SessionRecord) -> Result<(), StoreError>;
    /// One session by the hash of its id.
    fn session(&self, id_hash: &[u8; 32]) -> Result<Option<SessionRecord>, StoreError>;
    /// Notes a request on a session.
    fn touch_session(&self, id_hash: &[u8; 32], at: DateTime<Utc>) -> Result<(), StoreError>;
    /// Ends a session.
    fn delete_session(&self, id_hash: &[u8; 32]) -> Result<(), StoreError>;
}
