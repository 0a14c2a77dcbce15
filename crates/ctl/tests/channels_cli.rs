//! Channels from the terminal against `svetoforctl serve` in its own process: `channel add`
//! prints a webhook's secret alone, `channel list` shows deliveries, and a delivery in flight
//! when the publisher is killed with SIGKILL is made after the restart.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

mod common;

use common::{free_port, serve};

fn ctl(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_svetoforctl"))
        .args(args)
        .env("SVETOFOR_DATA_DIR", dir)
        .env_remove("SVETOFOR_TOKEN")
        .env_remove("SVETOFOR_SERVER")
        .output()
        .expect("svetoforctl runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).trim().to_owned()
}

fn token(dir: &Path, role: &str) -> String {
    text(&ctl(dir, &["token", "create", "--role", role, "--name", role]).stdout)
}

/// A webhook receiver: reports each request's `webhook-id` and body; leaves the first one
/// unanswered (a delivery in flight), answers 204 to the rest.
fn receiver() -> (u16, Receiver<(String, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut held = vec![];
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut id, mut length) = (String::new(), 0usize);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(": ") {
                    match k.to_ascii_lowercase().as_str() {
                        "webhook-id" => id = v.to_owned(),
                        "content-length" => length = v.parse().unwrap_or(0),
                        _ => {}
                    }
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let _ = tx.send((id, String::from_utf8_lossy(&body).into_owned()));
            if n == 0 {
                held.push(stream);
                continue;
            }
            let _ = stream.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
        }
    });
    (port, rx)
}

#[test]
fn a_delivery_in_flight_at_kill_9_is_made_after_the_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let port = free_port();
    let mut s = serve(dir, port);
    let admin = token(dir, "admin");
    let (hook_port, got) = receiver();
    let added = ctl(
        dir,
        &[
            "channel",
            "add",
            "webhook",
            "ops",
            "--url",
            &format!("http://127.0.0.1:{hook_port}/hook"),
            "--server",
            &s.base,
            "--token",
            &admin,
        ],
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    let secret = text(&added.stdout);
    assert!(
        secret.starts_with("whsec_") && !secret.contains('\n'),
        "the secret alone: {secret}"
    );
    let support = token(dir, "support");
    let posted = ctl(
        dir,
        &[
            "post",
            "--severity",
            "red",
            "--title",
            "Платежи не проходят",
            "--server",
            &s.base,
            "--token",
            &support,
        ],
    );
    assert!(posted.status.success(), "{}", text(&posted.stderr));
    let notice = text(&posted.stdout);
    let (first_id, body) = got
        .recv_timeout(Duration::from_secs(10))
        .expect("the first try");
    assert!(
        body.contains(&notice) && body.contains("notice.created"),
        "{body}"
    );
    // The receiver holds the request: the delivery is in flight. SIGKILL now.
    s.child.kill().unwrap();
    s.child.wait().unwrap();
    let s = serve(dir, port);
    let (again_id, body) = got
        .recv_timeout(Duration::from_secs(15))
        .expect("sent again after the restart");
    assert_eq!(
        again_id, first_id,
        "the same delivery, so the receiver can drop the repeat"
    );
    assert!(body.contains(&notice));
    // `channel list` says it was sent.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let listed = ctl(
            dir,
            &["channel", "list", "--server", &s.base, "--token", &admin],
        );
        assert!(listed.status.success(), "{}", text(&listed.stderr));
        let line = text(&listed.stdout);
        if line.contains("sent") {
            assert!(
                line.starts_with("ops")
                    && line.contains("webhook")
                    && line.contains("notice.created"),
                "{line}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never listed as sent: {line}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let json = ctl(
        dir,
        &[
            "channel", "list", "--json", "--server", &s.base, "--token", &admin,
        ],
    );
    let c: serde_json::Value = serde_json::from_str(&text(&json.stdout)).unwrap();
    assert_eq!(c["last"]["state"], "sent");
    assert!(
        !text(&json.stdout).contains(&secret),
        "no secret in the listing"
    );
    let removed = ctl(
        dir,
        &[
            "channel", "remove", "ops", "--server", &s.base, "--token", &admin,
        ],
    );
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    let listed = ctl(
        dir,
        &["channel", "list", "--server", &s.base, "--token", &admin],
    );
    assert!(text(&listed.stderr).contains("No channels."));
}
