//! Accounts and sessions in SQLite.

use rusqlite::{Connection, OptionalExtension, params};

use super::{SqliteStore, db, parse_ts, ts};
use crate::Role;
use crate::accounts::UserRecord;
use crate::accounts::{AccountChange, AccountStore, SessionRecord};
use crate::{AuditEntry, StoreError};

/// The tables this file adds (schema version 2).
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled_at TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash BLOB PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users (name),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user);
";

/// The tables of [`SCHEMA`].
pub(super) const TABLES: [&str; 2] = ["users", "sessions"];

type UserRow = (String, String, String, String, Option<String>);

fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn user_record((name, role, hash, created, disabled): UserRow) -> Result<UserRecord, StoreError> {
    let role: Role = role.parse().map_err(|_| StoreError::Corrupt {
        what: format!("user {name}"),
        reason: "unknown role".to_owned(),
    })?;
    Ok(UserRecord {
        created_at: parse_ts("user", &created)?,
        disabled_at: disabled
            .as_deref()
            .map(|d| parse_ts("user", d))
            .transpose()?,
        name,
        role,
        password_hash: hash,
    })
}

const USER_COLUMNS: &str = "name, role, password_hash, created_at, disabled_at";

fn end_sessions(tx: &Connection, user: &str) -> Result<(), StoreError> {
    tx.execute("DELETE FROM sessions WHERE user = ?1", [user])
        .map_err(db)?;
    Ok(())
}

impl AccountStore for SqliteStore {
    fn insert_user(&self, u: &UserRecord, audit: &AuditEntry) -> Result<bool, StoreError> {
        self.audited(audit, |tx| {
            let n = tx
                .execute(
                    "INSERT INTO users (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4) \
                     ON CONFLICT (name) DO NOTHING",
                    params![u.name, u.role.as_str(), u.password_hash, ts(u.created_at)],
                )
                .map_err(db)?;
            if n == 0 {
                return Ok(false);
            }
            Ok(true)
        })
    }

    fn user(&self, name: &str) -> Result<Option<UserRecord>, StoreError> {
        let conn = self.conn();
        let row = conn
            .query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE name = ?1"),
                [name],
                user_row,
            )
            .optional()
            .map_err(db)?;
        row.map(user_record).transpose()
    }

    fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {USER_COLUMNS} FROM users ORDER BY created_at, name"
            ))
            .map_err(db)?;
        let rows = stmt.query_map([], user_row).map_err(db)?;
        rows.map(|r| r.map_err(db).and_then(user_record)).collect()
    }

    fn change_user(
        &self,
        name: &str,
        change: AccountChange<'_>,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        self.audited(audit, |tx| {
            let n = match change {
                AccountChange::Disable => tx.execute(
                    "UPDATE users SET disabled_at = COALESCE(disabled_at, ?2) WHERE name = ?1",
                    params![name, ts(audit.at)],
                ),
                AccountChange::Password(hash) => tx.execute(
                    "UPDATE users SET password_hash = ?2 WHERE name = ?1",
                    params![name, hash],
                ),
            }
            .map_err(db)?;
            if n == 0 {
                return Ok(false);
            }
            end_sessions(tx, name)?;
            Ok(true)
        })
    }

    fn insert_session(&self, s: &SessionRecord) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO sessions (id_hash, user, csrf, created_at, last_seen) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    s.id_hash.to_vec(),
                    s.user,
                    s.csrf,
                    ts(s.created_at),
                    ts(s.last_seen)
                ],
            )
            .map_err(db)?;
        Ok(())
    }

    fn session(&self, id_hash: &[u8; 32]) -> Result<Option<SessionRecord>, StoreError> {
        let conn = self.conn();
        let row: Option<(String, String, String, String)> = conn
            .query_row(
                "SELECT user, csrf, created_at, last_seen FROM sessions WHERE id_hash = ?1",
                [id_hash.to_vec()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(db)?;
        row.map(|(user, csrf, created, seen)| {
            Ok(SessionRecord {
                id_hash: *id_hash,
                user,
                csrf,
                created_at: parse_ts("session", &created)?,
                last_seen: parse_ts("session", &seen)?,
            })
        })
        .transpose()
    }

    fn touch_session(
        &self,
        id_hash: &[u8; 32],
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE sessions SET last_seen = ?2 WHERE id_hash = ?1",
                params![id_hash.to_vec(), ts(at)],
            )
            .map_err(db)?;
        Ok(())
    }

    fn delete_session(&self, id_hash: &[u8; 32]) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "DELETE FROM sessions WHERE id_hash = ?1",
                [id_hash.to_vec()],
            )
            .map_err(db)?;
        Ok(())
    }
}
