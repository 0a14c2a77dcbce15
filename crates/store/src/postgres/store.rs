//! The feed's store on PostgreSQL: notices, components, tokens, audit lines and the signed
//! document, each change committed by compare-and-set on the stored seq.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use svetofor_feed::{Component, Notice, Text};
use tokio_postgres::Row;

use super::*;
use crate::Role;
use crate::{
    AuditEntry, AuditQuery, AuditRecord, Change, NoticeFilter, NoticeQuery, Store, StoreError,
    StoredDocument, TokenRecord, Turn, TurnFor,
};

fn notice_of(r: &Row) -> Result<Notice, StoreError> {
    let (id, data): (String, String) = (r.try_get(0)?, r.try_get(1)?);
    parse(&format!("notice {id}"), &data)
}

/// A `tokens` row as read: id, name, role, hash, created_at, revoked_at.
fn token_record(r: &Row) -> Result<TokenRecord, StoreError> {
    let id: String = r.try_get(0)?;
    let corrupt = |reason: &str| StoreError::Corrupt {
        what: format!("token {id}"),
        reason: reason.to_owned(),
    };
    let role: String = r.try_get(2)?;
    let role: Role = role.parse().map_err(|_| corrupt("unknown role"))?;
    let hash: Vec<u8> = r.try_get(3)?;
    let hash: [u8; 32] = hash.try_into().map_err(|_| corrupt("bad hash length"))?;
    Ok(TokenRecord {
        name: r.try_get(1)?,
        role,
        hash,
        created_at: r.try_get(4)?,
        revoked_at: r.try_get(5)?,
        id,
    })
}

/// A notice row: id, open, created, updated, JSON.
type NoticeRow = (String, bool, DateTime<Utc>, DateTime<Utc>, String);

/// A change made owned, to move into a database task.
struct OwnedChange {
    notice: Option<NoticeRow>,
    notice_is_new: bool,
    components: Vec<(String, String, bool)>,
    remove_component: Option<String>,
    remove_draft: Option<String>,
    deliveries: Vec<channels::DeliveryInsert>,
    seq: i64,
    base_seq: Option<u64>,
    document: Option<(String, String)>,
    audit: Option<AuditRow>,
}

impl OwnedChange {
    fn of(change: &Change<'_>) -> Result<OwnedChange, StoreError> {
        let notice = match change.notice {
            Some(n) => Some((
                n.id.clone(),
                !n.state.is_final(),
                n.created_at,
                n.updated_at,
                json(n)?,
            )),
            None => None,
        };
        // New components are added if missing; one an admin named replaces what was there.
        let mut components = vec![];
        for c in change.components {
            components.push((c.id.clone(), json(c)?, false));
        }
        if let Some(c) = change.set_component {
            components.push((c.id.clone(), json(c)?, true));
        }
        Ok(OwnedChange {
            notice,
            notice_is_new: change.notice_is_new,
            components,
            remove_component: change.remove_component.map(str::to_owned),
            remove_draft: change.remove_draft.map(str::to_owned),
            deliveries: channels::DeliveryInsert::of(change.deliveries)?,
            seq: i64::try_from(change.seq).map_err(|_| StoreError::Corrupt {
                what: "feed seq".to_owned(),
                reason: "beyond what the database stores".to_owned(),
            })?,
            base_seq: change.base_seq,
            document: change.document.map(|(d, s)| (d.to_owned(), s.to_owned())),
            audit: change.audit.map(AuditRow::of),
        })
    }
}

impl Store for PgStore {
    fn seq(&self) -> Result<u64, StoreError> {
        let rows = self.rows("SELECT value FROM meta WHERE key = 'seq'", vec![])?;
        let Some(row) = rows.first() else {
            return Ok(0);
        };
        let s: String = row.try_get(0)?;
        s.parse().map_err(|_| StoreError::Corrupt {
            what: "meta seq".to_owned(),
            reason: format!(
                "\"{s}\" is not a number; publishing from a guessed seq could go below \
                 what clients have seen, so the server does not start"
            ),
        })
    }

    fn commit(&self, change: &Change<'_>) -> Result<(), StoreError> {
        let ch = OwnedChange::of(change)?;
        self.run(move |pool| async move {
            let mut c = pool.get().await.map_err(unavailable)?;
            let tx = c.transaction().await?;
            if let Some((id, open, created, updated, data)) = &ch.notice {
                // A new notice's id must be new: a clash fails the transaction, never
                // overwrites.
                let sql = if ch.notice_is_new {
                    "INSERT INTO notices (id, is_open, created_at, updated_at, data) \
                     VALUES ($1, $2, $3, $4, $5)"
                } else {
                    "INSERT INTO notices (id, is_open, created_at, updated_at, data) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET \
                     is_open = excluded.is_open, updated_at = excluded.updated_at, \
                     data = excluded.data"
                };
                tx.execute(sql, &[id, open, created, updated, data]).await?;
            }
            for (id, data, replace) in &ch.components {
                let sql = if *replace {
                    "INSERT INTO components (id, data) VALUES ($1, $2) \
                     ON CONFLICT (id) DO UPDATE SET data = excluded.data"
                } else {
                    "INSERT INTO components (id, data) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING"
                };
                tx.execute(sql, &[id, data]).await?;
            }
            if let Some(id) = &ch.remove_draft {
                tx.execute("DELETE FROM drafts WHERE id = $1", &[id])
                    .await?;
                // An alert's draft, published: the alert now answers for the notice.
                if let Some((notice, ..)) = &ch.notice {
                    tx.execute(
                        "UPDATE alerts SET notice_id = $1, draft_id = NULL WHERE draft_id = $2",
                        &[notice, id],
                    )
                    .await?;
                }
            }
            if let Some(id) = &ch.remove_component {
                tx.execute("DELETE FROM components WHERE id = $1", &[id])
                    .await?;
            }
            let seq = ch.seq.to_string();
            match ch.base_seq {
                // Compare-and-set on the one row every writer touches: of two publishers that
                // built on the same seq, the second waits for the first's commit, then finds
                // the seq moved on and stores nothing.
                Some(base) => {
                    let moved = tx
                        .execute(
                            "UPDATE meta SET value = $1 WHERE key = 'seq' AND value = $2",
                            &[&seq, &base.to_string()],
                        )
                        .await?;
                    if moved == 0 {
                        let row = tx
                            .query_one("SELECT value FROM meta WHERE key = 'seq'", &[])
                            .await?;
                        let stored: String = row.try_get(0)?;
                        return Err(StoreError::Conflict {
                            stored: stored.parse().unwrap_or(0),
                        });
                    }
                }
                None => {
                    tx.execute(
                        "INSERT INTO meta (key, value) VALUES ('seq', $1) \
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        &[&seq],
                    )
                    .await?;
                }
            }
            if let Some((document, signature)) = &ch.document {
                tx.execute(
                    "INSERT INTO feed_document (one, seq, document, signature) \
                     VALUES (true, $1, $2, $3) ON CONFLICT (one) DO UPDATE SET \
                     seq = excluded.seq, document = excluded.document, \
                     signature = excluded.signature",
                    &[&ch.seq, document, signature],
                )
                .await?;
            }
            // Delivered to the listening publishers when (and only if) this commits.
            tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &seq])
                .await?;
            channels::insert_deliveries(&tx, &ch.deliveries).await?;
            if let Some(a) = &ch.audit {
                a.insert(&tx).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn notice(&self, id: &str) -> Result<Option<Notice>, StoreError> {
        let rows = self.rows(
            "SELECT id, data FROM notices WHERE id = $1",
            vec![Param::Text(id.to_owned())],
        )?;
        rows.first().map(notice_of).transpose()
    }

    fn feed_notices(&self, closed_since: DateTime<Utc>) -> Result<Vec<Notice>, StoreError> {
        let rows = self.rows(
            "SELECT id, data FROM notices WHERE is_open OR updated_at >= $1 \
             ORDER BY created_at, id",
            vec![Param::Time(closed_since)],
        )?;
        let mut out = vec![];
        for row in &rows {
            match notice_of(row) {
                Ok(n) => out.push(n),
                // One bad row must not take the whole feed down: serve the rest, loudly.
                Err(e) => tracing::error!("left out of the feed: {e}"),
            }
        }
        Ok(out)
    }

    fn list_notices(&self, q: &NoticeQuery) -> Result<Vec<Notice>, StoreError> {
        let (before_t, before_id) = match &q.before {
            Some((t, id)) => (Some(*t), Some(id.clone())),
            None => (None, None),
        };
        let filter = match q.filter {
            NoticeFilter::Current => Some(true),
            NoticeFilter::Past => Some(false),
            NoticeFilter::All => None,
        };
        let limit = q.limit as i64;
        let rows = self.run(move |pool| async move {
            let c = pool.get().await.map_err(unavailable)?;
            Ok(c.query(
                "SELECT id, data FROM notices WHERE ($1::boolean IS NULL OR is_open = $1) \
                 AND ($2::timestamptz IS NULL OR created_at < $2 \
                      OR (created_at = $2 AND id < $3::text)) \
                 ORDER BY created_at DESC, id DESC LIMIT $4",
                &[&filter, &before_t, &before_id, &limit],
            )
            .await?)
        })?;
        rows.iter().map(notice_of).collect()
    }

    fn components(&self) -> Result<Vec<Component>, StoreError> {
        let rows = self.rows("SELECT id, data FROM components ORDER BY id", vec![])?;
        rows.iter()
            .map(|r| {
                let (id, data): (String, String) = (r.try_get(0)?, r.try_get(1)?);
                // Fall back to the id as its name rather than lose the component.
                Ok(serde_json::from_str(&data).unwrap_or(Component {
                    name: Text::Plain(id.clone()),
                    id,
                    group: None,
                    status: None,
                }))
            })
            .collect()
    }

    fn insert_token(&self, t: &TokenRecord, audit: &AuditEntry) -> Result<(), StoreError> {
        self.execute_logged(
            "INSERT INTO tokens (id, name, role, hash, created_at) VALUES ($1, $2, $3, $4, $5)",
            vec![
                Param::Text(t.id.clone()),
                Param::Text(text(&t.name)),
                Param::Text(t.role.as_str().to_owned()),
                Param::Bytes(t.hash.to_vec()),
                Param::Time(t.created_at),
            ],
            audit,
        )?;
        Ok(())
    }

    fn token(&self, id: &str) -> Result<Option<TokenRecord>, StoreError> {
        let rows = self.rows(
            "SELECT id, name, role, hash, created_at, revoked_at FROM tokens WHERE id = $1",
            vec![Param::Text(id.to_owned())],
        )?;
        rows.first().map(token_record).transpose()
    }

    fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        let rows = self.rows(
            "SELECT id, name, role, hash, created_at, revoked_at FROM tokens ORDER BY created_at",
            vec![],
        )?;
        rows.iter().map(token_record).collect()
    }

    fn revoke_token(&self, id: &str, audit: &AuditEntry) -> Result<bool, StoreError> {
        self.execute_logged(
            "UPDATE tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            vec![Param::Text(id.to_owned()), Param::Time(audit.at)],
            audit,
        )
    }

    fn shared(&self) -> bool {
        true
    }

    fn turn(&self, what: TurnFor) -> Result<Option<Turn>, StoreError> {
        let slot = match what {
            TurnFor::Writing => &self.turns[0],
            TurnFor::Intake => &self.turns[1],
        };
        let lock = turn_lock(what);
        let (turn, config, tls) = (slot.clone(), self.config.clone(), self.tls.clone());
        let held = self.run(move |_| async move {
            let mut held = turn.lock_owned().await;
            if held.as_ref().is_none_or(|c| c.is_closed()) {
                let (client, connection) = config.connect(tls).await?;
                tokio::spawn(connection);
                // Waiting longer than a call may take fails here, on the server, so a lock
                // granted after the caller gave up can never stay held.
                client
                    .batch_execute(&format!(
                        "SET lock_timeout = '{}s'",
                        CALL_LIMIT.as_secs() - 1
                    ))
                    .await?;
                *held = Some(client);
            }
            if let Some(client) = held.as_ref() {
                client
                    .execute("SELECT pg_advisory_lock($1)", &[&lock])
                    .await?;
            }
            Ok(held)
        })?;
        let rt = self
            .rt
            .as_ref()
            .ok_or_else(|| unavailable("the store is closed"))?
            .handle()
            .clone();
        Ok(Some(Turn::new(TurnHeld {
            held: Some(held),
            lock,
            rt,
        })))
    }

    fn latest_document(&self) -> Result<Option<StoredDocument>, StoreError> {
        let rows = self.rows("SELECT seq, document, signature FROM feed_document", vec![])?;
        rows.first()
            .map(|r| {
                let seq: i64 = r.try_get(0)?;
                Ok(StoredDocument {
                    seq: u64::try_from(seq).unwrap_or(0),
                    document: r.try_get(1)?,
                    signature: r.try_get(2)?,
                })
            })
            .transpose()
    }

    fn follow(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        let rt = self.rt.as_ref()?;
        Some(
            self.follow
                .get_or_init(|| {
                    let (tx, rx) = tokio::sync::watch::channel(0);
                    rt.spawn(listen(self.config.clone(), self.tls.clone(), tx));
                    rx
                })
                .clone(),
        )
    }

    fn audit_matching(&self, q: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
        // Every filter is always bound; an absent one matches everything.
        let rows = self.rows(
            "SELECT id, at, actor, action, target, detail FROM audit \
             WHERE id < $1 AND ($3::text IS NULL OR actor = $3) \
             AND ($4::text IS NULL OR target = $4) \
             AND ($5::timestamptz IS NULL OR at >= $5) AND ($6::timestamptz IS NULL OR at < $6) \
             ORDER BY id DESC LIMIT $2",
            vec![
                Param::Int(q.before.unwrap_or(i64::MAX)),
                Param::Int(q.limit as i64),
                Param::OptText(q.actor.clone()),
                Param::OptText(q.target.clone()),
                Param::OptTime(q.since),
                Param::OptTime(q.until),
            ],
        )?;
        rows.iter()
            .map(|r| {
                let detail: String = r.try_get(5)?;
                Ok(AuditRecord {
                    id: r.try_get(0)?,
                    entry: AuditEntry {
                        at: r.try_get(1)?,
                        actor: r.try_get(2)?,
                        action: r.try_get(3)?,
                        target: r.try_get(4)?,
                        detail: serde_json::from_str(&detail)
                            .unwrap_or(serde_json::Value::String(detail)),
                    },
                })
            })
            .collect()
    }
}
