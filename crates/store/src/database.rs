//! Which database a publisher uses: `--db` is a file path (SQLite) or a `postgres://` URL.

use std::path::PathBuf;
use std::sync::Arc;

#[cfg(feature = "postgres")]
use super::PgStore;
use super::{AccountStore, SqliteStore, Store, StoreError};

/// Everything a publisher keeps: the feed's store and the console's accounts.
pub trait Backend: Store + AccountStore {}

impl<T: Store + AccountStore> Backend for T {}

/// Where the publisher's data lives.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file, created if missing.
    Sqlite(PathBuf),
    /// A PostgreSQL URL (`postgres://user@host:5432/svetofor`).
    Postgres(String),
}

/// A `--db` value that is neither a file path nor a PostgreSQL URL.
#[derive(Debug, thiserror::Error)]
#[error("--db {given}: a file path for SQLite or a postgres:// URL, not a {scheme}:// URL")]
pub struct DatabaseError {
    given: String,
    scheme: String,
}

impl Database {
    /// Reads a `--db` value. Any other `scheme://` is refused rather than taken as a file name.
    pub fn parse(text: &str) -> Result<Database, DatabaseError> {
        match text.split_once("://") {
            None => Ok(Database::Sqlite(PathBuf::from(text))),
            Some((scheme, _)) => {
                let scheme = scheme.to_ascii_lowercase();
                if scheme == "postgres" || scheme == "postgresql" {
                    Ok(Database::Postgres(text.to_owned()))
                } else {
                    Err(DatabaseError {
                        given: Database::Postgres(text.to_owned()).to_string(),
                        scheme,
                    })
                }
            }
        }
    }

    /// Opens it: the SQLite file's folder is created, PostgreSQL's schema brought up to date.
    pub fn open(&self) -> Result<Arc<dyn Backend>, StoreError> {
        match self {
            Database::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(StoreError::Io)?;
                }
                Ok(Arc::new(SqliteStore::open(path)?))
            }
            #[cfg(feature = "postgres")]
            Database::Postgres(url) => Ok(Arc::new(PgStore::connect(url)?)),
            #[cfg(not(feature = "postgres"))]
            Database::Postgres(_) => Err(StoreError::Config(
                "this build has no PostgreSQL support (feature \"postgres\")".to_owned(),
            )),
        }
    }
}

/// Never shows a password: the address goes into logs and error messages.
impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => f.write_str(&without_password(url)),
        }
    }
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Database({self})")
    }
}

/// `postgres://user:secret@host/db?password=x` → `postgres://user:***@host/db?password=***`.
fn without_password(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        // Nothing in it can be told apart from a password.
        return "(a database URL that cannot be read)".to_owned();
    };
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some("***"));
    }
    if parsed.query().is_some() {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let v = if k.eq_ignore_ascii_case("password") {
                    "***".into()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_sqlite_a_postgres_url_is_postgres_and_other_urls_are_refused() {
        assert_eq!(
            Database::parse("/var/lib/svetofor/svetofor.db").unwrap(),
            Database::Sqlite("/var/lib/svetofor/svetofor.db".into())
        );
        assert!(matches!(
            Database::parse("postgresql://a@h/db").unwrap(),
            Database::Postgres(_)
        ));
        let e = Database::parse("mysql://root:pw@h/db").unwrap_err();
        assert_eq!(
            e.to_string(),
            "--db mysql://root:***@h/db: a file path for SQLite or a postgres:// URL, not a mysql:// URL"
        );
    }

    #[test]
    fn a_password_never_shows() {
        let db = Database::parse(
            "postgres://svetofor:s3cret@db.example:5432/status?sslmode=require&password=other",
        )
        .unwrap();
        let shown = format!("{db} {db:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("other"),
            "{shown}"
        );
        assert!(
            shown.contains(
                "postgres://svetofor:***@db.example:5432/status?sslmode=require&password=***"
            ),
            "{shown}"
        );
        assert_eq!(
            Database::parse("postgres://localhost/db")
                .unwrap()
                .to_string(),
            "postgres://localhost/db"
        );
    }
}
