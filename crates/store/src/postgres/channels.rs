//! Channels, the outbox and the threads in PostgreSQL.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use svetofor_api::{DeliveryInfo, DeliveryState, NoticeEvent};
use tokio_postgres::Row;

use super::{AuditRow, Param, PgStore, json, json_rows, parse, text, unavailable};
use crate::channels::{
    ChannelRecord, ChannelStore, DeliveryQuery, DeliveryRow, NewDelivery, TryResult, event_of,
    state_name, state_of,
};
use crate::{AuditEntry, StoreError};

/// A delivery to insert, owned, to move into a database task.
pub(super) struct DeliveryInsert {
    channel: String,
    notice_id: String,
    event: &'static str,
    payload: String,
    at: DateTime<Utc>,
}

impl DeliveryInsert {
    pub(super) fn of(deliveries: &[NewDelivery]) -> Result<Vec<DeliveryInsert>, StoreError> {
        deliveries
            .iter()
            .map(|d| {
                Ok(DeliveryInsert {
                    channel: d.channel.clone(),
                    notice_id: d.event.notice.id.clone(),
                    event: d.event.kind.as_str(),
                    payload: json(&d.event)?,
                    at: d.event.timestamp,
                })
            })
            .collect()
    }
}

/// Stores the deliveries of a change, in its transaction.
pub(super) async fn insert_deliveries(
    tx: &impl GenericClient,
    deliveries: &[DeliveryInsert],
) -> Result<(), StoreError> {
    for d in deliveries {
        tx.execute(
            "INSERT INTO deliveries (channel, notice_id, event, payload, state, created_at, next_at) \
             VALUES ($1, $2, $3, $4, 'pending', $5, $5)",
            &[&d.channel, &d.notice_id, &d.event, &d.payload, &d.at],
        )
        .await?;
    }
    Ok(())
}

/// How long a claimed delivery is left to its publisher before another may try it.
const CLAIM_SECONDS: i64 = 120;

const COLUMNS: &str = "id, channel, notice_id, event, state, tries, created_at, next_at, sent_at, last_error, payload";

fn info(r: &Row) -> Result<DeliveryInfo, StoreError> {
    let (event, state): (String, String) = (r.try_get(3)?, r.try_get(4)?);
    let (event, state) = (event_of(&event)?, state_of(&state)?);
    let tries: i32 = r.try_get(5)?;
    Ok(DeliveryInfo {
        id: r.try_get(0)?,
        channel: r.try_get(1)?,
        notice_id: r.try_get(2)?,
        event,
        state,
        tries: tries.try_into().unwrap_or(0),
        created_at: r.try_get(6)?,
        next_at: r.try_get(7)?,
        sent_at: r.try_get(8)?,
        last_error: r.try_get(9)?,
    })
}

impl ChannelStore for PgStore {
    fn channels(&self) -> Result<Vec<ChannelRecord>, StoreError> {
        let rows = self.rows("SELECT name, data FROM channels ORDER BY name", vec![])?;
        json_rows(&rows, "channel")
    }

    fn insert_channel(&self, c: &ChannelRecord, audit: &AuditEntry) -> Result<bool, StoreError> {
        self.execute_logged(
            "INSERT INTO channels (name, data) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            vec![Param::Text(text(&c.name)), Param::Text(json(c)?)],
            audit,
        )
    }

    fn delete_channel(&self, name: &str, audit: &AuditEntry) -> Result<bool, StoreError> {
        let name = text(name);
        let audit = AuditRow::of(audit);
        self.run(move |pool| async move {
            let mut c = pool.get().await.map_err(unavailable)?;
            let tx = c.transaction().await?;
            if tx
                .execute("DELETE FROM channels WHERE name = $1", &[&name])
                .await?
                == 0
            {
                return Ok(false);
            }
            tx.execute(
                "UPDATE deliveries SET state = 'failed', next_at = NULL, \
                 last_error = 'channel removed' WHERE channel = $1 AND state = 'pending'",
                &[&name],
            )
            .await?;
            tx.execute("DELETE FROM threads WHERE channel = $1", &[&name])
                .await?;
            audit.insert(&tx).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    fn disable_channel(&self, name: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        let Some(mut c) = self.channels()?.into_iter().find(|c| c.name == name) else {
            return Ok(());
        };
        c.disabled_at = Some(at);
        self.execute(
            "UPDATE channels SET data = $2 WHERE name = $1",
            vec![Param::Text(text(name)), Param::Text(json(&c)?)],
        )?;
        Ok(())
    }

    fn enqueue(&self, deliveries: &[NewDelivery]) -> Result<(), StoreError> {
        let rows = DeliveryInsert::of(deliveries)?;
        self.run(move |pool| async move {
            let mut c = pool.get().await.map_err(unavailable)?;
            let tx = c.transaction().await?;
            insert_deliveries(&tx, &rows).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn channels_told(&self, notice: &str) -> Result<Vec<String>, StoreError> {
        let rows = self.rows(
            "SELECT DISTINCT channel FROM deliveries WHERE notice_id = $1",
            vec![Param::Text(text(notice))],
        )?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        let limit = limit as i64;
        let rows = self.run(move |pool| async move {
            let c = pool.get().await.map_err(unavailable)?;
            // Several publishers work the outbox: each claims what it takes for a while
            // (rows another has locked are skipped), so a delivery goes out once; a claim
            // whose publisher died lapses and the delivery is tried again.
            let lease = now + chrono::TimeDelta::seconds(CLAIM_SECONDS);
            let sql = format!(
                "UPDATE deliveries SET next_at = $3 WHERE id IN (\
                 SELECT id FROM deliveries d WHERE state = 'pending' AND next_at <= $1 \
                 AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.channel = d.channel \
                 AND e.notice_id = d.notice_id AND e.state = 'pending' AND e.id < d.id) \
                 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING {COLUMNS}"
            );
            let mut rows = c.query(&sql, &[&now, &limit, &lease]).await?;
            rows.sort_by_key(|r| r.get::<_, i64>(0));
            Ok(rows)
        })?;
        rows.iter()
            .map(|r| {
                let payload: String = r.try_get(10)?;
                let event: NoticeEvent = parse("delivery payload", &payload)?;
                Ok(DeliveryRow {
                    info: info(r)?,
                    event,
                })
            })
            .collect()
    }

    fn next_delivery(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let rows = self.rows(
            "SELECT MIN(next_at) FROM deliveries WHERE state = 'pending'",
            vec![],
        )?;
        Ok(rows.first().map(|r| r.try_get(0)).transpose()?.flatten())
    }

    fn record_try(&self, id: i64, at: DateTime<Utc>, r: &TryResult) -> Result<(), StoreError> {
        let state = state_name(r.state);
        let sent = (r.state == DeliveryState::Sent).then_some(at);
        let next = r.next_at;
        let error = r.error.as_deref().map(text);
        let thread = r.thread.as_deref().map(text);
        self.run(move |pool| async move {
            let mut c = pool.get().await.map_err(unavailable)?;
            let tx = c.transaction().await?;
            tx.execute(
                "UPDATE deliveries SET state = $2, tries = tries + 1, next_at = $3, \
                 sent_at = COALESCE($4, sent_at), last_error = $5 WHERE id = $1",
                &[&id, &state, &next, &sent, &error],
            )
            .await?;
            if let Some(thread) = &thread {
                tx.execute(
                    "INSERT INTO threads (channel, notice_id, thread_ref) \
                     SELECT channel, notice_id, $2 FROM deliveries WHERE id = $1 \
                     ON CONFLICT (channel, notice_id) DO NOTHING",
                    &[&id, thread],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn thread(&self, channel: &str, notice: &str) -> Result<Option<String>, StoreError> {
        let rows = self.rows(
            "SELECT thread_ref FROM threads WHERE channel = $1 AND notice_id = $2",
            vec![Param::Text(text(channel)), Param::Text(text(notice))],
        )?;
        Ok(rows.first().map(|r| r.try_get(0)).transpose()?)
    }

    fn deliveries(&self, q: &DeliveryQuery) -> Result<Vec<DeliveryInfo>, StoreError> {
        let rows = self.rows(
            "SELECT id, channel, notice_id, event, state, tries, created_at, next_at, sent_at, \
             last_error, payload FROM deliveries WHERE ($1::text IS NULL OR notice_id = $1) \
             AND ($2::text IS NULL OR channel = $2) AND ($3::timestamptz IS NULL OR created_at >= $3) \
             AND ($5::bigint IS NULL OR id = $5) ORDER BY id DESC LIMIT $4",
            vec![
                Param::OptText(q.notice.as_deref().map(text)),
                Param::OptText(q.channel.as_deref().map(text)),
                Param::OptTime(q.since),
                Param::Int(q.limit as i64),
                Param::OptInt(q.id),
            ],
        )?;
        rows.iter().map(info).collect()
    }

    fn retry_delivery(
        &self,
        id: i64,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        self.execute_logged(
            "UPDATE deliveries SET state = 'pending', next_at = $2 \
             WHERE id = $1 AND state = 'failed' AND channel IN (SELECT name FROM channels)",
            vec![Param::Int(id), Param::Time(now)],
            audit,
        )
    }
}
