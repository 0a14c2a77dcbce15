//! Drafts, templates, intake rules and alerts in PostgreSQL.

use chrono::{DateTime, Utc};
use svetofor_api::{Draft, IntakeRule, Template};
use tokio_postgres::Row;

use super::{Param, PgStore, json, json_rows, parse, text, unavailable};
use crate::work::{AlertLink, WorkStore};
use crate::{AuditEntry, StoreError};

const ALERT_COLUMNS: &str = "source, key, draft_id, notice_id, firing, routed, summary, updated_at";

fn alert_link(r: &Row) -> Result<AlertLink, StoreError> {
    Ok(AlertLink {
        source: r.try_get(0)?,
        key: r.try_get(1)?,
        draft_id: r.try_get(2)?,
        notice_id: r.try_get(3)?,
        firing: r.try_get(4)?,
        routed: r.try_get(5)?,
        summary: r.try_get(6)?,
        updated_at: r.try_get(7)?,
    })
}

impl PgStore {
    /// The one JSON document of the row `sql` finds, read as `T`.
    fn document<T: serde::de::DeserializeOwned>(
        &self,
        sql: &'static str,
        key: &str,
        what: &str,
    ) -> Result<Option<T>, StoreError> {
        let rows = self.rows(sql, vec![Param::Text(text(key))])?;
        rows.first()
            .map(|r| parse(&format!("{what} {key}"), &r.try_get::<_, String>(0)?))
            .transpose()
    }

    /// Writes a `(key, JSON)` row (new or replaced) with its audit line.
    fn put_logged(
        &self,
        sql: &'static str,
        params: Vec<Param>,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        self.execute_logged(sql, params, audit).map(|_| ())
    }
}

impl WorkStore for PgStore {
    fn drafts(&self) -> Result<Vec<Draft>, StoreError> {
        let rows = self.rows(
            "SELECT id, data FROM drafts ORDER BY publish_at ASC NULLS LAST, created_at DESC, id",
            vec![],
        )?;
        json_rows(&rows, "draft")
    }

    fn draft(&self, id: &str) -> Result<Option<Draft>, StoreError> {
        self.document("SELECT data FROM drafts WHERE id = $1", id, "draft")
    }

    fn save_draft(&self, d: &Draft, audit: &AuditEntry) -> Result<(), StoreError> {
        self.put_logged(
            "INSERT INTO drafts (id, publish_at, created_at, data) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET publish_at = excluded.publish_at, data = excluded.data",
            vec![
                Param::Text(d.id.clone()),
                Param::OptTime(d.publish_at),
                Param::Time(d.created_at),
                Param::Text(json(d)?),
            ],
            audit,
        )
    }

    fn delete_draft(&self, id: &str, audit: &AuditEntry) -> Result<bool, StoreError> {
        self.execute_logged(
            "DELETE FROM drafts WHERE id = $1",
            vec![Param::Text(text(id))],
            audit,
        )
    }

    fn next_scheduled(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let rows = self.rows("SELECT MIN(publish_at) FROM drafts", vec![])?;
        Ok(rows.first().map(|r| r.try_get(0)).transpose()?.flatten())
    }

    fn templates(&self) -> Result<Vec<Template>, StoreError> {
        let rows = self.rows("SELECT name, data FROM templates ORDER BY name", vec![])?;
        json_rows(&rows, "template")
    }

    fn template(&self, name: &str) -> Result<Option<Template>, StoreError> {
        self.document(
            "SELECT data FROM templates WHERE name = $1",
            name,
            "template",
        )
    }

    fn save_template(&self, t: &Template, audit: &AuditEntry) -> Result<(), StoreError> {
        self.put_logged(
            "INSERT INTO templates (name, data) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET data = excluded.data",
            vec![Param::Text(text(&t.name)), Param::Text(json(t)?)],
            audit,
        )
    }

    fn delete_template(&self, name: &str, audit: &AuditEntry) -> Result<bool, StoreError> {
        self.execute_logged(
            "DELETE FROM templates WHERE name = $1",
            vec![Param::Text(text(name))],
            audit,
        )
    }

    fn intake_rules(&self) -> Result<Vec<IntakeRule>, StoreError> {
        let rules: Option<Vec<IntakeRule>> = self.document(
            "SELECT value FROM meta WHERE key = $1",
            "intake_rules",
            "meta",
        )?;
        Ok(rules.unwrap_or_default())
    }

    fn set_intake_rules(&self, rules: &[IntakeRule], audit: &AuditEntry) -> Result<(), StoreError> {
        self.put_logged(
            "INSERT INTO meta (key, value) VALUES ('intake_rules', $1) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            vec![Param::Text(json(&rules)?)],
            audit,
        )
    }

    fn alert_link(&self, source: &str, key: &str) -> Result<Option<AlertLink>, StoreError> {
        let (source, key) = (text(source), text(key));
        let rows = self.run(move |pool| async move {
            let c = pool.get().await.map_err(unavailable)?;
            let sql = format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE source = $1 AND key = $2");
            Ok(c.query(&sql, &[&source, &key]).await?)
        })?;
        rows.first().map(alert_link).transpose()
    }

    fn save_alert_link(&self, l: &AlertLink) -> Result<(), StoreError> {
        let l = AlertLink {
            source: text(&l.source),
            key: text(&l.key),
            summary: text(&l.summary),
            ..l.clone()
        };
        self.run(move |pool| async move {
            let c = pool.get().await.map_err(unavailable)?;
            c.execute(
                "INSERT INTO alerts (source, key, draft_id, notice_id, firing, routed, summary, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (source, key) DO UPDATE SET draft_id = excluded.draft_id, \
                 notice_id = excluded.notice_id, firing = excluded.firing, \
                 routed = excluded.routed, summary = excluded.summary, \
                 updated_at = excluded.updated_at",
                &[
                    &l.source,
                    &l.key,
                    &l.draft_id,
                    &l.notice_id,
                    &l.firing,
                    &l.routed,
                    &l.summary,
                    &l.updated_at,
                ],
            )
            .await?;
            Ok(())
        })
    }

    fn alert_links(&self, limit: usize) -> Result<Vec<AlertLink>, StoreError> {
        let limit = limit as i64;
        let rows = self.run(move |pool| async move {
            let c = pool.get().await.map_err(unavailable)?;
            let sql = format!(
                "SELECT {ALERT_COLUMNS} FROM alerts \
                 WHERE (firing AND draft_id IS NOT NULL) OR (NOT firing AND notice_id IS NOT NULL) \
                 ORDER BY updated_at DESC LIMIT $1"
            );
            Ok(c.query(&sql, &[&limit]).await?)
        })?;
        rows.iter().map(alert_link).collect()
    }
}
