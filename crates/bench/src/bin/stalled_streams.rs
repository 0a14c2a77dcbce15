//! Subscribers that never read, while large documents go out: what they cost the publisher.
//!
//! `stalled_streams [SUBSCRIBERS] [UPDATES]` (default 1000 and 200). The feed is filled to
//! near its 1 MiB limit, SUBSCRIBERS connections ask for `/events` and never read a byte,
//! then UPDATES changes each re-sign and push the whole document. The same run without the
//! subscribers is the reference, side by side: the difference is what stalled subscribers
//! cost. Build first: `cargo build --release -p svetofor-ctl -p svetofor-bench`.

use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use svetofor_bench::{api, create_token, memory_kib, post_notice, start_server};

/// Eight languages of 3 990 characters: the largest body a notice may have.
fn big_body(i: usize) -> serde_json::Value {
    let text: serde_json::Map<String, serde_json::Value> =
        ["ru", "en", "de", "fr", "es", "it", "uk", "kk"]
            .iter()
            .map(|l| (l.to_string(), format!("{i} {}", "x".repeat(3990)).into()))
            .collect();
    serde_json::Value::Object(text)
}

struct Run {
    /// Server RSS before the subscribers connect, KiB.
    idle: u64,
    /// After they connected.
    connected: u64,
    /// Highest while the updates went out.
    peak: u64,
    /// When the updates are done.
    after: u64,
    /// After the write timeout has passed.
    settled: u64,
    /// Streams the server still held then.
    streams_left: u64,
    feed_bytes: usize,
    update_secs: f64,
}

fn run(subscribers: usize, updates: usize) -> Result<Run> {
    let dir = std::env::temp_dir().join(format!(
        "svetofor-bench-stalled-{}-{subscribers}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir)?;
    let server = start_server(
        &dir,
        &[
            "--writes-per-minute",
            "1000000",
            "--streams-per-ip",
            "20000",
        ],
    )?;
    let token = create_token(&dir, "support")?;
    let pid = server.child.id();
    let mut notices = vec![];
    for i in 0..200 {
        let n = serde_json::json!({"severity": "red", "kind": "outage",
            "title": format!("Outage {i}"), "body": big_body(i)});
        match post_notice(&server.addr, &token, &n.to_string()) {
            Ok(v) => notices.push((
                v["id"].as_str().unwrap_or_default().to_owned(),
                n["body"].clone(),
            )),
            Err(_) => break, // 422: the feed is full
        }
    }
    let (_, feed) = api(&server.addr, &token, "GET", "/feed.json", "")?;
    std::thread::sleep(Duration::from_millis(500));
    let idle = memory_kib(pid)?.0;
    let mut held = Vec::with_capacity(subscribers);
    for _ in 0..subscribers {
        let mut s = std::net::TcpStream::connect(&server.addr)?;
        write!(
            s,
            "GET /events HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n"
        )?;
        held.push(s); // and never read
    }
    std::thread::sleep(Duration::from_secs(2));
    let connected = memory_kib(pid)?.0;
    let mut peak = connected;
    let started = Instant::now();
    for u in 0..updates {
        let (id, body) = &notices[u % notices.len()];
        // The body is given again so the update only adds to the timeline: the feed stays
        // near its limit.
        let req = serde_json::json!({"text": format!("update {u}"), "body": body});
        let (status, answer) = api(
            &server.addr,
            &token,
            "POST",
            &format!("/api/v1/notices/{id}/updates"),
            &req.to_string(),
        )?;
        if status != 200 && status != 422 {
            bail!("update {u}: HTTP {status}: {answer}");
        }
        if u % 10 == 0 {
            peak = peak.max(memory_kib(pid)?.0);
        }
    }
    let update_secs = started.elapsed().as_secs_f64();
    let after = memory_kib(pid)?.0;
    peak = peak.max(after);
    // Past the write timeout (30 s) the stalled streams are dropped.
    std::thread::sleep(Duration::from_secs(40));
    let settled = memory_kib(pid)?.0;
    let (_, health) = api(&server.addr, &token, "GET", "/healthz", "")?;
    let streams_left = serde_json::from_str::<serde_json::Value>(&health)?["streams"]
        .as_u64()
        .unwrap_or(0);
    drop(held);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Run {
        idle,
        connected,
        peak,
        after,
        settled,
        streams_left,
        feed_bytes: feed.len(),
        update_secs,
    })
}

fn main() -> Result<()> {
    let subscribers: usize = svetofor_bench::arg(1, 1000)?;
    let updates: usize = svetofor_bench::arg(2, 200)?;
    let limit = rlimit::increase_nofile_limit((subscribers + 1024) as u64)?;
    if (limit as usize) < subscribers + 256 {
        bail!(
            "open-file limit is {limit}; need at least {}",
            subscribers + 256
        );
    }
    let reference = run(0, updates)?;
    let stalled = run(subscribers, updates)?;
    let mib = |k: u64| k as f64 / 1024.0;
    println!(
        "{updates} updates of a {:.2} MiB feed; server RSS in MiB",
        stalled.feed_bytes as f64 / (1024.0 * 1024.0)
    );
    println!("| | reference (0 subscribers) | {subscribers} never-reading subscribers |");
    println!("| --- | --- | --- |");
    for (name, a, b) in [
        ("idle, feed full", reference.idle, stalled.idle),
        (
            "subscribers connected",
            reference.connected,
            stalled.connected,
        ),
        ("peak during the updates", reference.peak, stalled.peak),
        ("after the updates", reference.after, stalled.after),
        (
            "40 s later (write timeout 30 s)",
            reference.settled,
            stalled.settled,
        ),
    ] {
        println!("| {name} | {:.1} | {:.1} |", mib(a), mib(b));
    }
    println!(
        "| growth, peak − idle | {:.1} | {:.1} |",
        mib(reference.peak.saturating_sub(reference.idle)),
        mib(stalled.peak.saturating_sub(stalled.idle))
    );
    println!(
        "| streams still held after 40 s | {} | {} |",
        reference.streams_left, stalled.streams_left
    );
    println!(
        "| time for the updates | {:.1} s | {:.1} s |",
        reference.update_secs, stalled.update_secs
    );
    Ok(())
}
