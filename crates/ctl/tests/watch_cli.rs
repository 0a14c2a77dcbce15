//! `svetoforctl watch` against the real publisher in its own process.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

mod common;

use common::{free_port, serve};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_svetoforctl")
}

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn watch(dir: &Path, port: u16) -> (Kill, Receiver<serde_json::Value>) {
    watch_feed(dir, &format!("http://127.0.0.1:{port}/feed.json"))
}

fn watch_feed(dir: &Path, feed: &str) -> (Kill, Receiver<serde_json::Value>) {
    let mut child = Command::new(bin())
        .args([
            "watch",
            "--feed",
            feed,
            "--pubkey",
            dir.join("svetofor.pub").to_str().unwrap(),
            "--cache-dir",
            dir.join("cache").to_str().unwrap(),
            "--interval",
            "1",
            "--max-backoff",
            "1",
            "--json",
        ])
        .env("SVETOFOR_POLICY", dir.join("no-policy.toml"))
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            let v: serde_json::Value = serde_json::from_str(&line).expect("every line is JSON");
            if tx.send(v).is_err() {
                break;
            }
        }
    });
    (Kill(child), rx)
}

fn next_matching(
    rx: &Receiver<serde_json::Value>,
    within: Duration,
    pred: impl Fn(&serde_json::Value) -> bool,
) -> Option<(serde_json::Value, Vec<serde_json::Value>)> {
    let deadline = Instant::now() + within;
    let mut seen = vec![];
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(v) if pred(&v) => return Some((v, seen)),
            Ok(v) => seen.push(v),
            Err(_) => return None,
        }
    }
    None
}

/// A support token for the server whose data is in `dir`.
fn support_token(dir: &Path) -> String {
    let out = Command::new(bin())
        .args(["token", "create", "--role", "support", "--name", "w"])
        .env("SVETOFOR_DATA_DIR", dir)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// `svetoforctl post` of a red "Payments down"; asserts it succeeded.
fn post_red(port: u16, token: &str) -> std::process::Output {
    let out = Command::new(bin())
        .args([
            "post",
            "--server",
            &format!("http://127.0.0.1:{port}"),
            "--token",
            token,
            "--severity",
            "red",
            "--title",
            "Payments down",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    out
}

#[test]
fn watch_alerts_once_turns_stale_and_restarts_from_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let port = free_port();
    let mut server = serve(dir, port);
    let token = support_token(dir);

    let (watcher, rx) = watch(dir, port);
    next_matching(&rx, Duration::from_secs(10), |v| {
        v["type"] == "state" && v["freshness"] == "live" && v["status"] == "green"
    })
    .expect("live green first");

    let posted = Instant::now();
    let out = post_red(port, &token);
    let id = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let (alert, _) = next_matching(&rx, Duration::from_secs(1), |v| v["type"] == "alert")
        .expect("an alert within a second");
    assert!(posted.elapsed() < Duration::from_secs(2));
    assert_eq!(alert["notice_id"], id.as_str());
    assert_eq!(alert["severity"], "red");
    assert_eq!(alert["reason"], "new");
    // Exactly one: nothing else alerts in the next two seconds.
    let more = next_matching(&rx, Duration::from_secs(2), |v| v["type"] == "alert");
    assert!(more.is_none(), "a second alert: {more:?}");

    // Kill the server: stale within the window (3 polls of 1 s), red notice still shown.
    let _ = server.child.kill();
    let _ = server.child.wait();
    let killed = Instant::now();
    let (stale, _) = next_matching(&rx, Duration::from_secs(8), |v| {
        v["type"] == "state" && v["freshness"] == "stale"
    })
    .expect("stale after the server died");
    assert!(
        killed.elapsed() < Duration::from_secs(6),
        "stale after {:?}",
        killed.elapsed()
    );
    assert_eq!(stale["status"], "red");
    assert_eq!(stale["notices"][0]["id"], id.as_str());
    drop(watcher);

    // Restart watch with the server still down: cached red at once, no alert.
    let started = Instant::now();
    let (_w2, rx2) = watch(dir, port);
    let (first, _) = next_matching(&rx2, Duration::from_secs(2), |_| true).expect("a first line");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(first["type"], "state");
    assert_eq!(first["status"], "red");
    assert_eq!(first["cached"], true);
    assert_eq!(first["freshness"], "stale");
    assert!(
        next_matching(&rx2, Duration::from_secs(3), |v| v["type"] == "alert").is_none(),
        "nothing new to alert"
    );
}

/// A CDN that holds `feed.bundle.json` serves the document and its signature as one object:
/// the watcher polls it (no event stream there), checks the signature inside, and follows.
#[test]
fn watch_follows_a_bundle_by_polling() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let port = free_port();
    let _server = serve(dir, port);
    let token = support_token(dir);
    let (_watcher, rx) = watch_feed(dir, &format!("http://127.0.0.1:{port}/feed.bundle.json"));
    next_matching(&rx, Duration::from_secs(10), |v| {
        v["type"] == "state" && v["freshness"] == "live" && v["status"] == "green"
    })
    .expect("live green from the bundle");
    post_red(port, &token);
    let (alert, _) = next_matching(&rx, Duration::from_secs(5), |v| v["type"] == "alert")
        .expect("an alert from the next poll of the bundle");
    assert_eq!(alert["severity"], "red");
}
