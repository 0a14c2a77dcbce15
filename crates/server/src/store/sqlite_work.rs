//! Drafts and templates in SQLite.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use svetofor_api::{Draft, Template};

use super::sqlite::{SqliteStore, db, insert_audit, parse_ts, ts};
use super::work::WorkStore;
use super::{AuditEntry, StoreError};

/// The tables this file adds (schema version 3).
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS drafts (
    id TEXT PRIMARY KEY,
    publish_at TEXT,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS drafts_due ON drafts (publish_at);
CREATE TABLE IF NOT EXISTS templates (
    name TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_target ON audit (target, id);
";

/// The tables of [`SCHEMA`].
pub(super) const TABLES: [&str; 2] = ["drafts", "templates"];

fn parse<T: serde::de::DeserializeOwned>(what: &str, data: &str) -> Result<T, StoreError> {
    serde_json::from_str(data).map_err(|e| StoreError::Corrupt {
        what: what.to_owned(),
        reason: e.to_string(),
    })
}

/// Runs a one-row `DELETE` with its audit line in one transaction; false when no row was
/// there (and nothing is logged).
fn delete_logged(
    store: &SqliteStore,
    sql: &str,
    key: &str,
    audit: &AuditEntry,
) -> Result<bool, StoreError> {
    let mut conn = store.conn();
    let tx = conn.transaction().map_err(db)?;
    if tx.execute(sql, [key]).map_err(db)? == 0 {
        return Ok(false);
    }
    insert_audit(&tx, audit)?;
    tx.commit().map_err(db)?;
    Ok(true)
}

impl WorkStore for SqliteStore {
    fn drafts(&self) -> Result<Vec<Draft>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT id, data FROM drafts \
                 ORDER BY publish_at IS NULL, publish_at, created_at DESC, id",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(db)?;
        rows.map(|r| {
            let (id, data) = r.map_err(db)?;
            parse(&format!("draft {id}"), &data)
        })
        .collect()
    }

    fn draft(&self, id: &str) -> Result<Option<Draft>, StoreError> {
        let conn = self.conn();
        let data: Option<String> = conn
            .query_row("SELECT data FROM drafts WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(db)?;
        data.map(|d| parse(&format!("draft {id}"), &d)).transpose()
    }

    fn save_draft(&self, d: &Draft, audit: &AuditEntry) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        tx.execute(
            "INSERT INTO drafts (id, publish_at, created_at, data) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (id) DO UPDATE SET publish_at = excluded.publish_at, data = excluded.data",
            params![
                d.id,
                d.publish_at.map(ts),
                ts(d.created_at),
                serde_json::to_string(d)?
            ],
        )
        .map_err(db)?;
        insert_audit(&tx, audit)?;
        tx.commit().map_err(db)
    }

    fn delete_draft(&self, id: &str, audit: &AuditEntry) -> Result<bool, StoreError> {
        delete_logged(self, "DELETE FROM drafts WHERE id = ?1", id, audit)
    }

    fn next_scheduled(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let conn = self.conn();
        let at: Option<String> = conn
            .query_row(
                "SELECT MIN(publish_at) FROM drafts WHERE publish_at IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .map_err(db)?;
        at.map(|a| parse_ts("draft", &a)).transpose()
    }

    fn templates(&self) -> Result<Vec<Template>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT name, data FROM templates ORDER BY name")
            .map_err(db)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(db)?;
        rows.map(|r| {
            let (name, data) = r.map_err(db)?;
            parse(&format!("template {name}"), &data)
        })
        .collect()
    }

    fn template(&self, name: &str) -> Result<Option<Template>, StoreError> {
        let conn = self.conn();
        let data: Option<String> = conn
            .query_row("SELECT data FROM templates WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db)?;
        data.map(|d| parse(&format!("template {name}"), &d))
            .transpose()
    }

    fn save_template(&self, t: &Template, audit: &AuditEntry) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        tx.execute(
            "INSERT INTO templates (name, data) VALUES (?1, ?2) \
             ON CONFLICT (name) DO UPDATE SET data = excluded.data",
            params![t.name, serde_json::to_string(t)?],
        )
        .map_err(db)?;
        insert_audit(&tx, audit)?;
        tx.commit().map_err(db)
    }

    fn delete_template(&self, name: &str, audit: &AuditEntry) -> Result<bool, StoreError> {
        delete_logged(self, "DELETE FROM templates WHERE name = ?1", name, audit)
    }
}
