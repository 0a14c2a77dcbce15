//! Delivery latency: N red notices posted one after another to a real `svetoforctl serve`
//! with three webhook channels, each a receiver on loopback. For every notice and channel,
//! the time from the API's acknowledgement (the change is stored, with its deliveries) to the
//! signed post arriving at the receiver. Side by side, a reference: the same receivers posted
//! to directly by this program (the loopback HTTP cost alone, no outbox).
//!
//! `cargo build --release -p svetofor-ctl -p svetofor-bench && target/release/delivery_latency 1000`

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use svetofor_bench::{api, create_token, ms, quantile, start_server};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Arrivals: notice id (or reference number) → when, per receiver.
type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;

/// A keep-alive HTTP/1.1 receiver that answers 204 and notes when each notice arrived.
async fn receiver() -> Result<(u16, Arrivals)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let seen: Arrivals = Arc::default();
    let noted = seen.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let noted = noted.clone();
            tokio::spawn(async move {
                let (r, mut w) = stream.into_split();
                let mut r = BufReader::new(r);
                loop {
                    let mut length = 0usize;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let l = line.trim_end();
                        if l.is_empty() {
                            break;
                        }
                        if let Some(v) = l.to_ascii_lowercase().strip_prefix("content-length: ") {
                            length = v.parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; length];
                    if r.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    let at = Instant::now();
                    let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                    let id = v["data"]["notice"]["id"]
                        .as_str()
                        .or(v["ref"].as_str())
                        .unwrap_or("")
                        .to_owned();
                    noted.lock().map(|mut m| m.insert(id, at)).ok();
                    if w.write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    Ok((port, seen))
}

fn report(label: &str, mut lat: Vec<Duration>) {
    lat.sort();
    println!(
        "| {label} | {} | {} | {} | {} |",
        lat.len(),
        ms(quantile(&lat, 0.5)),
        ms(quantile(&lat, 0.99)),
        ms(*lat.last().unwrap_or(&Duration::ZERO)),
    );
}

#[tokio::main]
async fn main() -> Result<()> {
    let notices: usize = svetofor_bench::arg(1, 1000)?;
    let dir = std::env::temp_dir().join(format!("svetofor-bench-deliver-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let server = start_server(&dir, &["--writes-per-minute", "1000000"])?;
    let admin = create_token(&dir, "admin")?;
    let support = create_token(&dir, "support")?;
    let mut receivers = vec![];
    for i in 0..3 {
        let (port, seen) = receiver().await?;
        let body = format!(
            r#"{{"name":"hook-{i}","config":{{"type":"webhook","url":"http://127.0.0.1:{port}/"}}}}"#
        );
        let (status, answer) = api(&server.addr, &admin, "POST", "/api/v1/channels", &body)?;
        if status != 201 {
            bail!("channel add: HTTP {status}: {answer}");
        }
        receivers.push((port, seen));
    }

    // Reference: this program posts to the receivers itself, one after another.
    let mut reference = vec![];
    {
        use std::io::{BufRead, BufReader as StdReader, Write};
        let mut conns: Vec<std::net::TcpStream> = receivers
            .iter()
            .map(|(p, _)| std::net::TcpStream::connect(("127.0.0.1", *p)))
            .collect::<Result<_, _>>()?;
        for c in &conns {
            c.set_nodelay(true)?;
        }
        for i in 0..notices {
            for (c, (_, seen)) in conns.iter_mut().zip(&receivers) {
                let body = format!(r#"{{"ref":"ref-{i}"}}"#);
                // One write: the request as one segment, as a client library sends it.
                let request = format!(
                    "POST / HTTP/1.1\r\nHost: r\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                let t0 = Instant::now();
                c.write_all(request.as_bytes())?;
                let mut reader = StdReader::new(c.try_clone()?);
                let mut line = String::new();
                while reader.read_line(&mut line)? > 0 && line != "\r\n" {
                    line.clear();
                }
                let at = seen
                    .lock()
                    .ok()
                    .and_then(|m| m.get(&format!("ref-{i}")).copied())
                    .context("reference not noted")?;
                reference.push(at.duration_since(t0));
            }
        }
    }

    let mut acked: Vec<(String, Instant)> = vec![];
    let started = Instant::now();
    for i in 0..notices {
        let body = format!(r#"{{"severity":"red","kind":"outage","title":"Bench outage {i}"}}"#);
        let (status, answer) = api(&server.addr, &support, "POST", "/api/v1/notices", &body)?;
        let at = Instant::now();
        if status != 201 {
            bail!("post {i}: HTTP {status}: {answer}");
        }
        let v: serde_json::Value = serde_json::from_str(&answer)?;
        acked.push((v["id"].as_str().context("no id")?.to_owned(), at));
    }
    let posting = started.elapsed();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let done = receivers
            .iter()
            .all(|(_, s)| s.lock().map(|m| m.len()).unwrap_or(0) >= notices * 2);
        if done {
            break;
        }
        if Instant::now() > deadline {
            bail!("not every delivery arrived within 120 s");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let drained = started.elapsed();
    let mut lat = vec![];
    for (_, seen) in &receivers {
        let m = seen.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
        for (id, at) in &acked {
            let got = m.get(id).context("a delivery is missing")?;
            lat.push(got.saturating_duration_since(*at));
        }
    }
    println!(
        "{notices} red notices, posted one after another ({:.0} notices/s), 3 webhook channels; all {} deliveries in {:.2} s",
        notices as f64 / posting.as_secs_f64(),
        notices * 3,
        drained.as_secs_f64()
    );
    println!("| path | deliveries | p50 | p99 | max |");
    println!("| --- | --- | --- | --- | --- |");
    report("API acknowledged → webhook received (the outbox)", lat);
    report("reference: this program → receiver, direct", reference);
    Ok(())
}
