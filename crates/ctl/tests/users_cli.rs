//! `svetoforctl user`: console accounts made, listed, disabled and reset from a script.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use svetofor_publisher::accounts::password_matches;
use svetofor_store::{AccountStore, SqliteStore};

fn user(db: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_svetoforctl"))
        .arg("user")
        .args(args)
        .arg("--db")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn accounts_are_made_listed_disabled_and_reset_without_a_password_on_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("svetofor.db");
    let pw = "a long enough passphrase\n";
    let added = user(
        &db,
        &["add", "Anna", "--role", "support", "--password-stdin"],
        Some(pw),
    );
    assert!(added.status.success(), "{}", err(&added));
    let again = user(
        &db,
        &["add", "anna", "--role", "admin", "--password-stdin"],
        Some(pw),
    );
    assert!(
        !again.status.success() && err(&again).contains("already an account"),
        "{}",
        err(&again)
    );
    let short = user(
        &db,
        &["add", "boris", "--role", "reader", "--password-stdin"],
        Some("short\n"),
    );
    assert!(
        !short.status.success() && err(&short).contains("12 to 256"),
        "{}",
        err(&short)
    );

    let store = SqliteStore::open(&db).unwrap();
    let anna = store.user("anna").unwrap().expect("stored lower case");
    assert!(anna.password_hash.starts_with("$argon2id$"));
    assert!(password_matches(
        &anna.password_hash,
        "a long enough passphrase"
    ));

    let listed = user(&db, &["list"], None);
    let out = String::from_utf8_lossy(&listed.stdout);
    assert!(
        out.contains("anna") && out.contains("support") && out.contains("active"),
        "{out}"
    );

    let reset = user(
        &db,
        &["reset-password", "anna", "--password-stdin"],
        Some("another long passphrase\n"),
    );
    assert!(reset.status.success(), "{}", err(&reset));
    let anna = store.user("anna").unwrap().unwrap();
    assert!(password_matches(
        &anna.password_hash,
        "another long passphrase"
    ));

    let disabled = user(&db, &["disable", "anna"], None);
    assert!(disabled.status.success(), "{}", err(&disabled));
    assert!(store.user("anna").unwrap().unwrap().disabled_at.is_some());
    let out = String::from_utf8_lossy(&user(&db, &["list"], None).stdout).into_owned();
    assert!(out.contains("disabled"), "{out}");
    let missing = user(&db, &["disable", "nobody"], None);
    assert!(!missing.status.success() && err(&missing).contains("no account"));
    // Read the files only now: opening the database file again in this process would drop
    // SQLite's locks on it.
    drop(store);
    for file in ["svetofor.db", "svetofor.db-wal"] {
        let bytes = std::fs::read(tmp.path().join(file)).unwrap_or_default();
        assert!(
            !bytes.windows(10).any(|w| w == b"passphrase"),
            "no clear password in {file}"
        );
    }
}
