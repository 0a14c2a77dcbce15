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
mod store;
mod work;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::Row;
use tokio_postgres::config::TargetSessionAttrs;
use tokio_postgres::types::ToSql;

use crate::{AuditEntry, StoreError, TurnFor};

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
