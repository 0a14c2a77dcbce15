-- The SQLite schema as released at version 2, frozen: what a database of that version
-- holds, with a little data. crates/store/tests/migrations.rs opens it with this build.
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled_at TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash BLOB PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users (name),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user);

INSERT INTO meta (key, value) VALUES ('schema', '2');
INSERT INTO users (name, role, password_hash, created_at) VALUES ('anna', 'admin',
  '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g', '2026-01-02T00:00:00.000000Z');
