//! `svetoforctl` on a real PostgreSQL: `serve`, `token create`, `audit` and `user add` take a
//! `postgres://` URL (from `$SVETOFOR_DB`, so no password is on a command line), and a
//! database that cannot be reached is said plainly, quickly, without its password.

use svetofor_testkit::pg;

use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn ctl(dir: &Path, db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_svetoforctl"))
        .args(args)
        .env("SVETOFOR_DATA_DIR", dir)
        .env("SVETOFOR_DB", db)
        .env_remove("SVETOFOR_TOKEN")
        .env_remove("SVETOFOR_SERVER")
        .output()
        .expect("svetoforctl runs")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn serve_tokens_and_audit_on_postgres() {
    let Some(pg) = pg::Postgres::start() else {
        return;
    };
    pg.sql(
        "postgres",
        "CREATE ROLE svetofor LOGIN PASSWORD 's3cret-pw'",
    );
    pg.sql("postgres", "CREATE DATABASE svetofor OWNER svetofor");
    let db = format!(
        "postgres://svetofor:s3cret-pw@127.0.0.1:{}/svetofor",
        pg.port
    );
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let log = dir.join("serve.log");
    let (mut child, base) = serve_on(dir, &db, Some(&log));
    let token = ok(&ctl(
        dir,
        &db,
        &["token", "create", "--role", "support", "--name", "anna"],
    ));
    let id = ok(&ctl(
        dir,
        &db,
        &[
            "post",
            "--server",
            &base,
            "--token",
            &token,
            "--severity",
            "red",
            "--title",
            "Платежи не проходят",
            "--next-update",
            "30m",
        ],
    ));
    let feed = format!("{base}/feed.json");
    let pubkey = dir.join("svetofor.pub");
    let check = ok(&ctl(
        dir,
        &db,
        &[
            "check",
            &feed,
            "--pubkey",
            pubkey.to_str().unwrap(),
            "--json",
        ],
    ));
    assert!(check.contains("\"red\""), "{check}");
    let audit = ok(&ctl(dir, &db, &["audit", "--json"]));
    assert!(
        audit.contains("token.create") && audit.contains(&id),
        "{audit}"
    );
    let _ = child.kill();
    let _ = child.wait();
    let said = std::fs::read_to_string(&log).unwrap();
    assert!(
        said.contains("postgres://svetofor:***@127.0.0.1") && !said.contains("s3cret-pw"),
        "the start-up lines name the database without its password: {said}"
    );
    assert_eq!(
        pg.sql("svetofor", "SELECT count(*) FROM notices"),
        "1",
        "stored in PostgreSQL"
    );
}

#[test]
fn a_database_that_cannot_be_reached_is_said_quickly_without_its_password() {
    let tmp = tempfile::tempdir().unwrap();
    let port = svetofor_testkit::free_port();
    let db = format!("postgres://svetofor:s3cret-pw@127.0.0.1:{port}/svetofor");
    let started = Instant::now();
    let out = ctl(
        tmp.path(),
        &db,
        &["token", "create", "--role", "support", "--name", "x"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        err.contains("database unavailable") && err.contains("127.0.0.1"),
        "{err}"
    );
    assert!(!err.contains("s3cret-pw"), "{err}");
}

/// `svetoforctl serve` on `db` with its key in `dir`, its messages in `log`; its address.
fn serve_on(dir: &Path, db: &str, log: Option<&Path>) -> (std::process::Child, String) {
    serve_with(dir, db, log, &[])
}

/// [`serve_on`] with `extra` arguments.
fn serve_with(
    dir: &Path,
    db: &str,
    log: Option<&Path>,
    extra: &[&str],
) -> (std::process::Child, String) {
    let port = svetofor_testkit::free_port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_svetoforctl"))
        .args(["serve", "--listen", &addr, "--writes-per-minute", "100000"])
        .args(extra)
        .env("SVETOFOR_DATA_DIR", dir)
        .env("SVETOFOR_DB", db)
        .stdout(Stdio::null())
        .stderr(match log {
            Some(path) => Stdio::from(std::fs::File::create(path).unwrap()),
            None => Stdio::null(),
        })
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !svetofor_testkit::listening(&addr) {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, format!("http://{addr}"))
}

#[test]
fn kill_9_of_a_replica_loses_no_acknowledged_write() {
    let Some(pg) = pg::Postgres::start() else {
        return;
    };
    let db = pg.database("svetofor");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (mut a, base_a) = serve_on(dir, &db, None);
    let (mut b, base_b) = serve_on(dir, &db, None);
    let token = ok(&ctl(
        dir,
        &db,
        &["token", "create", "--role", "support", "--name", "anna"],
    ));
    let mut ids = vec![];
    for i in 0..20 {
        ids.push(ok(&ctl(
            dir,
            &db,
            &[
                "post",
                "--server",
                &base_a,
                "--token",
                &token,
                "--severity",
                "yellow",
                "--title",
                &format!("Медленно {i}"),
            ],
        )));
    }
    // Killed the moment the last write was acknowledged: nothing it said was stored is lost.
    a.kill().unwrap();
    a.wait().unwrap();
    let pubkey = dir.join("svetofor.pub");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = ctl(
            dir,
            &db,
            &[
                "check",
                &format!("{base_b}/feed.json"),
                "--pubkey",
                pubkey.to_str().unwrap(),
                "--json",
            ],
        );
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        if out.status.success() && ids.iter().all(|id| text.contains(id.as_str())) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "replica B serves every acknowledged notice: {text}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // B takes writes on its own.
    ok(&ctl(
        dir,
        &db,
        &["resolve", "--server", &base_b, "--token", &token, &ids[0]],
    ));
    let _ = b.kill();
    let _ = b.wait();
}

/// One raw `POST` with a bearer token; the status.
fn post_raw(base: &str, token: &str, path: &str, body: &str) -> u16 {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
fn one_alert_sent_to_two_replicas_at_once_makes_one_draft() {
    let Some(pg) = pg::Postgres::start() else {
        return;
    };
    let db = pg.database("svetofor");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (mut a, base_a) = serve_on(dir, &db, None);
    let (mut b, base_b) = serve_on(dir, &db, None);
    let intake = ok(&ctl(
        dir,
        &db,
        &[
            "token",
            "create",
            "--role",
            "intake",
            "--name",
            "alertmanager",
        ],
    ));
    // Monitoring retrying through a load balancer: the same alert at both, at once, in
    // rounds of new alerts.
    for round in 0..5 {
        let payload = format!(
            r#"{{"version":"4","groupKey":"{{}}:{{alertname=\"Down{round}\"}}","status":"firing",
            "receiver":"svetofor","commonLabels":{{"alertname":"Down{round}","severity":"critical"}},
            "commonAnnotations":{{"summary":"Платежи {round} не проходят"}},
            "alerts":[{{"status":"firing","labels":{{"alertname":"Down{round}"}},"annotations":{{}}}}]}}"#
        );
        let posts: Vec<_> = (0..6)
            .map(|i| {
                let base = if i % 2 == 0 {
                    base_a.clone()
                } else {
                    base_b.clone()
                };
                let (t, p) = (intake.clone(), payload.clone());
                std::thread::spawn(move || post_raw(&base, &t, "/api/v1/intake/alertmanager", &p))
            })
            .collect();
        for p in posts {
            let status = p.join().unwrap();
            assert!(status == 200 || status == 201, "HTTP {status}");
        }
    }
    assert_eq!(
        pg.sql("svetofor", "SELECT count(*) FROM drafts"),
        "5",
        "one draft per alert"
    );
    for c in [&mut a, &mut b] {
        let _ = c.kill();
        let _ = c.wait();
    }
}

#[test]
fn an_edge_replica_serves_the_signed_feed_without_the_key_and_refuses_changes() {
    let Some(pg) = pg::Postgres::start() else {
        return;
    };
    let db = pg.database("svetofor");
    let tmp = tempfile::tempdir().unwrap();
    let signer_dir = tmp.path().join("signer");
    let edge_dir = tmp.path().join("edge");
    std::fs::create_dir_all(&edge_dir).unwrap();
    let (mut signer, base) = serve_on(&signer_dir, &db, None);
    // The edge machine holds the public key only.
    let public = edge_dir.join("feed.pub");
    std::fs::copy(signer_dir.join("svetofor.pub"), &public).unwrap();
    let log = tmp.path().join("edge.log");
    let (mut edge, edge_base) = serve_with(
        &edge_dir,
        &db,
        Some(&log),
        &["--edge", "--public-key", public.to_str().unwrap()],
    );
    let token = ok(&ctl(
        &signer_dir,
        &db,
        &["token", "create", "--role", "support", "--name", "anna"],
    ));
    let post = |server: &str| {
        ctl(
            &signer_dir,
            &db,
            &[
                "post",
                "--server",
                server,
                "--token",
                &token,
                "--severity",
                "red",
                "--title",
                "Платежи не проходят",
            ],
        )
    };
    ok(&post(&base));
    let feed = format!("{edge_base}/feed.json");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let check = ctl(
            &edge_dir,
            &db,
            &[
                "check",
                &feed,
                "--pubkey",
                public.to_str().unwrap(),
                "--json",
            ],
        );
        if ok(&check).contains("\"red\"") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the edge serves the post: {check:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let refused = post(&edge_base);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(err.contains("edge replica"), "{err}");
    assert!(
        !edge_dir.join("svetofor.key").exists(),
        "no key is made on an edge"
    );
    for child in [&mut signer, &mut edge] {
        let _ = child.kill();
        let _ = child.wait();
    }
    let said = std::fs::read_to_string(&log).unwrap();
    assert!(said.contains("edge replica on"), "{said}");
}
