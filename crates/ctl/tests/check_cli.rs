//! `svetoforctl keygen`, `sign` and `check` as an admin runs them: real files, a real HTTP
//! server on loopback, the real binary.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use chrono::{TimeDelta, Utc};
use svetofor_feed::{Component, Feed, Kind, Notice, Severity, State, Text};

fn ctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_svetoforctl"))
        .args(args)
        .output()
        .expect("svetoforctl runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn feed(expires_in: TimeDelta) -> Feed {
    let now = Utc::now();
    Feed {
        format: "svetofor/1".to_owned(),
        id: "acme".to_owned(),
        name: "Acme CRM".to_owned(),
        default_language: "en".to_owned(),
        seq: 3,
        generated_at: now - TimeDelta::minutes(5),
        expires_at: now + expires_in,
        components: vec![Component {
            id: "payments".to_owned(),
            name: Text::Plain("Payments".to_owned()),
            group: None,
            status: None,
        }],
        notices: vec![Notice {
            id: "n1".to_owned(),
            severity: Severity::Red,
            kind: Kind::Outage,
            state: State::Identified,
            title: Text::Plain("Payments fail \u{1b}[2J<b>now</b>".to_owned()),
            body: Text::Plain("Card payments are down.".to_owned()),
            components: vec!["payments".to_owned()],
            created_at: now - TimeDelta::minutes(10),
            updated_at: now - TimeDelta::minutes(5),
            window: None,
            next_update_at: Some(now + TimeDelta::minutes(20)),
            url: None,
            updates: vec![],
        }],
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    feed: PathBuf,
    secret: PathBuf,
    public: PathBuf,
}

fn setup(expires_in: TimeDelta) -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let out = ctl(&["keygen", "--out", dir.join("keys").to_str().unwrap()]);
    assert!(out.status.success(), "keygen: {}", stderr(&out));
    let feed_path = dir.join("feed.json");
    std::fs::write(&feed_path, feed(expires_in).to_bytes()).unwrap();
    Setup {
        feed: feed_path,
        secret: dir.join("keys/svetofor.key"),
        public: dir.join("keys/svetofor.pub"),
        dir,
        _dir: tmp,
    }
}

/// `svetoforctl check FEED --pubkey PUB` with the setup's own key.
fn check_with_own_key(s: &Setup) -> std::process::Output {
    ctl(&[
        "check",
        s.feed.to_str().unwrap(),
        "--pubkey",
        s.public.to_str().unwrap(),
    ])
}

fn sign(s: &Setup, file: &Path) -> Output {
    ctl(&[
        "sign",
        "--key",
        s.secret.to_str().unwrap(),
        file.to_str().unwrap(),
    ])
}

fn check(args: &[&str]) -> (Output, Option<serde_json::Value>) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.push("--json");
    let out = ctl(&all);
    let json = serde_json::from_str(stdout(&out).trim()).ok();
    (out, json)
}

#[test]
fn keygen_writes_a_private_secret_and_prints_the_public_key() {
    let s = setup(TimeDelta::hours(1));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&s.secret).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let public = std::fs::read_to_string(&s.public).unwrap();
    assert!(public.starts_with("untrusted comment:"));
    // Refuses to replace an existing key.
    let again = ctl(&["keygen", "--out", s.dir.join("keys").to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("refusing to replace"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        std::fs::read_to_string(&s.public).unwrap(),
        public,
        "key untouched"
    );
    // The printed key is the key in the .pub file.
    let fresh = ctl(&["keygen", "--out", s.dir.join("other").to_str().unwrap()]);
    let line = stdout(&fresh);
    let printed = line.trim();
    let file = std::fs::read_to_string(s.dir.join("other/svetofor.pub")).unwrap();
    assert_eq!(file.lines().nth(1).unwrap(), printed);
}

#[test]
fn signed_feed_verifies_and_is_shown() {
    let s = setup(TimeDelta::hours(1));
    assert!(sign(&s, &s.feed).status.success());
    let feed = s.feed.to_str().unwrap();
    let (out, json) = check(&[feed, "--pubkey", s.public.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json = json.unwrap();
    assert_eq!(json["valid"], true);
    assert_eq!(json["format"], "svetofor/1");
    assert_eq!(json["status"], "red");
    assert_eq!(json["signature"]["status"], "verified");
    let n = &json["notices"][0];
    assert_eq!(
        (n["id"].as_str(), n["severity"].as_str()),
        (Some("n1"), Some("red"))
    );
    assert_eq!(
        (n["kind"].as_str(), n["state"].as_str()),
        (Some("outage"), Some("identified"))
    );
    assert!(n["title"].as_str().unwrap().starts_with("Payments fail"));

    // The bare base64 key works as well as the file.
    let b64 = std::fs::read_to_string(&s.public)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_owned();
    let (out, _) = check(&[feed, "--pubkey", &b64]);
    assert!(out.status.success(), "{}", stderr(&out));

    // Human output: status in words, and escape sequences from the feed are not obeyed.
    let text = ctl(&["check", feed, "--pubkey", &b64]);
    let t = stdout(&text);
    assert!(t.contains("Status: RED (outage)"), "{t}");
    assert!(t.contains("Signature: verified"), "{t}");
    assert!(
        !t.contains('\u{1b}'),
        "raw escape reached the terminal: {t:?}"
    );
    assert!(t.contains("\\u{1b}[2J<b>now</b>"), "{t}");
}

#[test]
fn one_flipped_byte_fails_with_bad_signature() {
    let s = setup(TimeDelta::hours(1));
    assert!(sign(&s, &s.feed).status.success());
    let mut bytes = std::fs::read(&s.feed).unwrap();
    let i = bytes.iter().position(|&b| b == b'C').unwrap(); // "Card payments" -> "Bard payments"
    bytes[i] = b'B';
    std::fs::write(&s.feed, bytes).unwrap();
    let out = check_with_own_key(&s);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("bad signature"), "{err}");
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    assert!(stdout(&out).is_empty());
}

#[test]
fn wrong_key_fails_naming_the_keys() {
    let s = setup(TimeDelta::hours(1));
    assert!(sign(&s, &s.feed).status.success());
    let other = ctl(&["keygen", "--out", s.dir.join("other").to_str().unwrap()]);
    let other_pub = s.dir.join("other/svetofor.pub");
    assert!(other.status.success());
    let (out, json) = check(&[
        s.feed.to_str().unwrap(),
        "--pubkey",
        other_pub.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("not among the trusted keys"), "{err}");
    assert_eq!(json.unwrap()["valid"], false);
}

#[test]
fn expired_feed_fails_saying_when() {
    let s = setup(TimeDelta::seconds(-90));
    // Signing does not check expiry: a publisher may sign and then publish later.
    assert!(sign(&s, &s.feed).status.success());
    let out = check_with_own_key(&s);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("expired at") && err.contains("ago"), "{err}");
}

#[test]
fn missing_signature_fails_when_a_key_is_given_and_is_reported_otherwise() {
    let s = setup(TimeDelta::hours(1));
    let feed = s.feed.to_str().unwrap();
    let out = ctl(&["check", feed, "--pubkey", s.public.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not signed"), "{}", stderr(&out));

    let (out, json) = check(&[feed]);
    assert!(out.status.success());
    assert_eq!(json.unwrap()["signature"]["status"], "absent");

    assert!(sign(&s, &s.feed).status.success());
    let (out, json) = check(&[feed]);
    assert!(out.status.success());
    assert_eq!(json.unwrap()["signature"]["status"], "unverified");
    let text = stdout(&ctl(&["check", feed]));
    assert!(text.contains("NOT verified"), "{text}");
}

#[test]
fn malformed_feed_names_line_and_column() {
    let s = setup(TimeDelta::hours(1));
    std::fs::write(
        &s.feed,
        "{\n  \"format\": \"svetofor/1\",\n  \"id\": 5\n}\n",
    )
    .unwrap();
    let out = ctl(&["check", s.feed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("line 3"), "{err}");
    // And sign refuses to sign it.
    let out = sign(&s, &s.feed);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("refusing to sign"),
        "{}",
        stderr(&out)
    );
    assert!(!s.dir.join("feed.json.minisig").exists());
}

#[test]
fn unreadable_sources_and_bad_keys_have_their_own_exit_codes() {
    let out = ctl(&["check", "/nonexistent/feed.json"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("no such file"), "{}", stderr(&out));
    let s = setup(TimeDelta::hours(1));
    let out = ctl(&["check", s.feed.to_str().unwrap(), "--pubkey", "not-a-key"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a minisign public key"),
        "{}",
        stderr(&out)
    );
    let out = ctl(&["check", "ftp://example.com/feed.json"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("not an http or https URL"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn statuspage_captures_check_as_expected() {
    let dir = std::env::var_os("SVETOFOR_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")
        });
    for (file, status) in [
        ("github_incident.json", "red"),
        ("cloudamqp_maintenance.json", "yellow"),
        ("twilio_incident.json", "yellow"),
    ] {
        let path = dir.join("statuspage").join(file);
        let (out, json) = check(&[path.to_str().unwrap()]);
        assert!(out.status.success(), "{file}: {}", stderr(&out));
        let json = json.unwrap();
        assert_eq!(json["format"], "statuspage/v2", "{file}");
        assert_eq!(json["status"], status, "{file}");
    }
}

/// A static file server on loopback: path -> (status, body).
fn serve(files: HashMap<String, (u16, Vec<u8>)>) -> String {
    let files = Arc::new(Mutex::new(files));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
                let files = files.clone();
                async move {
                    let files = files.lock().unwrap();
                    match files.get(uri.path()) {
                        Some((status, body)) => (
                            axum::http::StatusCode::from_u16(*status).unwrap(),
                            body.clone(),
                        ),
                        None => (axum::http::StatusCode::NOT_FOUND, b"not found".to_vec()),
                    }
                }
            });
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}

#[test]
fn check_over_http_fetches_the_signature_beside_the_url() {
    let s = setup(TimeDelta::hours(1));
    assert!(sign(&s, &s.feed).status.success());
    let bytes = std::fs::read(&s.feed).unwrap();
    let sig = std::fs::read(s.dir.join("feed.json.minisig")).unwrap();
    let mut tampered = bytes.clone();
    let i = tampered.len() - 5;
    tampered[i] ^= 0x20;
    let base = serve(HashMap::from([
        ("/feed.json".to_owned(), (200, bytes.clone())),
        ("/feed.json.minisig".to_owned(), (200, sig.clone())),
        ("/unsigned.json".to_owned(), (200, bytes.clone())),
        ("/tampered.json".to_owned(), (200, tampered)),
        ("/tampered.json.minisig".to_owned(), (200, sig)),
        ("/broken.json".to_owned(), (500, b"oops".to_vec())),
        ("/huge.json".to_owned(), (200, vec![b' '; 2 * 1024 * 1024])),
    ]));
    let pubkey = s.public.to_str().unwrap();

    let (out, json) = check(&[&format!("{base}/feed.json"), "--pubkey", pubkey]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json = json.unwrap();
    assert_eq!(json["status"], "red");
    assert_eq!(json["signature"]["status"], "verified");

    let out = ctl(&[
        "check",
        &format!("{base}/unsigned.json"),
        "--pubkey",
        pubkey,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unsigned.json.minisig"),
        "{}",
        stderr(&out)
    );

    let out = ctl(&[
        "check",
        &format!("{base}/tampered.json"),
        "--pubkey",
        pubkey,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("bad signature"), "{}", stderr(&out));

    let out = ctl(&["check", &format!("{base}/broken.json")]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("HTTP 500"), "{}", stderr(&out));

    let out = ctl(&["check", &format!("{base}/huge.json")]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("larger than"), "{}", stderr(&out));

    // Nothing listens on port 9 of loopback.
    let out = ctl(&["check", "http://127.0.0.1:9/feed.json"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("cannot connect"), "{}", stderr(&out));
}
