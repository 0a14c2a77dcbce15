//! PostgreSQL storage, for publishers that share one database.
//!
//! The store traits are synchronous and are called on tokio's blocking pool, from the command
//! line and (for a few reads) from async code. So this store runs tokio-postgres on a small
//! runtime of its own and waits for each call on a plain channel: that works from every one
//! of those places, where a `block_on` would panic inside async code.
//!
//! Every call has a time limit: with the database gone a write fails within seconds with
//! [`StoreError::Unavailable`] (an HTTP 503) instead of hanging.

mod accounts;
mod channels;
mod schema;
mod work;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use svetofor_feed::{Component, Notice, Text};
use tokio_postgres::Row;
use tokio_postgres::config::TargetSessionAttrs;
use tokio_postgres::types::ToSql;

use crate::Role;
use crate::{
    AuditEntry, AuditQuery, AuditRecord, Change, NoticeFilter, NoticeQuery, Store, StoreError,
    StoredDocument, TokenRecord, Turn, TurnFor,
};

/// How long one store call may take, connecting included.
const CALL_LIMIT: Duration = Duration::from_secs(5);

/// Connections per publisher process: requests are short, and `max_connections` on the
/// server must cover every replica's pool (docs/scale-out.md).
const POOL_SIZE: usize = 8;

/// The channel other publishers' changes are announced on; the payload is the new seq.
const CHANNEL: &str = "svetofor_feed";

/// The PostgreSQL store.
pub struct PgStore {
    pool: Pool,
    rt: Option<tokio::runtime::Runtime>,
    /// For the connection that listens for other publishers' changes.
    config: tokio_postgres::Config,
    tls: tokio_postgres_rustls::MakeRustlsConnect,
    follow: std::sync::OnceLock<tokio::sync::watch::Receiver<u64>>,
    /// For each kind of turn, the connection that holds its lock while this publisher has it.
    turns: [Arc<tokio::sync::Mutex<Option<tokio_postgres::Client>>>; 2],
}

/// The advisory locks publishers take turns on: writing ("SWrt"), intake ("SInt").
fn turn_lock(what: TurnFor) -> i64 {
    match what {
        TurnFor::Writing => 0x5357_7274,
        TurnFor::Intake => 0x5349_6e74,
    }
}

pub(super) fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

/// PostgreSQL refuses the NUL character in text; free text from outside (an alert's summary,
/// a delivery's error) has it replaced rather than fail the whole write.
pub(super) fn text(s: &str) -> String {
    s.replace('\0', "\u{FFFD}")
}

pub(super) fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    Ok(text(&serde_json::to_string(v)?))
}

pub(super) fn parse<T: serde::de::DeserializeOwned>(
    what: &str,
    data: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(data).map_err(|e| StoreError::Corrupt {
        what: what.to_owned(),
        reason: e.to_string(),
    })
}

/// Rows of `(key, JSON)` read back as `T`; `what` names a row in the error ("template x").
pub(super) fn json_rows<T: serde::de::DeserializeOwned>(
    rows: &[Row],
    what: &str,
) -> Result<Vec<T>, StoreError> {
    rows.iter()
        .map(|r| {
            let (key, data): (String, String) = (r.try_get(0)?, r.try_get(1)?);
            parse(&format!("{what} {key}"), &data)
        })
        .collect()
}

/// An audit line, owned, to move into a database task.
#[derive(Clone)]
pub(super) struct AuditRow {
    at: DateTime<Utc>,
    actor: String,
    action: String,
    target: Option<String>,
    detail: String,
}

impl AuditRow {
    pub(super) fn of(a: &AuditEntry) -> AuditRow {
        AuditRow {
            at: a.at,
            actor: text(&a.actor),
            action: text(&a.action),
            target: a.target.as_deref().map(text),
            detail: text(&a.detail.to_string()),
        }
    }

    pub(super) async fn insert(&self, c: &impl GenericClient) -> Result<(), StoreError> {
        c.execute(
            "INSERT INTO audit (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)",
            &[
                &self.at,
                &self.actor,
                &self.action,
                &self.target,
                &self.detail,
            ],
        )
        .await?;
        Ok(())
    }
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db?sslmode=require`), and
    /// brings its schema up to date. The password may come from `PGPASSWORD` rather than the
    /// URL, so that it is not on a command line. TLS uses the system's roots and checks the
    /// server's name whenever the server offers it; `sslmode=require` insists on it.
    pub fn connect(url: &str) -> Result<PgStore, StoreError> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Config(format!("not a PostgreSQL URL: {e}")))?;
        if config.get_password().is_none()
            && let Ok(p) = std::env::var("PGPASSWORD")
        {
            config.password(p);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CALL_LIMIT);
        }
        // Several hosts may be given: only a primary takes this publisher's writes.
        config.target_session_attrs(TargetSessionAttrs::ReadWrite);
        config.application_name("svetofor");
        config.keepalives_idle(Duration::from_secs(30));
        let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls_config()?);
        let manager = ManagerConfig {
            recycling_method: RecyclingMethod::Verified,
        };
        let manager = Manager::from_config(config.clone(), tls.clone(), manager);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("svetofor-pg")
            .enable_all()
            .build()
            .map_err(StoreError::Io)?;
        let pool = {
            let _in_rt = rt.enter();
            Pool::builder(manager)
                .max_size(POOL_SIZE)
                .runtime(deadpool_postgres::Runtime::Tokio1)
                .wait_timeout(Some(CALL_LIMIT))
                .create_timeout(Some(CALL_LIMIT))
                .recycle_timeout(Some(CALL_LIMIT))
                .build()
                .map_err(|e| StoreError::Config(e.to_string()))?
        };
        let store = PgStore {
            pool,
            rt: Some(rt),
            config,
            tls,
            follow: std::sync::OnceLock::new(),
            turns: [Arc::default(), Arc::default()],
        };
        store.run(|pool| async move {
            let mut c = pool.get().await.map_err(unavailable)?;
            schema::migrate(&mut c).await
        })?;
        Ok(store)
    }

    /// Runs `f` with the pool on this store's runtime and waits for it, at most
    /// [`CALL_LIMIT`].
    pub(super) fn run<T, F>(&self, f: impl FnOnce(Pool) -> F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        let Some(rt) = &self.rt else {
            return Err(unavailable("the store is closed"));
        };
        let call = f(self.pool.clone());
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        rt.spawn(async move {
            let r = tokio::time::timeout(CALL_LIMIT, call)
                .await
                .unwrap_or_else(|_| {
                    Err(unavailable(format!(
                        "no answer from PostgreSQL within {} s",
                        CALL_LIMIT.as_secs()
                    )))
                });
            let _ = tx.send(r);
        });
        rx.recv()
            .unwrap_or_else(|_| Err(unavailable("the database task stopped")))
    }

    /// Runs one query and returns its rows.
    pub(super) fn rows(
        &self,
        sql: &'static str,
        params: Vec<Param>,
    ) -> Result<Vec<Row>, StoreError> {
        self.run(move |pool| async move {
            let c = pool.get().await.map_err(unavailable)?;
            let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(Param::as_sql).collect();
            Ok(c.query(sql, &refs).await?)
        })
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which panics inside async code; let it wind down.
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

/// An owned statement parameter, to move into a database task.
pub(super) enum Param {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
    Time(DateTime<Utc>),
    OptTime(Option<DateTime<Utc>>),
    Bytes(Vec<u8>),
}

impl Param {
    pub(super) fn as_sql(&self) -> &(dyn ToSql + Sync) {
        match self {
            Param::Text(v) => v,
            Param::OptText(v) => v,
            Param::Int(v) => v,
            Param::OptInt(v) => v,
            Param::Time(v) => v,
            Param::OptTime(v) => v,
            Param::Bytes(v) => v,
        }
    }
}

impl PgStore {
    /// Runs one statement outside a transaction; returns the rows it touched.
    pub(super) fn execute(&self, sql: &'static str, params: Vec<Param>) -> Result<u64, StoreError> {
        self.run(move |pool| async move {
            let c = pool.get().await.map_err(unavailable)?;
            let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(Param::as_sql).collect();
            Ok(c.execute(sql, &refs).await?)
        })
    }

    /// Runs one statement and its audit line in one transaction; false (and nothing stored)
    /// when the statement touched no row.
    pub(super) fn execute_logged(
        &self,
        sql: &'static str,
        params: Vec<Param>,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        let audit = AuditRow::of(audit);
        self.run(move |pool| async move {
            let mut c = pool.get().await.map_err(unavailable)?;
            let tx = c.transaction().await?;
            let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(Param::as_sql).collect();
            if tx.execute(sql, &refs).await? == 0 {
                return Ok(false);
            }
            audit.insert(&tx).await?;
            tx.commit().await?;
            Ok(true)
        })
    }
}

/// The write lock, held; given back when dropped (by closing its connection, should the
/// unlock fail, which ends the lock with the session).
struct TurnHeld {
    held: Option<tokio::sync::OwnedMutexGuard<Option<tokio_postgres::Client>>>,
    lock: i64,
    rt: tokio::runtime::Handle,
}

impl Drop for TurnHeld {
    fn drop(&mut self) {
        let Some(mut held) = self.held.take() else {
            return;
        };
        let lock = self.lock;
        self.rt.spawn(async move {
            let unlocked = match held.as_ref() {
                Some(c) => c
                    .execute("SELECT pg_advisory_unlock($1)", &[&lock])
                    .await
                    .is_ok(),
                None => true,
            };
            if !unlocked {
                *held = None;
            }
        });
    }
}

/// Holds one connection that `LISTEN`s for other publishers' changes, and bumps `wake` for
/// each notification and after each (re)connect: `LISTEN` comes first, so whatever was
/// committed before it is found by the read the wake-up causes, and nothing is missed.
async fn listen(
    config: tokio_postgres::Config,
    tls: tokio_postgres_rustls::MakeRustlsConnect,
    wake: tokio::sync::watch::Sender<u64>,
) {
    use tokio_postgres::AsyncMessage;
    loop {
        match config.connect(tls.clone()).await {
            Ok((client, mut connection)) => {
                let (seen_tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
                let driver = tokio::spawn(async move {
                    while let Some(message) =
                        std::future::poll_fn(|cx| connection.poll_message(cx)).await
                    {
                        match message {
                            Ok(AsyncMessage::Notification(_)) => {
                                let _ = seen_tx.send(());
                            }
                            Ok(_) => {}
                            Err(e) => {
                                tracing::warn!("PostgreSQL listening connection: {e}");
                                break;
                            }
                        }
                    }
                });
                match client.batch_execute(&format!("LISTEN {CHANNEL}")).await {
                    Ok(()) => {
                        wake.send_modify(|n| *n += 1);
                        while seen.recv().await.is_some() {
                            wake.send_modify(|n| *n += 1);
                        }
                        tracing::warn!("PostgreSQL listening connection lost; reconnecting");
                    }
                    Err(e) => tracing::warn!("PostgreSQL LISTEN failed: {e}"),
                }
                driver.abort();
            }
            Err(e) => tracing::warn!("PostgreSQL listening connection: {e}"),
        }
        if wake.is_closed() {
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

fn tls_config() -> Result<rustls::ClientConfig, StoreError> {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(found.certs);
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Config(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

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
