//! The PostgreSQL schema as numbered migrations, applied at start.
//!
//! Replicas may start together: the migrations run in one transaction under an advisory
//! lock, so exactly one of them applies each step and the others see it done. A database
//! written by a newer build (a higher version than this one knows) is refused, not used.

use deadpool_postgres::Object;

use crate::StoreError;

/// The advisory lock the migrations take ("Svet").
const MIGRATION_LOCK: i64 = 0x5376_6574;

/// Each step, in order; a step never changes once released (add a new one instead). The
/// numbers are SQLite's: PostgreSQL arrived with schema 4, so its step 1 holds all of 1 to 4
/// and steps 2 to 4 are empty (a database made at step 1 is the same as one at 4).
/// Times are `timestamptz` (microseconds, as the feed writes them); documents are JSON text,
/// since `jsonb` refuses the `\u0000` escape a notice's text may legally hold.
const MIGRATIONS: [&str; 4] = [
    "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta (key, value) VALUES ('seq', '0');
CREATE TABLE feed_document (
    one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
    seq BIGINT NOT NULL,
    document TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE TABLE notices (
    id TEXT PRIMARY KEY,
    is_open BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX notices_created ON notices (created_at DESC, id DESC);
CREATE INDEX notices_open ON notices (is_open, updated_at);
CREATE TABLE components (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    hash BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE TABLE audit (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX audit_target ON audit (target, id);
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    disabled_at TIMESTAMPTZ
);
CREATE TABLE sessions (
    id_hash BYTEA PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users (name),
    csrf TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (username);
CREATE TABLE drafts (
    id TEXT PRIMARY KEY,
    publish_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX drafts_due ON drafts (publish_at);
CREATE TABLE templates (name TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE alerts (
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    draft_id TEXT,
    notice_id TEXT,
    firing BOOLEAN NOT NULL,
    routed BOOLEAN NOT NULL,
    summary TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, key)
);
CREATE INDEX alerts_draft ON alerts (draft_id);
CREATE TABLE channels (name TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE deliveries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel TEXT NOT NULL,
    notice_id TEXT NOT NULL,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    next_at TIMESTAMPTZ,
    sent_at TIMESTAMPTZ,
    last_error TEXT
);
CREATE INDEX deliveries_due ON deliveries (state, next_at);
CREATE INDEX deliveries_notice ON deliveries (notice_id, channel, id);
CREATE TABLE threads (
    channel TEXT NOT NULL,
    notice_id TEXT NOT NULL,
    thread_ref TEXT NOT NULL,
    PRIMARY KEY (channel, notice_id)
);
",
    // 2 to 4: in step 1 already.
    "",
    "",
    "",
];

/// The schema version this build writes.
pub(super) const VERSION: i32 = MIGRATIONS.len() as i32;

/// Applies the steps the database has not had yet.
pub(super) async fn migrate(c: &mut Object) -> Result<(), StoreError> {
    let tx = c.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS svetofor_schema (
            version INTEGER PRIMARY KEY,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )",
    )
    .await?;
    let row = tx
        .query_one("SELECT COALESCE(MAX(version), 0) FROM svetofor_schema", &[])
        .await?;
    let have: i32 = row.try_get(0)?;
    if have > VERSION {
        return Err(StoreError::Corrupt {
            what: "schema".to_owned(),
            reason: format!(
                "the database is at version {have}, written by a newer svetoforctl; \
                 this one knows up to {VERSION}: upgrade it rather than write an older shape"
            ),
        });
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip(have as usize) {
        tx.batch_execute(step).await?;
        tx.execute(
            "INSERT INTO svetofor_schema (version) VALUES ($1)",
            &[&(i as i32 + 1)],
        )
        .await?;
        tracing::info!("PostgreSQL schema: applied step {}", i + 1);
    }
    tx.commit().await?;
    Ok(())
}
