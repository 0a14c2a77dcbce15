//! Channels, the outbox and the threads in SQLite.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use svetofor_api::{DeliveryInfo, DeliveryState, NoticeEvent};

use super::{SqliteStore, db, json_rows, parse_ts, ts};
use crate::channels::{
    ChannelRecord, ChannelStore, DeliveryQuery, DeliveryRow, NewDelivery, TryResult, corrupt,
    event_of, state_name, state_of,
};
use crate::{AuditEntry, StoreError};

/// The tables this file adds (schema version 4).
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS channels (
    name TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    notice_id TEXT NOT NULL,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    next_at TEXT,
    sent_at TEXT,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_at);
CREATE INDEX IF NOT EXISTS deliveries_notice ON deliveries (notice_id, channel, id);
CREATE TABLE IF NOT EXISTS threads (
    channel TEXT NOT NULL,
    notice_id TEXT NOT NULL,
    ref TEXT NOT NULL,
    PRIMARY KEY (channel, notice_id)
);
";

/// The tables of [`SCHEMA`].
pub(super) const TABLES: [&str; 3] = ["channels", "deliveries", "threads"];

/// Stores the deliveries of a change, in its transaction.
pub(super) fn insert_deliveries(
    tx: &Connection,
    deliveries: &[NewDelivery],
) -> Result<(), StoreError> {
    for d in deliveries {
        tx.execute(
            "INSERT INTO deliveries (channel, notice_id, event, payload, state, created_at, next_at) \
             VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5)",
            params![
                d.channel,
                d.event.notice.id,
                d.event.kind.as_str(),
                serde_json::to_string(&d.event)?,
                ts(d.event.timestamp)
            ],
        )
        .map_err(db)?;
    }
    Ok(())
}

const COLUMNS: &str = "id, channel, notice_id, event, state, tries, created_at, next_at, sent_at, last_error, payload";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<[Option<String>; 11]> {
    let mut out: [Option<String>; 11] = Default::default();
    out[0] = Some(r.get::<_, i64>(0)?.to_string());
    for (i, slot) in out.iter_mut().enumerate().skip(1) {
        *slot = if i == 5 {
            Some(r.get::<_, i64>(5)?.to_string())
        } else {
            r.get(i)?
        };
    }
    Ok(out)
}

fn info(cols: &[Option<String>; 11]) -> Result<DeliveryInfo, StoreError> {
    let text = |i: usize| cols[i].clone().unwrap_or_default();
    let time = |i: usize| {
        cols[i]
            .as_deref()
            .map(|t| parse_ts("delivery", t))
            .transpose()
    };
    let (event, state) = (event_of(&text(3))?, state_of(&text(4))?);
    Ok(DeliveryInfo {
        id: text(0).parse().map_err(|e| corrupt("delivery id", e))?,
        channel: text(1),
        notice_id: text(2),
        event,
        state,
        tries: text(5).parse().unwrap_or(0),
        created_at: time(6)?.unwrap_or_default(),
        next_at: time(7)?,
        sent_at: time(8)?,
        last_error: cols[9].clone(),
    })
}

fn delivery_rows(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<[Option<String>; 11]>, StoreError> {
    let mut stmt = conn.prepare(sql).map_err(db)?;
    let rows = stmt.query_map(params, row).map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

impl ChannelStore for SqliteStore {
    fn channels(&self) -> Result<Vec<ChannelRecord>, StoreError> {
        json_rows(
            &self.conn(),
            "SELECT name, data FROM channels ORDER BY name",
            "channel",
        )
    }

    fn insert_channel(&self, c: &ChannelRecord, audit: &AuditEntry) -> Result<bool, StoreError> {
        self.audited(audit, |tx| {
            let n = tx
                .execute(
                    "INSERT INTO channels (name, data) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
                    params![c.name, serde_json::to_string(c)?],
                )
                .map_err(db)?;
            if n == 0 {
                return Ok(false);
            }
            Ok(true)
        })
    }

    fn delete_channel(&self, name: &str, audit: &AuditEntry) -> Result<bool, StoreError> {
        self.audited(audit, |tx| {
            if tx
                .execute("DELETE FROM channels WHERE name = ?1", [name])
                .map_err(db)?
                == 0
            {
                return Ok(false);
            }
            tx.execute(
                "UPDATE deliveries SET state = 'failed', next_at = NULL, last_error = 'channel removed' \
                 WHERE channel = ?1 AND state = 'pending'",
                [name],
            )
            .map_err(db)?;
            tx.execute("DELETE FROM threads WHERE channel = ?1", [name])
                .map_err(db)?;
            Ok(true)
        })
    }

    fn disable_channel(&self, name: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        let Some(mut c) = self.channels()?.into_iter().find(|c| c.name == name) else {
            return Ok(());
        };
        c.disabled_at = Some(at);
        let conn = self.conn();
        conn.execute(
            "UPDATE channels SET data = ?2 WHERE name = ?1",
            params![name, serde_json::to_string(&c)?],
        )
        .map_err(db)?;
        Ok(())
    }

    fn enqueue(&self, deliveries: &[NewDelivery]) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        insert_deliveries(&tx, deliveries)?;
        tx.commit().map_err(db)
    }

    fn channels_told(&self, notice: &str) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT DISTINCT channel FROM deliveries WHERE notice_id = ?1")
            .map_err(db)?;
        let rows = stmt.query_map([notice], |r| r.get(0)).map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        let conn = self.conn();
        let sql = format!(
            "SELECT {COLUMNS} FROM deliveries d WHERE state = 'pending' AND next_at <= ?1 \
             AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.channel = d.channel \
             AND e.notice_id = d.notice_id AND e.state = 'pending' AND e.id < d.id) \
             ORDER BY id LIMIT ?2"
        );
        let rows = delivery_rows(&conn, &sql, params![ts(now), limit as i64])?;
        rows.iter()
            .map(|cols| {
                let event: NoticeEvent = serde_json::from_str(cols[10].as_deref().unwrap_or(""))
                    .map_err(|e| corrupt("delivery payload", e))?;
                Ok(DeliveryRow {
                    info: info(cols)?,
                    event,
                })
            })
            .collect()
    }

    fn next_delivery(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let conn = self.conn();
        let at: Option<String> = conn
            .query_row(
                "SELECT MIN(next_at) FROM deliveries WHERE state = 'pending'",
                [],
                |r| r.get(0),
            )
            .map_err(db)?;
        at.map(|a| parse_ts("delivery", &a)).transpose()
    }

    fn record_try(&self, id: i64, at: DateTime<Utc>, r: &TryResult) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        let sent = (r.state == DeliveryState::Sent).then(|| ts(at));
        tx.execute(
            "UPDATE deliveries SET state = ?2, tries = tries + 1, next_at = ?3, \
             sent_at = COALESCE(?4, sent_at), last_error = ?5 WHERE id = ?1",
            params![id, state_name(r.state), r.next_at.map(ts), sent, r.error],
        )
        .map_err(db)?;
        if let Some(thread) = &r.thread {
            tx.execute(
                "INSERT INTO threads (channel, notice_id, ref) \
                 SELECT channel, notice_id, ?2 FROM deliveries WHERE id = ?1 \
                 ON CONFLICT (channel, notice_id) DO NOTHING",
                params![id, thread],
            )
            .map_err(db)?;
        }
        tx.commit().map_err(db)
    }

    fn thread(&self, channel: &str, notice: &str) -> Result<Option<String>, StoreError> {
        let conn = self.conn();
        conn.query_row(
            "SELECT ref FROM threads WHERE channel = ?1 AND notice_id = ?2",
            params![channel, notice],
            |r| r.get(0),
        )
        .optional()
        .map_err(db)
    }

    fn deliveries(&self, q: &DeliveryQuery) -> Result<Vec<DeliveryInfo>, StoreError> {
        let conn = self.conn();
        let sql = format!(
            "SELECT {COLUMNS} FROM deliveries WHERE (?1 IS NULL OR notice_id = ?1) \
             AND (?2 IS NULL OR channel = ?2) AND (?3 IS NULL OR created_at >= ?3) \
             AND (?5 IS NULL OR id = ?5) ORDER BY id DESC LIMIT ?4"
        );
        let rows = delivery_rows(
            &conn,
            &sql,
            params![q.notice, q.channel, q.since.map(ts), q.limit as i64, q.id],
        )?;
        rows.iter().map(info).collect()
    }

    fn retry_delivery(
        &self,
        id: i64,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        self.audited(audit, |tx| {
            let n = tx
                .execute(
                    "UPDATE deliveries SET state = 'pending', next_at = ?2 \
                     WHERE id = ?1 AND state = 'failed' \
                     AND channel IN (SELECT name FROM channels)",
                    params![id, ts(now)],
                )
                .map_err(db)?;
            if n == 0 {
                return Ok(false);
            }
            Ok(true)
        })
    }
}
