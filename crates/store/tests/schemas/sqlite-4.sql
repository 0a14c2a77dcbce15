-- The SQLite schema as released at version 4, frozen: what a database of that version
-- holds, with a little data. crates/store/tests/migrations.rs opens it with this build.
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

UPDATE meta SET value = '4' WHERE key = 'schema';
