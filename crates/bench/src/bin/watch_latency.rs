//! The client engine against the real publisher: push-to-alert latency for 100 notices, then
//! the engine's memory and CPU over an idle period, and the bytes it moves per idle hour with
//! the event stream and with polling, side by side.
//!
//! Run: `cargo build --release -p svetofor-ctl -p svetofor-bench &&
//!       target/release/watch_latency [NOTICES] [IDLE_SECONDS]` (defaults 100 and 600).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use svetofor_bench::{
    cpu_time, create_token, ctl_binary, memory_kib, ms, post_notice, quantile, start_server,
};

struct Watch {
    child: Child,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_watch(
    dir: &std::path::Path,
    addr: &str,
    name: &str,
    push: bool,
    read_output: bool,
) -> Result<Watch> {
    let mut cmd = Command::new(ctl_binary()?);
    cmd.args([
        "watch",
        "--feed",
        &format!("http://{addr}/feed.json"),
        "--pubkey",
        dir.join("svetofor.pub").to_str().context("path")?,
        "--cache-dir",
        dir.join(name).to_str().context("path")?,
        "--json",
    ]);
    if !push {
        cmd.arg("--no-push");
    }
    let child = cmd
        .env("SVETOFOR_POLICY", dir.join("none.toml"))
        .env("XDG_CONFIG_HOME", dir.join("cfg"))
        // Output nobody reads must not fill a pipe and block the engine.
        .stdout(if read_output {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stderr(Stdio::null())
        .spawn()?;
    Ok(Watch { child })
}

/// Application bytes read and written by a process (`rchar` + `wchar`). An idle client
/// writes no output and no cache (a 304 or a keep-alive changes nothing), so this is its
/// socket traffic, without TCP/IP headers.
fn io_bytes(pid: u32) -> Result<u64> {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io"))?;
    let get = |k: &str| -> u64 {
        io.lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Ok(get("rchar:") + get("wchar:"))
}

fn post(addr: &str, token: &str, i: usize) -> Result<String> {
    let body = format!(r#"{{"severity":"red","kind":"outage","title":"Bench outage {i}"}}"#);
    let v = post_notice(addr, token, &body)?;
    Ok(v["id"].as_str().context("no id")?.to_owned())
}

fn main() -> Result<()> {
    let notices: usize = svetofor_bench::arg(1, 100)?;
    let idle: u64 = svetofor_bench::arg(2, 600)?;
    let dir = std::env::temp_dir().join(format!("svetofor-bench-watch-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let server = start_server(&dir, &["--writes-per-minute", "100000"])?;
    let token = create_token(&dir, "support")?;

    let mut sse = spawn_watch(&dir, &server.addr, "cache-sse", true, true)?;
    let poll = spawn_watch(&dir, &server.addr, "cache-poll", false, false)?;
    let out = sse.child.stdout.take().context("stdout")?;
    let (tx, rx) = channel::<(Instant, serde_json::Value)>();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str(&line)
                && tx.send((Instant::now(), v)).is_err()
            {
                break;
            }
        }
    });
    // Wait until the engine is live.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, v) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))?;
        if v["type"] == "state" && v["freshness"] == "live" {
            break;
        }
    }
    println!(
        "Push-to-alert: {notices} red notices posted one after another, `watch` on the event stream"
    );
    let mut lat = vec![];
    for i in 0..notices {
        let t0 = Instant::now();
        let id = post(&server.addr, &token, i)?;
        loop {
            let (at, v) = rx
                .recv_timeout(Duration::from_secs(10))
                .context("no alert within 10 s")?;
            if v["type"] == "alert" && v["notice_id"] == id.as_str() {
                lat.push(at.duration_since(t0));
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    lat.sort();
    println!(
        "  latency p50 {}   p99 {} (goal <= 200 ms)   max {}",
        ms(quantile(&lat, 0.5)),
        ms(quantile(&lat, 0.99)),
        ms(lat.last().copied().unwrap_or_default())
    );

    // Idle: nothing posted. The SSE client hears keep-alives; the polling one asks every 60 s.
    // First let the polling client catch up with the notices above (one poll interval plus
    // jitter), or its catch-up download would be counted as idle traffic.
    std::thread::sleep(Duration::from_secs(75));
    let (sse_pid, poll_pid) = (sse.child.id(), poll.child.id());
    let (c0s, c0p) = (cpu_time(sse_pid)?, cpu_time(poll_pid)?);
    let (b0s, b0p) = (io_bytes(sse_pid)?, io_bytes(poll_pid)?);
    println!("Idle for {idle} s ...");
    std::thread::sleep(Duration::from_secs(idle));
    let (c1s, c1p) = (cpu_time(sse_pid)?, cpu_time(poll_pid)?);
    let (b1s, b1p) = (io_bytes(sse_pid)?, io_bytes(poll_pid)?);
    let (rss_s, pss_s) = memory_kib(sse_pid)?;
    let (rss_p, pss_p) = memory_kib(poll_pid)?;
    let per_hour = |b: u64| b as f64 * 3600.0 / idle as f64 / 1024.0;
    println!(
        "{:<10} {:>12} {:>12} {:>16} {:>20}",
        "", "RSS", "PSS", "CPU while idle", "bytes per idle hour"
    );
    println!(
        "{:<10} {:>9.1} MiB {:>9.1} MiB {:>13} ms {:>16.1} KiB",
        "SSE",
        rss_s as f64 / 1024.0,
        pss_s as f64 / 1024.0,
        (c1s - c0s).as_millis(),
        per_hour(b1s - b0s)
    );
    println!(
        "{:<10} {:>9.1} MiB {:>9.1} MiB {:>13} ms {:>16.1} KiB",
        "polling",
        rss_p as f64 / 1024.0,
        pss_p as f64 / 1024.0,
        (c1p - c0p).as_millis(),
        per_hour(b1p - b0p)
    );
    drop(poll);
    drop(sse);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
