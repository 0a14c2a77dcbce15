-- The SQLite schema as released at version 3, frozen: what a database of that version
-- holds, with a little data. crates/store/tests/migrations.rs opens it with this build.
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

UPDATE meta SET value = '3' WHERE key = 'schema';
