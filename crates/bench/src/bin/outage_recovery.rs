//! How fast a desktop's engine says the publisher is gone, and how fast it is live again when
//! the publisher comes back, during an outage (red): the real publisher in its own process is
//! killed (`SIGKILL`) and restarted on the same port and data, ROUNDS times, while
//! `svetoforctl watch --json` (the desktop's engine, default windows: 60 s polls, push on)
//! follows it. Goals (issue 13): offline shown within 30 s, live again within 10 s.
//!
//! Run: `cargo build --release -p svetofor-ctl -p svetofor-bench &&
//!       target/release/outage_recovery [ROUNDS] [DOWN_SECONDS]` (defaults 5 and 20).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use svetofor_bench::{arg, create_token, ctl_binary, ms, post_notice, quantile, start_server};

/// Waits for a state line from the watch that satisfies `ok`.
fn wait_state(
    lines: &Receiver<serde_json::Value>,
    limit: Duration,
    ok: impl Fn(&serde_json::Value) -> bool,
) -> Result<Duration> {
    let start = Instant::now();
    loop {
        let left = limit.checked_sub(start.elapsed()).context("timed out")?;
        let v = lines.recv_timeout(left).context("timed out")?;
        if v["type"] == "state" && ok(&v) {
            return Ok(start.elapsed());
        }
    }
}

fn main() -> Result<()> {
    let rounds: usize = arg(1, 5)?;
    let down: u64 = arg(2, 20)?;
    let dir = tempfile_dir()?;
    let mut server = start_server(&dir, &[])?;
    let token = create_token(&dir, "support")?;
    post_notice(
        &server.addr,
        &token,
        r#"{"severity":"red","kind":"outage","title":"Payments fail"}"#,
    )?;
    let cache = dir.join("watch-cache");
    let mut watch = Command::new(ctl_binary()?)
        .args(["watch", "--json", "--feed"])
        .arg(format!("http://{}/feed.json", server.addr))
        .arg("--pubkey")
        .arg(dir.join("svetofor.pub"))
        .arg("--cache-dir")
        .arg(&cache)
        .env("SVETOFOR_POLICY", dir.join("no-policy.toml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let out = watch.stdout.take().context("watch stdout")?;
    let (tx, lines) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
                && tx.send(v).is_err()
            {
                break;
            }
        }
    });
    let live_red = |v: &serde_json::Value| v["freshness"] == "live" && v["status"] == "red";
    wait_state(&lines, Duration::from_secs(20), live_red)?;
    let (mut offline, mut back) = (vec![], vec![]);
    for round in 1..=rounds {
        let addr = server.addr.clone();
        drop(server); // SIGKILL: no goodbye on the stream
        offline.push(wait_state(&lines, Duration::from_secs(60), |v| {
            v["freshness"] == "stale"
        })?);
        std::thread::sleep(Duration::from_secs(down));
        let restarted = Instant::now();
        server = restart(&dir, &addr)?;
        wait_state(&lines, Duration::from_secs(60), live_red)?;
        back.push(restarted.elapsed());
        eprintln!(
            "round {round}: offline after {}, live {} after the restart",
            ms(offline[round - 1]),
            ms(back[round - 1])
        );
    }
    let _ = watch.kill();
    let _ = watch.wait();
    for v in [&mut offline, &mut back] {
        v.sort();
    }
    println!("| {rounds} rounds, {down} s down | median | p99 | max | goal |");
    println!("| --- | --- | --- | --- | --- |");
    for (name, v, goal) in [
        ("killed → offline shown", &offline, "≤ 30 s"),
        ("restarted → live (red)", &back, "≤ 10 s"),
    ] {
        println!(
            "| {name} | {} | {} | {} | {goal} |",
            ms(quantile(v, 0.5)),
            ms(quantile(v, 0.99)),
            ms(*v.last().context("no rounds")?)
        );
    }
    Ok(())
}

/// A fresh folder under the system's temporary folder, left behind for inspection.
fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("svetofor-outage-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// The publisher again on `addr`, with the same data.
fn restart(dir: &std::path::Path, addr: &str) -> Result<svetofor_bench::ServerProcess> {
    let port: u16 = addr.rsplit(':').next().context("port")?.parse()?;
    for _ in 0..50 {
        match svetofor_bench::start_server_at(dir, port, &[]) {
            Ok(s) => return Ok(s),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    bail!("the publisher did not come back on {addr}")
}
