//! Write latency: the time from sending `POST /api/v1/notices` (then its resolve) to the
//! acknowledgement, on real `svetoforctl serve` processes, three ways side by side:
//! - the SQLite default, one publisher (the reference);
//! - one publisher on PostgreSQL (a server this program starts in a temporary folder,
//!   flushing every commit as SQLite does);
//! - three replicas on that PostgreSQL, one writer each, all writing at once: each write
//!   waits its turn, so this is the price of keeping one seq across replicas.
//!
//! For the three replicas, also the time from one replica's acknowledgement until another
//! replica's `/events` pushes the change.
//!
//! `cargo build --release -p svetofor-ctl -p svetofor-bench && target/release/write_latency 300`

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use svetofor_bench::{ServerProcess, api, arg, ctl_binary, ms, quantile, start_server};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

fn token(dir: &Path, db: Option<&str>) -> Result<String> {
    let mut cmd = Command::new(ctl_binary()?);
    cmd.args(["token", "create", "--role", "support", "--name", "bench"])
        .env("SVETOFOR_DATA_DIR", dir);
    if let Some(db) = db {
        cmd.env("SVETOFOR_DB", db);
    }
    let out = cmd.output()?;
    if !out.status.success() {
        bail!("token create: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?.trim().to_owned())
}

/// `writes` create-then-resolve pairs on `addr`; the acknowledgement time of each request.
fn writer(addr: String, token: String, writes: usize, tag: usize) -> Result<Vec<Duration>> {
    let mut lat = Vec::with_capacity(writes * 2);
    for i in 0..writes {
        let body = format!(
            r#"{{"severity":"yellow","kind":"degraded","title":"Медленно {tag}-{i}","body":"Проверка"}}"#
        );
        let t = Instant::now();
        let (status, answer) = api(&addr, &token, "POST", "/api/v1/notices", &body)?;
        lat.push(t.elapsed());
        if status != 201 {
            bail!("create: HTTP {status}: {answer}");
        }
        let v: serde_json::Value = serde_json::from_str(&answer)?;
        let id = v["id"].as_str().context("no id")?;
        let t = Instant::now();
        let (status, answer) = api(
            &addr,
            &token,
            "POST",
            &format!("/api/v1/notices/{id}/resolve"),
            r#"{"text":"Прошло"}"#,
        )?;
        lat.push(t.elapsed());
        if status != 200 {
            bail!("resolve: HTTP {status}: {answer}");
        }
    }
    Ok(lat)
}

fn report(label: &str, mut lat: Vec<Duration>, took: Duration) {
    lat.sort();
    println!(
        "| {label} | {} | {} | {} | {} | {:.0} |",
        lat.len(),
        ms(quantile(&lat, 0.5)),
        ms(quantile(&lat, 0.99)),
        ms(*lat.last().unwrap_or(&Duration::ZERO)),
        lat.len() as f64 / took.as_secs_f64()
    );
}

/// Notes when each `id:` line arrives on `addr`'s `/events`.
async fn events(addr: String) -> Result<tokio::sync::mpsc::UnboundedReceiver<(u64, Instant)>> {
    let mut s = tokio::net::TcpStream::connect(&addr).await?;
    s.write_all(b"GET /events HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n")
        .await?;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut lines = BufReader::new(s).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(seq) = line.strip_prefix("id: ").and_then(|v| v.parse().ok()) {
                let _ = tx.send((seq, Instant::now()));
            }
        }
    });
    Ok(rx)
}

fn seq_of(addr: &str) -> Result<u64> {
    let (_, body) = api(addr, "", "GET", "/feed.json", "")?;
    let v: serde_json::Value = serde_json::from_str(&body)?;
    v["seq"].as_u64().context("no seq")
}

#[tokio::main]
async fn main() -> Result<()> {
    let writes: usize = arg(1, 300)?;
    let pg =
        svetofor_testkit::pg::Postgres::start_durable().context("PostgreSQL is not installed")?;
    println!(
        "{writes} create+resolve pairs per run ({} writes), acknowledgement time:\n",
        writes * 2
    );
    println!("| run | writes | p50 | p99 | max | writes/s |");
    println!("| --- | --- | --- | --- | --- | --- |");

    // The reference: the SQLite default.
    let dir = tempfile::tempdir()?;
    let s = start_server(dir.path(), &["--writes-per-minute", "1000000"])?;
    let t = token(dir.path(), None)?;
    let start = Instant::now();
    let lat = writer(s.addr.clone(), t, writes, 0)?;
    report("SQLite, one publisher (reference)", lat, start.elapsed());
    drop(s);

    // One publisher on PostgreSQL.
    let url = pg.database("one");
    let dir = tempfile::tempdir()?;
    let s = start_server(
        dir.path(),
        &["--db", &url, "--writes-per-minute", "1000000"],
    )?;
    let t = token(dir.path(), Some(&url))?;
    let start = Instant::now();
    let lat = writer(s.addr.clone(), t, writes, 0)?;
    report("PostgreSQL, one publisher", lat, start.elapsed());
    drop(s);

    // Three replicas sharing the database and the key, one writer each at once.
    let url = pg.database("three");
    let dir = tempfile::tempdir()?;
    let replicas: Vec<ServerProcess> = (0..3)
        .map(|_| {
            start_server(
                dir.path(),
                &["--db", &url, "--writes-per-minute", "1000000"],
            )
        })
        .collect::<Result<_>>()?;
    let t = token(dir.path(), Some(&url))?;
    // Pushes seen on replica 3 for writes acknowledged by replica 1.
    let mut on_third = events(replicas[2].addr.clone()).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let start = Instant::now();
    let mut handles = vec![];
    for (tag, r) in replicas.iter().enumerate() {
        let (addr, t) = (r.addr.clone(), t.clone());
        let per = writes / 3;
        handles.push(std::thread::spawn(move || writer(addr, t, per, tag)));
    }
    let mut lat = vec![];
    for h in handles {
        lat.extend(h.join().map_err(|_| anyhow::anyhow!("writer panicked"))??);
    }
    report("PostgreSQL, 3 replicas competing", lat, start.elapsed());

    // Propagation: a write on replica 1, alone, until replica 3 pushes it.
    while on_third.try_recv().is_ok() {}
    let mut spread = vec![];
    for i in 0..50 {
        let body = format!(
            r#"{{"severity":"yellow","kind":"degraded","title":"Распространение {i}","body":"x"}}"#
        );
        let (status, answer) = api(&replicas[0].addr, &t, "POST", "/api/v1/notices", &body)?;
        let acked = Instant::now();
        if status != 201 {
            bail!("post: HTTP {status}: {answer}");
        }
        let want = seq_of(&replicas[0].addr)?;
        loop {
            let (seq, at) = tokio::time::timeout(Duration::from_secs(10), on_third.recv())
                .await?
                .context("stream ended")?;
            if seq >= want {
                spread.push(at.saturating_duration_since(acked));
                break;
            }
        }
    }
    spread.sort();
    println!(
        "\nAcknowledged on replica 1 → pushed on replica 3's /events (50 writes): p50 {}, p99 {}, max {}",
        ms(quantile(&spread, 0.5)),
        ms(quantile(&spread, 0.99)),
        ms(*spread.last().unwrap_or(&Duration::ZERO))
    );
    Ok(())
}
