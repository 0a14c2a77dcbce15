//! Numbered migrations, from every schema version released: a database of each is opened by
//! this build, brought to the current version, and keeps what it held. A database of a newer
//! version is refused on both backends.

use svetofor_store::{
    AccountStore, ChannelStore, Database, SqliteStore, Store, StoreError, WorkStore,
};
use svetofor_testkit::pg::Postgres;

/// The current version, on both backends.
const CURRENT: &str = "4";

/// A SQLite database as version `version` left it (the frozen schemas in `schemas/`).
fn sqlite_at(version: usize) -> (tempfile::TempDir, std::path::PathBuf) {
    let steps = [
        include_str!("schemas/sqlite-1.sql"),
        include_str!("schemas/sqlite-2.sql"),
        include_str!("schemas/sqlite-3.sql"),
        include_str!("schemas/sqlite-4.sql"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("svetofor.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    for sql in &steps[..version] {
        conn.execute_batch(sql).unwrap();
    }
    (dir, path)
}

fn recorded(path: &std::path::Path) -> Option<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
        r.get(0)
    })
    .ok()
}

#[test]
fn a_sqlite_database_of_every_released_version_is_brought_up_and_keeps_its_data() {
    for version in 1..=4 {
        let (_dir, path) = sqlite_at(version);
        let store = SqliteStore::open(&path)
            .unwrap_or_else(|e| panic!("version {version} does not open: {e}"));
        assert_eq!(store.seq().unwrap(), 7, "version {version}");
        let n = store.notice("n1").unwrap().expect("the notice stays");
        assert_eq!(n.title.get("ru", ""), "Сбой платежей");
        assert_eq!(store.components().unwrap().len(), 1);
        assert_eq!(
            store.token("tok1").unwrap().expect("the token stays").name,
            "helpdesk"
        );
        assert_eq!(store.audit(10, None).unwrap().len(), 1);
        let users = store.users().unwrap();
        if version >= 2 {
            assert_eq!(users.len(), 1, "version {version}");
            assert_eq!(users[0].name, "anna");
        } else {
            assert!(users.is_empty());
        }
        // What later versions added is there and works.
        assert!(store.templates().unwrap().is_empty());
        assert!(store.channels().unwrap().is_empty());
        assert!(store.intake_rules().unwrap().is_empty());
        drop(store);
        assert_eq!(
            recorded(&path).as_deref(),
            Some(CURRENT),
            "version {version}"
        );
        // Opening it again changes nothing.
        drop(SqliteStore::open(&path).unwrap());
        assert_eq!(recorded(&path).as_deref(), Some(CURRENT));
    }
}

#[test]
fn a_new_sqlite_database_records_the_current_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    drop(SqliteStore::open(&path).unwrap());
    assert_eq!(recorded(&path).as_deref(), Some(CURRENT));
}

#[test]
fn a_sqlite_database_of_a_newer_version_is_refused_untouched() {
    let (_dir, path) = sqlite_at(4);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("UPDATE meta SET value = '99' WHERE key = 'schema'")
        .unwrap();
    match SqliteStore::open(&path) {
        Err(StoreError::Corrupt { what, reason }) => {
            assert_eq!(what, "schema");
            assert!(
                reason.contains("version 99") && reason.contains("newer"),
                "{reason}"
            );
        }
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    }
    assert_eq!(recorded(&path).as_deref(), Some("99"), "left as it was");
}

#[test]
fn a_sqlite_version_that_is_not_a_number_is_refused() {
    let (_dir, path) = sqlite_at(2);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("UPDATE meta SET value = 'two' WHERE key = 'schema'")
        .unwrap();
    assert!(matches!(
        SqliteStore::open(&path),
        Err(StoreError::Corrupt { .. })
    ));
}

#[test]
fn a_postgres_database_of_version_1_is_brought_up_and_keeps_its_data() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.database("old");
    let db = Database::parse(&url).unwrap();
    drop(db.open().unwrap());
    // Version 1 as released: the whole schema, recorded as step 1.
    pg.sql("old", "DELETE FROM svetofor_schema WHERE version > 1");
    pg.sql(
        "old",
        "INSERT INTO templates (name, data) VALUES ('t', '{}')",
    );
    drop(db.open().unwrap());
    assert_eq!(
        pg.sql("old", "SELECT max(version) FROM svetofor_schema"),
        CURRENT
    );
    assert_eq!(pg.sql("old", "SELECT count(*) FROM templates"), "1");
}
