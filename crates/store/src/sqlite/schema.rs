//! The SQLite schema as numbered migrations, the same numbers as PostgreSQL's: a database
//! is brought from the version it records to [`VERSION`], one step per transaction, and a
//! database written by a newer build is refused.
//!
//! Steps 1 to 4 are the shapes released before migrations were numbered (hence their
//! `IF NOT EXISTS`); a step never changes once released: add a new one instead.

use rusqlite::{Connection, OptionalExtension};

use super::{accounts, channels, db, work};
use crate::StoreError;

/// The core: notices, components, tokens, the audit log.
const CORE: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS notices (
    id TEXT PRIMARY KEY,
    is_open INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notices_created ON notices (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS notices_open ON notices (is_open, updated_at);
CREATE TABLE IF NOT EXISTS components (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    hash BLOB NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT NOT NULL
);
";

/// The tables [`CORE`] creates.
const CORE_TABLES: [&str; 5] = ["meta", "notices", "components", "tokens", "audit"];

/// One step: what it runs, and the tables it adds (a database that recorded the step and
/// lacks one of them lost it).
struct Step {
    sql: &'static [&'static str],
    tables: &'static [&'static str],
}

/// Every step, in order: step `n` brings a database to version `n`.
const STEPS: [Step; 4] = [
    Step {
        sql: &[CORE],
        tables: &CORE_TABLES,
    },
    // 2: console accounts and sessions.
    Step {
        sql: &[accounts::SCHEMA],
        tables: &accounts::TABLES,
    },
    // 3: drafts and templates.
    Step {
        sql: &[work::SCHEMA],
        tables: &work::TABLES,
    },
    // 4: channels, their outbox, alerts from monitoring.
    Step {
        sql: &[channels::SCHEMA, work::INTAKE_SCHEMA],
        tables: &[
            channels::TABLES[0],
            channels::TABLES[1],
            channels::TABLES[2],
            work::INTAKE_TABLES[0],
        ],
    },
];

/// The schema version this build writes.
pub(super) const VERSION: u32 = STEPS.len() as u32;

/// The version `conn` records: 0 for a new database, 1 for one from before versions were
/// recorded (it has `meta` without a `schema` key).
fn recorded(conn: &Connection, tables: &[String]) -> Result<u32, StoreError> {
    if !tables.iter().any(|t| t == "meta") {
        return Ok(0);
    }
    let value: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(db)?;
    match value {
        None => Ok(1),
        Some(v) => v.parse().map_err(|_| StoreError::Corrupt {
            what: "schema".to_owned(),
            reason: format!("the recorded version \"{v}\" is not a number"),
        }),
    }
}

fn table_names(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .map_err(db)?;
    let names = stmt.query_map([], |r| r.get(0)).map_err(db)?;
    names.collect::<Result<_, _>>().map_err(db)
}

/// Brings `conn` to [`VERSION`]. A database that is up to date is only read (opening one
/// beside a running server takes no write lock).
pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tables = table_names(conn)?;
    let have = recorded(conn, &tables)?;
    if have > VERSION {
        return Err(StoreError::Corrupt {
            what: "schema".to_owned(),
            reason: format!(
                "the database is at version {have}, written by a newer svetoforctl; this one \
                 knows up to {VERSION}: upgrade it rather than write an older shape"
            ),
        });
    }
    // A table of a step the database had is gone (a bad restore, a hand edit): recreating
    // it empty would hide the loss.
    for step in &STEPS[..have as usize] {
        if let Some(lost) = step.tables.iter().find(|t| !tables.iter().any(|h| h == *t)) {
            return Err(StoreError::Corrupt {
                what: format!("table {lost}"),
                reason: "missing from a database that had it; restore the database from a \
                         backup rather than start without it"
                    .to_owned(),
            });
        }
    }
    for (i, step) in STEPS.iter().enumerate().skip(have as usize) {
        let version = i + 1;
        let tx = conn.transaction().map_err(db)?;
        for sql in step.sql {
            tx.execute_batch(sql).map_err(db)?;
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('schema', ?1) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [version.to_string()],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        if have > 0 {
            tracing::info!("SQLite schema: applied step {version}");
        }
    }
    Ok(())
}
