//! SSE fan-out: N idle subscribers on `/events`, then one notice posted.
//!
//! Prints connect time, server memory per connection, and the latency from the post until
//! each subscriber has the event (p50/p99/max).
//!
//! Run: `cargo build --release -p svetofor-ctl -p svetofor-bench &&
//!       target/release/sse_fanout [N]` (default 10000).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use svetofor_bench::{create_token, memory_kib, ms, post_notice, quantile, start_server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

/// Source addresses to spread client sockets over (127.0.0.1 … 127.0.0.SOURCES).
const SOURCES: u8 = 16;

async fn subscriber(
    server: SocketAddr,
    source: Ipv4Addr,
    connected: oneshot::Sender<()>,
    got_event: oneshot::Sender<Instant>,
    permit: OwnedSemaphorePermit,
) -> Result<()> {
    // Holds one of the few connect slots until the first snapshot arrives.
    let mut permit = Some(permit);
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(source.into(), 0))?;
    let mut stream = socket.connect(server).await?;
    stream
        .write_all(b"GET /events HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n")
        .await?;
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    let mut seen = 0usize;
    let mut connected = Some(connected);
    let mut got_event = Some(got_event);
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            bail!("stream closed");
        }
        buf.extend_from_slice(&chunk[..n]);
        while let Some(i) = svetofor_bench::find(&buf, b"\n\n") {
            let block = buf.drain(..i + 2).collect::<Vec<u8>>();
            if svetofor_bench::find(&block, b"event: snapshot").is_some() {
                seen += 1;
                if seen == 1 {
                    permit.take();
                    if let Some(c) = connected.take() {
                        let _ = c.send(());
                    }
                } else if let Some(g) = got_event.take() {
                    let _ = g.send(Instant::now());
                    // Keep the connection open but stop working: the measurement is done.
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                }
            }
        }
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let n: usize = svetofor_bench::arg(1, 10_000)?;
    let limit = rlimit::increase_nofile_limit((2 * n + 2048) as u64)?;
    if (limit as usize) < n + 1024 {
        bail!("open-file limit is {limit}; need at least {}", n + 1024);
    }
    let dir = std::env::temp_dir().join(format!("svetofor-bench-sse-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let server = start_server(&dir, &["--streams-per-ip", &n.to_string()])?;
    let token = create_token(&dir, "support")?;
    let pid = server.child.id();
    let addr: SocketAddr = server.addr.parse()?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (rss0, pss0) = memory_kib(pid)?;

    println!("SSE fan-out: {n} subscribers over {SOURCES} loopback source addresses");
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(256));
    let failures = Arc::new(AtomicUsize::new(0));
    let mut connected = Vec::with_capacity(n);
    let mut events = Vec::with_capacity(n);
    for i in 0..n {
        let (ctx, crx) = oneshot::channel();
        let (etx, erx) = oneshot::channel();
        connected.push(crx);
        events.push(erx);
        let source = Ipv4Addr::new(127, 0, 0, 1 + (i % SOURCES as usize) as u8);
        let permit = gate.clone().acquire_owned().await?;
        let failures = failures.clone();
        tokio::spawn(async move {
            if let Err(e) = subscriber(addr, source, ctx, etx, permit).await
                && failures.fetch_add(1, Ordering::Relaxed) < 3
            {
                eprintln!("subscriber failed: {e}");
            }
        });
    }
    let mut ok = 0;
    for c in connected {
        if tokio::time::timeout(Duration::from_secs(60), c)
            .await
            .is_ok_and(|r| r.is_ok())
        {
            ok += 1;
        }
    }
    let connect_time = started.elapsed();
    // Idle subscribers: give the allocator time to return the connect burst's transient
    // buffers (jemalloc purges dirty pages after about 10 s) before reading memory.
    tokio::time::sleep(Duration::from_secs(15)).await;
    let (rss1, pss1) = memory_kib(pid)?;
    println!("  connected:          {ok}/{n} in {}", ms(connect_time));
    println!(
        "  server memory:      RSS {:.1} MiB idle -> {:.1} MiB with {ok} streams (PSS {:.1} -> {:.1} MiB)",
        rss0 as f64 / 1024.0,
        rss1 as f64 / 1024.0,
        pss0 as f64 / 1024.0,
        pss1 as f64 / 1024.0
    );
    let per = (rss1.saturating_sub(rss0)) as f64 / ok.max(1) as f64;
    println!("  per connection:     {per:.2} KiB (goal <= 10 KiB)");

    let t0 = Instant::now();
    let body = r#"{"severity":"red","kind":"outage","title":"Benchmark outage","body":"Fan-out measurement."}"#;
    post_notice(&server.addr, &token, body).context("posting the notice")?;
    let mut lat = Vec::with_capacity(n);
    for e in events {
        if let Ok(Ok(at)) = tokio::time::timeout(Duration::from_secs(30), e).await {
            lat.push(at.duration_since(t0));
        }
    }
    lat.sort();
    println!("  fan-out latency:    {} of {ok} got the event", lat.len());
    println!(
        "    p50 {}   p99 {} (goal <= 250 ms)   max {}",
        ms(quantile(&lat, 0.5)),
        ms(quantile(&lat, 0.99)),
        ms(lat.last().copied().unwrap_or_default())
    );
    let failed = failures.load(Ordering::Relaxed);
    if failed > 0 {
        println!("  failed subscribers: {failed}");
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    std::process::exit(0);
}
