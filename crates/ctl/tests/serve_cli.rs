//! The publisher as support uses it: `serve` in its own process, `token create`, `post`,
//! `resolve`, a raw SSE subscriber, `check` against the live feed, and `kill -9`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

mod common;

use common::{Served, free_port, serve};

fn ctl(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_svetoforctl"))
        .args(args)
        .env("SVETOFOR_DATA_DIR", dir)
        .env_remove("SVETOFOR_TOKEN")
        .env_remove("SVETOFOR_SERVER")
        .output()
        .expect("svetoforctl runs")
}

/// `svetoforctl post --server BASE --token TOKEN ARGS…`.
fn post(dir: &Path, base: &str, token: &str, args: &[&str]) -> Output {
    let mut all = vec!["post", "--server", base, "--token", token];
    all.extend_from_slice(args);
    ctl(dir, &all)
}

/// A new token of `role`, as printed by `token create`.
fn token(dir: &Path, role: &str) -> String {
    text(&ctl(dir, &["token", "create", "--role", role, "--name", role]).stdout)
}

/// Asserts the exit code and that stderr says `needle`.
fn fails_with(out: &Output, code: i32, needle: &str) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).trim().to_owned()
}

/// A bare HTTP/1.1 SSE subscriber, like `curl -N`, reading lines on a thread.
fn subscribe(addr: &str) -> std::sync::mpsc::Receiver<String> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(b"GET /events HTTP/1.1\r\nHost: svetofor\r\nAccept: text/event-stream\r\n\r\n")
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(s).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_for_data(
    rx: &std::sync::mpsc::Receiver<String>,
    within: Duration,
    pred: impl Fn(&str) -> bool,
) -> bool {
    let deadline = Instant::now() + within;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) if line.starts_with("data:") && pred(&line) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

fn check_json(dir: &Path, s: &Served) -> serde_json::Value {
    let pubkey = dir.join("svetofor.pub");
    let out = ctl(
        dir,
        &[
            "check",
            &format!("{}/feed.json", s.base),
            "--pubkey",
            pubkey.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(out.status.success(), "check: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn post_reaches_a_subscriber_and_the_signed_feed_then_resolve_turns_it_green() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let s = serve(dir, free_port());
    let tok = ctl(
        dir,
        &["token", "create", "--role", "support", "--name", "alice"],
    );
    assert!(tok.status.success(), "{}", text(&tok.stderr));
    let token = text(&tok.stdout);
    assert!(
        token.starts_with("svt_") && !token.contains('\n'),
        "token alone on stdout: {token:?}"
    );

    let events = subscribe(&s.addr);
    assert!(
        wait_for_data(&events, Duration::from_secs(2), |_| true),
        "snapshot on connect"
    );

    let started = Instant::now();
    let post = post(
        dir,
        &s.base,
        &token,
        &[
            "--severity",
            "red",
            "--title",
            "Payments down",
            "--body",
            "Card payments fail",
            "--component",
            "payments",
            "--new-components",
            "--next-update",
            "30m",
        ],
    );
    assert!(post.status.success(), "post: {}", text(&post.stderr));
    let id = text(&post.stdout);
    assert!(
        !id.is_empty() && !id.contains(char::is_whitespace),
        "id alone on stdout: {id:?}"
    );
    assert!(
        wait_for_data(&events, Duration::from_secs(1), |l| l
            .contains("Payments down")),
        "the subscriber had the notice within a second"
    );
    assert!(started.elapsed() < Duration::from_secs(3));

    let feed = check_json(dir, &s);
    assert_eq!(feed["status"], "red");
    assert_eq!(feed["notices"][0]["id"], id.as_str());
    assert_eq!(feed["signature"]["status"], "verified");

    let res = ctl(
        dir,
        &[
            "resolve", "--server", &s.base, "--token", &token, &id, "--text", "Fixed",
        ],
    );
    assert!(res.status.success(), "{}", text(&res.stderr));
    assert_eq!(check_json(dir, &s)["status"], "green");

    let list = ctl(
        dir,
        &[
            "list", "--server", &s.base, "--token", &token, "--status", "past",
        ],
    );
    assert!(text(&list.stdout).contains(&id));
    let audit = ctl(dir, &["audit"]);
    let log = text(&audit.stdout);
    assert!(
        log.contains("notice.create")
            && log.contains("notice.resolve")
            && log.contains("token:alice"),
        "{log}"
    );
}

#[test]
fn support_errors_are_plain_words() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let s = serve(dir, free_port());
    let red = ["--severity", "red", "--title", "t"];
    fails_with(&post(dir, &s.base, "svt_x_y", &red), 1, "refused the token");
    let reader = token(dir, "reader");
    fails_with(&post(dir, &s.base, &reader, &red), 1, "has role reader");
    let support = token(dir, "support");
    let long = "x".repeat(201);
    let too_long = ["--severity", "red", "--title", &long];
    fails_with(&post(dir, &s.base, &support, &too_long), 1, "at most 200");
    fails_with(
        &post(dir, "http://127.0.0.1:9", &support, &red),
        3,
        "cannot reach",
    );
    let vague = [
        "--severity",
        "red",
        "--title",
        "t",
        "--next-update",
        "soonish",
    ];
    fails_with(&post(dir, &s.base, &support, &vague), 2, "soonish");
}

#[test]
fn contradictions_are_refused_saying_what_to_write() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let s = serve(dir, free_port());
    let support = token(dir, "support");
    let capital = ["--severity", "Red", "--title", "t"];
    fails_with(&post(dir, &s.base, &support, &capital), 2, "write \"red\"");
    let planned_outage = ["--severity", "red", "--title", "t", "--starts-at", "10m"];
    fails_with(
        &post(dir, &s.base, &support, &planned_outage),
        2,
        "--kind maintenance",
    );
    let green_outage = ["--severity", "green", "--kind", "outage", "--title", "t"];
    fails_with(&post(dir, &s.base, &support, &green_outage), 1, "kind info");
    let upper = [
        "--severity",
        "red",
        "--title",
        "t",
        "--component",
        "Платежи",
    ];
    fails_with(
        &post(dir, &s.base, &support, &upper),
        1,
        "write \"платежи\"",
    );
}

#[test]
fn components_get_names_employees_read_and_old_ids_retire() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let s = serve(dir, free_port());
    let admin = token(dir, "admin");
    let named = ctl(
        dir,
        &[
            "component",
            "set",
            "--server",
            &s.base,
            "--token",
            &admin,
            "payments",
            "--name-ru",
            "Платежи",
            "--name-en",
            "Payments",
        ],
    );
    assert!(named.status.success(), "{}", text(&named.stderr));
    let feed = get(&s.addr, "/feed.json");
    assert!(
        feed.contains("\"payments\"") && feed.contains("Платежи") && feed.contains("Payments"),
        "{feed}"
    );
    let retired = ctl(
        dir,
        &[
            "component",
            "retire",
            "--server",
            &s.base,
            "--token",
            &admin,
            "payments",
        ],
    );
    assert!(retired.status.success(), "{}", text(&retired.stderr));
    assert!(!get(&s.addr, "/feed.json").contains("Платежи"));
    let support = token(dir, "support");
    let refused = ctl(
        dir,
        &[
            "component",
            "set",
            "--server",
            &s.base,
            "--token",
            &support,
            "x",
            "--name-en",
            "X",
        ],
    );
    fails_with(&refused, 1, "role support");
}

#[test]
fn a_draft_waits_out_of_the_feed_until_publish() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let s = serve(dir, free_port());
    let support = token(dir, "support");
    let saved = post(
        dir,
        &s.base,
        &support,
        &[
            "--severity",
            "red",
            "--title",
            "Черновик: платежи",
            "--draft",
        ],
    );
    assert!(saved.status.success(), "{}", text(&saved.stderr));
    let id = text(&saved.stdout);
    assert!(id.starts_with("d-"), "the draft id alone on stdout: {id}");
    assert!(text(&saved.stderr).contains(&format!("svetoforctl publish {id}")));
    assert!(
        !get(&s.addr, "/feed.json").contains("Черновик"),
        "not in the feed"
    );
    let scheduled = post(
        dir,
        &s.base,
        &support,
        &[
            "--severity",
            "yellow",
            "--title",
            "Ночные работы",
            "--kind",
            "info",
            "--publish-at",
            "2h",
        ],
    );
    assert!(scheduled.status.success(), "{}", text(&scheduled.stderr));

    let conn = ["--server", s.base.as_str(), "--token", support.as_str()];
    let listed = ctl(dir, &[&["list", "--drafts"][..], &conn].concat());
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let lines: Vec<String> = text(&listed.stdout).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].contains("Ночные работы") && lines[0].contains(" at "),
        "scheduled first: {lines:?}"
    );
    assert!(
        lines[1].starts_with(&id) && lines[1].contains("not scheduled"),
        "{lines:?}"
    );
    let json = ctl(dir, &[&["list", "--drafts", "--json"][..], &conn].concat());
    let first: serde_json::Value =
        serde_json::from_str(text(&json.stdout).lines().next().unwrap()).unwrap();
    assert!(first["publish_at"].is_string(), "{first}");

    let published = ctl(dir, &[&["publish", id.as_str()][..], &conn].concat());
    assert!(published.status.success(), "{}", text(&published.stderr));
    let notice = text(&published.stdout);
    let feed = check_json(dir, &s);
    assert_eq!(feed["status"], "red", "{feed}");
    assert!(get(&s.addr, "/feed.json").contains(&notice));
    let again = ctl(dir, &[&["publish", id.as_str()][..], &conn].concat());
    fails_with(&again, 1, "no draft with id");
}

#[test]
fn kill_9_right_after_a_post_loses_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let port = free_port();
    let mut s = serve(dir, port);
    let token = token(dir, "support");
    let mut ids = vec![];
    for i in 0..3 {
        let out = post(
            dir,
            &s.base,
            &token,
            &["--severity", "red", "--title", &format!("outage {i}")],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        ids.push(text(&out.stdout));
    }
    // SIGKILL: no chance to flush anything.
    s.child.kill().unwrap();
    s.child.wait().unwrap();
    let s = serve(dir, port);
    let feed = check_json(dir, &s);
    assert_eq!(feed["status"], "red");
    let got: Vec<&str> = feed["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    for id in &ids {
        assert!(got.contains(&id.as_str()), "{id} survived kill -9: {got:?}");
    }
    assert!(get(&s.addr, "/healthz").contains("\"status\":\"ok\""));
}

#[test]
fn export_writes_a_feed_that_check_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    {
        let s = serve(dir, free_port());
        let token = token(dir, "support");
        let out = post(
            dir,
            &s.base,
            &token,
            &["--severity", "yellow", "--title", "Slow reports"],
        );
        assert!(out.status.success());
    }
    let out_dir = dir.join("mirror");
    let out = ctl(dir, &["export", "--out", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let pubkey = dir.join("svetofor.pub");
    let check = ctl(
        dir,
        &[
            "check",
            out_dir.join("feed.json").to_str().unwrap(),
            "--pubkey",
            pubkey.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(check.status.success(), "{}", text(&check.stderr));
    let v: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(v["status"], "yellow");
    // The bundle in the same folder reads the same, with the signature inside it.
    let bundle = ctl(
        dir,
        &[
            "check",
            out_dir.join("feed.bundle.json").to_str().unwrap(),
            "--pubkey",
            pubkey.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(bundle.status.success(), "{}", text(&bundle.stderr));
    let b: serde_json::Value = serde_json::from_slice(&bundle.stdout).unwrap();
    assert_eq!(b["status"], "yellow");
    assert_eq!(b["signature"]["status"], "verified", "{b:#}");
    assert_eq!(b["seq"], v["seq"]);
}

/// `svetoforctl check URL/api/v2/summary.json`, as --json.
fn check_statuspage(dir: &Path, s: &Served) -> serde_json::Value {
    let out = ctl(
        dir,
        &[
            "check",
            &format!("{}/api/v2/summary.json", s.base),
            "--json",
        ],
    );
    assert!(out.status.success(), "check: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn check_reads_our_own_statuspage_api_as_the_same_status_and_embed_json_uses_the_desktop_words() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let s = serve(dir, free_port());
    let token = token(dir, "support");
    assert_eq!(check_statuspage(dir, &s)["status"], "green");
    let out = post(
        dir,
        &s.base,
        &token,
        &[
            "--severity",
            "yellow",
            "--title",
            "Отчёты <i>медленно</i>",
            "--body",
            "Работаем\nдальше",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let id = text(&out.stdout);
    let sp = check_statuspage(dir, &s);
    assert_eq!(sp["status"], "yellow");
    assert_eq!(sp["status"], check_json(dir, &s)["status"]);
    assert_eq!(sp["format"], "statuspage/v2", "{sp:#}");

    // The in-product banner's answer, drawn by the desktop's own rules and words.
    let raw = get(&s.addr, "/embed.json?lang=ru&tz=180");
    let body = raw.split("\r\n\r\n").nth(1).unwrap_or("");
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {raw}"));
    assert_eq!(v["banner"]["severity"], "yellow", "{v:#}");
    assert_eq!(v["banner"]["notice_id"], id.as_str());
    assert_eq!(v["banner"]["title"], "Отчёты <i>медленно</i>");
    assert_eq!(v["banner"]["line"], "Работаем", "the first line only");
    assert_eq!(v["banner"]["word"], "Перебои");
    assert!(v["banner"]["since"].as_str().unwrap().starts_with("с "));
    assert_eq!(
        v["banner"]["dismiss"],
        serde_json::json!([format!("{id}/yellow/investigating")])
    );
    let other_part = get(&s.addr, "/embed.json?components=billing");
    assert!(
        other_part.contains("\"banner\":{"),
        "a notice about the whole product concerns every part: {other_part}"
    );
    let red_only = get(&s.addr, "/embed.json?lang=en&min=red");
    assert!(red_only.contains("\"banner\":null"), "{red_only}");
    let bad = get(&s.addr, "/embed.json?min=purple");
    assert!(bad.starts_with("HTTP/1.1 400"), "{bad}");

    // One about payments only: a page following billing does not show it.
    let out = post(
        dir,
        &s.base,
        &token,
        &[
            "--severity",
            "red",
            "--title",
            "Платежи",
            "--component",
            "payments",
            "--new-components",
        ],
    );
    let pay = text(&out.stdout);
    let billing = get(&s.addr, "/embed.json?components=billing&lang=ru");
    assert!(
        billing.contains(&format!("\"notice_id\":\"{id}\"")),
        "{billing}"
    );
    let payments = get(&s.addr, "/embed.json?components=payments&lang=ru");
    assert!(
        payments.contains(&format!("\"notice_id\":\"{pay}\"")),
        "{payments}"
    );

    for n in [&id, &pay] {
        let res = ctl(dir, &["resolve", "--server", &s.base, "--token", &token, n]);
        assert!(res.status.success());
    }
    assert_eq!(check_statuspage(dir, &s)["status"], "green");
    // Moments after, the green "Resolved" words for a page that was showing it.
    let after = get(&s.addr, "/embed.json?lang=ru");
    assert!(after.contains("\"banner\":null"), "{after}");
    assert!(
        after.contains("\"recovery\":{") && after.contains("Устранено"),
        "{after}"
    );
}

#[test]
fn a_database_url_is_refused_not_taken_as_a_file_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = Command::new(env!("CARGO_BIN_EXE_svetoforctl"))
        .args([
            "serve",
            "--db",
            "mysql://svetofor:s3cret@127.0.0.1/svetofor",
        ])
        .current_dir(dir)
        .env("SVETOFOR_DATA_DIR", dir)
        .output()
        .unwrap();
    fails_with(
        &out,
        2,
        "--db mysql://svetofor:***@127.0.0.1/svetofor: a file path for SQLite or a postgres:// URL",
    );
    assert!(!text(&out.stderr).contains("s3cret"), "no password shown");
    let out = ctl(
        dir,
        &[
            "token",
            "create",
            "--role",
            "support",
            "--name",
            "x",
            "--db",
            "https://x/db",
        ],
    );
    fails_with(
        &out,
        2,
        "a file path for SQLite or a postgres:// URL, not a https:// URL",
    );
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "nothing was created: {left:?}");
}
