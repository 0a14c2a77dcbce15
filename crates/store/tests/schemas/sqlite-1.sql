-- The SQLite schema as released at version 1, frozen: what a database of that version
-- holds, with a little data. crates/store/tests/migrations.rs opens it with this build.
-- Version 1 recorded no version.
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

INSERT INTO meta (key, value) VALUES ('seq', '7');
INSERT INTO notices (id, is_open, created_at, updated_at, data) VALUES ('n1', 1,
  '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z',
  '{"id":"n1","severity":"red","kind":"outage","state":"investigating","title":{"ru":"Сбой платежей"},"body":"","components":["payments"],"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","updates":[]}');
INSERT INTO components (id, data) VALUES ('payments', '{"id":"payments","name":"Платежи"}');
INSERT INTO tokens (id, name, role, hash, created_at) VALUES ('tok1', 'helpdesk', 'support',
  X'00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', '2026-01-01T00:00:00.000000Z');
INSERT INTO audit (at, actor, action, target, detail) VALUES ('2026-01-01T00:00:00.000000Z',
  'cli', 'token.create', 'tok1', '{}');
