//! Drafts and templates in SQLite.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use svetofor_api::{Draft, IntakeRule, Template};

use super::{SqliteStore, db, json_rows, parse_ts, ts};
use crate::work::{AlertLink, WorkStore};
use crate::{AuditEntry, StoreError};

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

/// The intake's tables (schema version 4).
pub(super) const INTAKE_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS alerts (
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    draft_id TEXT,
    notice_id TEXT,
    firing INTEGER NOT NULL,
    routed INTEGER NOT NULL,
    summary TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (source, key)
);
CREATE INDEX IF NOT EXISTS alerts_draft ON alerts (draft_id);
";

/// The tables of [`INTAKE_SCHEMA`].
pub(super) const INTAKE_TABLES: [&str; 1] = ["alerts"];

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
    store.audited(audit, |tx| {
        if tx.execute(sql, [key]).map_err(db)? == 0 {
            return Ok(false);
        }
        Ok(true)
    })
}

impl WorkStore for SqliteStore {
    fn drafts(&self) -> Result<Vec<Draft>, StoreError> {
        json_rows(
            &self.conn(),
            "SELECT id, data FROM drafts \
             ORDER BY publish_at IS NULL, publish_at, created_at DESC, id",
            "draft",
        )
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
        self
            .audited(audit, |tx| {
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
                Ok(true)
            })
            .map(|_| ())
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
        json_rows(
            &self.conn(),
            "SELECT name, data FROM templates ORDER BY name",
            "template",
        )
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
        self.audited(audit, |tx| {
            tx.execute(
                "INSERT INTO templates (name, data) VALUES (?1, ?2) \
                     ON CONFLICT (name) DO UPDATE SET data = excluded.data",
                params![t.name, serde_json::to_string(t)?],
            )
            .map_err(db)?;
            Ok(true)
        })
        .map(|_| ())
    }

    fn delete_template(&self, name: &str, audit: &AuditEntry) -> Result<bool, StoreError> {
        delete_logged(self, "DELETE FROM templates WHERE name = ?1", name, audit)
    }

    fn intake_rules(&self) -> Result<Vec<IntakeRule>, StoreError> {
        let conn = self.conn();
        let data: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'intake_rules'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        data.map_or(Ok(vec![]), |d| parse("intake rules", &d))
    }

    fn set_intake_rules(&self, rules: &[IntakeRule], audit: &AuditEntry) -> Result<(), StoreError> {
        self.audited(audit, |tx| {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('intake_rules', ?1) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [serde_json::to_string(rules)?],
            )
            .map_err(db)?;
            Ok(true)
        })
        .map(|_| ())
    }

    fn alert_link(&self, source: &str, key: &str) -> Result<Option<AlertLink>, StoreError> {
        let conn = self.conn();
        conn.query_row(
            &format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE source = ?1 AND key = ?2"),
            params![source, key],
            alert_row,
        )
        .optional()
        .map_err(db)?
        .map(alert_link)
        .transpose()
    }

    fn save_alert_link(&self, l: &AlertLink) -> Result<(), StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO alerts (source, key, draft_id, notice_id, firing, routed, summary, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (source, key) DO UPDATE SET \
             draft_id = excluded.draft_id, notice_id = excluded.notice_id, firing = excluded.firing, \
             routed = excluded.routed, summary = excluded.summary, updated_at = excluded.updated_at",
            params![
                l.source,
                l.key,
                l.draft_id,
                l.notice_id,
                l.firing,
                l.routed,
                l.summary,
                ts(l.updated_at)
            ],
        )
        .map_err(db)?;
        Ok(())
    }

    fn alert_links(&self, limit: usize) -> Result<Vec<AlertLink>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {ALERT_COLUMNS} FROM alerts \
                 WHERE (firing = 1 AND draft_id IS NOT NULL) OR (firing = 0 AND notice_id IS NOT NULL) \
                 ORDER BY updated_at DESC LIMIT ?1"
            ))
            .map_err(db)?;
        let rows = stmt.query_map([limit as i64], alert_row).map_err(db)?;
        rows.map(|r| r.map_err(db).and_then(alert_link)).collect()
    }
}

const ALERT_COLUMNS: &str = "source, key, draft_id, notice_id, firing, routed, summary, updated_at";

type AlertRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    bool,
    bool,
    String,
    String,
);

fn alert_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AlertRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn alert_link(
    (source, key, draft_id, notice_id, firing, routed, summary, at): AlertRow,
) -> Result<AlertLink, StoreError> {
    Ok(AlertLink {
        updated_at: parse_ts("alert", &at)?,
        source,
        key,
        draft_id,
        notice_id,
        firing,
        routed,
        summary,
    })
}
