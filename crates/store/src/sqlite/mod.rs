//! SQLite storage: WAL journal with full sync, so an acknowledged write survives `kill -9`
//! and power loss.

mod accounts;
mod channels;
mod schema;
mod work;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use svetofor_feed::{Component, Notice, Text};

use crate::Role;
use crate::{
    AuditEntry, AuditQuery, AuditRecord, Change, NoticeFilter, NoticeQuery, Store, StoreError,
    TokenRecord,
};

/// The SQLite store. One connection behind a mutex: writes are serialized anyway, and the
/// feed itself is served from memory.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

pub(super) fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Db(e)
}

pub(super) fn ts(t: DateTime<Utc>) -> String {
    // Fixed width, so text order is time order.
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub(super) fn parse_ts(what: &str, s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt {
            what: what.to_owned(),
            reason: e.to_string(),
        })
}

fn parse_notice(id: &str, data: &str) -> Result<Notice, StoreError> {
    serde_json::from_str(data).map_err(|e| StoreError::Corrupt {
        what: format!("notice {id}"),
        reason: e.to_string(),
    })
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        create_private(path)?;
        let mut conn = Connection::open(path).map_err(db)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(db)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(db)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(db)?;
        schema::migrate(&mut conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    pub(super) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back), so a poisoned lock is safe to reuse.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Creates the database file readable by its owner only, before SQLite opens it (SQLite
/// gives its `-wal` and `-shm` files the same mode). An existing file is left as it is.
fn create_private(path: &Path) -> Result<(), StoreError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Io(e)),
    }
}

/// Rows of `(key, JSON)` read back as `T`; `what` names a row in the error ("template x").
pub(super) fn json_rows<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    what: &str,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare(sql).map_err(db)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(db)?;
    rows.map(|r| {
        let (key, data) = r.map_err(db)?;
        serde_json::from_str(&data).map_err(|e| StoreError::Corrupt {
            what: format!("{what} {key}"),
            reason: e.to_string(),
        })
    })
    .collect()
}

impl SqliteStore {
    /// `write` and its audit line in one transaction: stored together or not at all. When
    /// `write` says it changed nothing (false), nothing is stored, the line neither.
    pub(super) fn audited(
        &self,
        audit: &AuditEntry,
        write: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<bool, StoreError>,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        if !write(&tx)? {
            return Ok(false);
        }
        insert_audit(&tx, audit)?;
        tx.commit().map_err(db)?;
        Ok(true)
    }
}

pub(super) fn insert_audit(tx: &Connection, a: &AuditEntry) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO audit (at, actor, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![ts(a.at), a.actor, a.action, a.target, a.detail.to_string()],
    )
    .map_err(db)?;
    Ok(())
}

/// A `tokens` row as read: id, name, role, hash, created_at, revoked_at.
type TokenRow = (String, String, String, Vec<u8>, String, Option<String>);

fn token_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<TokenRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

fn token_record(
    (id, name, role, hash, created, revoked): TokenRow,
) -> Result<TokenRecord, StoreError> {
    let corrupt = |reason: &str| StoreError::Corrupt {
        what: format!("token {id}"),
        reason: reason.to_owned(),
    };
    let role: Role = role.parse().map_err(|_| corrupt("unknown role"))?;
    let hash: [u8; 32] = hash.try_into().map_err(|_| corrupt("bad hash length"))?;
    Ok(TokenRecord {
        created_at: parse_ts("token", &created)?,
        revoked_at: revoked
            .as_deref()
            .map(|r| parse_ts("token", r))
            .transpose()?,
        id,
        name,
        role,
        hash,
    })
}

impl Store for SqliteStore {
    fn seq(&self) -> Result<u64, StoreError> {
        let conn = self.conn();
        let v: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'seq'", [], |r| r.get(0))
            .optional()
            .map_err(db)?;
        match v {
            None => Ok(0),
            Some(s) => s.parse().map_err(|_| StoreError::Corrupt {
                what: "meta seq".to_owned(),
                reason: format!(
                    "\"{s}\" is not a number; publishing from a guessed seq could go below \
                     what clients have seen, so the server does not start"
                ),
            }),
        }
    }

    fn commit(&self, change: &Change<'_>) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        if let Some(n) = change.notice {
            const INSERT: &str = "INSERT INTO notices (id, is_open, created_at, updated_at, data) \
                 VALUES (?1, ?2, ?3, ?4, ?5)";
            const UPSERT: &str = "INSERT INTO notices (id, is_open, created_at, updated_at, data) \
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO UPDATE SET \
                 is_open = excluded.is_open, updated_at = excluded.updated_at, data = excluded.data";
            // A new notice's id must be new: a clash fails the transaction, never overwrites.
            let sql = if change.notice_is_new { INSERT } else { UPSERT };
            let data = serde_json::to_string(n)?;
            tx.execute(
                sql,
                params![
                    n.id,
                    !n.state.is_final(),
                    ts(n.created_at),
                    ts(n.updated_at),
                    data
                ],
            )
            .map_err(db)?;
        }
        // New components are added if missing; one an admin named replaces what was there.
        const ADD: &str =
            "INSERT INTO components (id, data) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING";
        const NAME: &str = "INSERT INTO components (id, data) VALUES (?1, ?2) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data";
        let added = change.components.iter().map(|c| (c, ADD));
        for (c, sql) in added.chain(change.set_component.map(|c| (c, NAME))) {
            let data = serde_json::to_string(c)?;
            tx.execute(sql, params![c.id, data]).map_err(db)?;
        }
        if let Some(id) = change.remove_draft {
            tx.execute("DELETE FROM drafts WHERE id = ?1", [id])
                .map_err(db)?;
            // An alert's draft, published: the alert now answers for the notice.
            if let Some(n) = change.notice {
                tx.execute(
                    "UPDATE alerts SET notice_id = ?1, draft_id = NULL WHERE draft_id = ?2",
                    params![n.id, id],
                )
                .map_err(db)?;
            }
        }
        if let Some(id) = change.remove_component {
            tx.execute("DELETE FROM components WHERE id = ?1", [id])
                .map_err(db)?;
        }
        if let Some(base) = change.base_seq {
            let stored: Option<String> = tx
                .query_row("SELECT value FROM meta WHERE key = 'seq'", [], |r| r.get(0))
                .optional()
                .map_err(db)?;
            let stored = stored.and_then(|s| s.parse().ok()).unwrap_or(0);
            if stored != base {
                return Err(StoreError::Conflict { stored });
            }
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('seq', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![change.seq.to_string()],
        )
        .map_err(db)?;
        channels::insert_deliveries(&tx, change.deliveries)?;
        if let Some(a) = change.audit {
            insert_audit(&tx, a)?;
        }
        tx.commit().map_err(db)
    }

    fn notice(&self, id: &str) -> Result<Option<Notice>, StoreError> {
        let conn = self.conn();
        let data: Option<String> = conn
            .query_row("SELECT data FROM notices WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(db)?;
        data.map(|d| parse_notice(id, &d)).transpose()
    }

    fn feed_notices(&self, closed_since: DateTime<Utc>) -> Result<Vec<Notice>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT id, data FROM notices WHERE is_open = 1 OR updated_at >= ?1 ORDER BY created_at, id")
            .map_err(db)?;
        let rows = stmt
            .query_map([ts(closed_since)], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(db)?;
        let mut out = vec![];
        for row in rows {
            let (id, data) = row.map_err(db)?;
            match parse_notice(&id, &data) {
                Ok(n) => out.push(n),
                // One bad row must not take the whole feed down: serve the rest, loudly.
                Err(e) => tracing::error!("left out of the feed: {e}"),
            }
        }
        Ok(out)
    }

    fn list_notices(&self, q: &NoticeQuery) -> Result<Vec<Notice>, StoreError> {
        let conn = self.conn();
        let open_clause = match q.filter {
            NoticeFilter::Current => "is_open = 1",
            NoticeFilter::Past => "is_open = 0",
            NoticeFilter::All => "1 = 1",
        };
        let cursor = if q.before.is_some() {
            "AND (created_at < ?1 OR (created_at = ?1 AND id < ?2))"
        } else {
            "AND ?1 = ?1 AND ?2 = ?2"
        };
        let (before_t, before_id) = match &q.before {
            Some((t, id)) => (ts(*t), id.clone()),
            None => (String::new(), String::new()),
        };
        let sql = format!(
            "SELECT id, data FROM notices WHERE {open_clause} {cursor}
             ORDER BY created_at DESC, id DESC LIMIT ?3"
        );
        let mut stmt = conn.prepare(&sql).map_err(db)?;
        let rows = stmt
            .query_map(params![before_t, before_id, q.limit as i64], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(db)?;
        rows.map(|r| r.map_err(db).and_then(|(id, d)| parse_notice(&id, &d)))
            .collect()
    }

    fn components(&self) -> Result<Vec<Component>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT id, data FROM components ORDER BY id")
            .map_err(db)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(db)?;
        rows.map(|r| {
            r.map_err(db).and_then(|(id, d)| {
                serde_json::from_str(&d).or_else(|_| {
                    // Fall back to the id as its name rather than lose the component.
                    Ok(Component {
                        name: Text::Plain(id.clone()),
                        id,
                        group: None,
                        status: None,
                    })
                })
            })
        })
        .collect()
    }

    fn insert_token(&self, t: &TokenRecord, audit: &AuditEntry) -> Result<(), StoreError> {
        self.audited(audit, |tx| {
            tx.execute(
                "INSERT INTO tokens (id, name, role, hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    t.id,
                    t.name,
                    t.role.as_str(),
                    t.hash.to_vec(),
                    ts(t.created_at)
                ],
            )
            .map_err(db)?;
            Ok(true)
        })
        .map(|_| ())
    }

    fn token(&self, id: &str) -> Result<Option<TokenRecord>, StoreError> {
        let conn = self.conn();
        let row = conn
            .query_row(
                "SELECT id, name, role, hash, created_at, revoked_at FROM tokens WHERE id = ?1",
                [id],
                token_row,
            )
            .optional()
            .map_err(db)?;
        row.map(token_record).transpose()
    }

    fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT id, name, role, hash, created_at, revoked_at FROM tokens ORDER BY created_at")
            .map_err(db)?;
        let rows = stmt.query_map([], token_row).map_err(db)?;
        rows.map(|r| r.map_err(db).and_then(token_record)).collect()
    }

    fn revoke_token(&self, id: &str, audit: &AuditEntry) -> Result<bool, StoreError> {
        self.audited(audit, |tx| {
            let n = tx
                .execute(
                    "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                    params![id, ts(audit.at)],
                )
                .map_err(db)?;
            if n == 0 {
                return Ok(false);
            }
            Ok(true)
        })
    }

    fn audit_matching(&self, q: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
        let conn = self.conn();
        // Every filter is always bound; an absent one matches everything.
        let mut stmt = conn
            .prepare(
                "SELECT id, at, actor, action, target, detail FROM audit \
                 WHERE id < ?1 AND (?3 IS NULL OR actor = ?3) AND (?4 IS NULL OR target = ?4) \
                 AND (?5 IS NULL OR at >= ?5) AND (?6 IS NULL OR at < ?6) \
                 ORDER BY id DESC LIMIT ?2",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map(
                params![
                    q.before.unwrap_or(i64::MAX),
                    q.limit as i64,
                    q.actor,
                    q.target,
                    q.since.map(ts),
                    q.until.map(ts)
                ],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                },
            )
            .map_err(db)?;
        rows.map(|r| {
            let (id, at, actor, action, target, detail) = r.map_err(db)?;
            Ok(AuditRecord {
                id,
                entry: AuditEntry {
                    at: parse_ts("audit", &at)?,
                    actor,
                    action,
                    target,
                    detail: serde_json::from_str(&detail)
                        .unwrap_or(serde_json::Value::String(detail)),
                },
            })
        })
        .collect()
    }
}
