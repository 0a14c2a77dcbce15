//! A fleet: N desktops subscribed over R publisher replicas on one PostgreSQL.
//!
//! Prints the replicas' memory per connection, the fan-out time of one post to every
//! subscriber (p50/p99/max), and a reconnect storm after `kill -9` of one replica (restarted
//! by its supervisor 2 s later): how long until 99 % and all of the fleet are subscribed
//! again, and how many 503s the replicas answered, for clients that reconnect at once and
//! retry every second, and for clients that do as the desktop does (0.5–2 s spread after a
//! stream ends; on a 503 a poll of `/feed.json` at once and the stream again after
//! `Retry-After`; exponential backoff with full jitter while nothing answers). The load
//! balancer is modelled as nginx with `proxy_next_upstream error timeout http_503`: a random
//! replica first, then the next ones, so a desktop sees 503 only when every replica is full.
//!
//! No process here may open more than ~20,000 files, so the subscribers live in several
//! worker processes (this program again, `fleet --worker …`), each on its own range of
//! 127.0.x.y source addresses, and the coordinator talks to them over their stdin/stdout.
//!
//! Run: `cargo build --release -p svetofor-ctl -p svetofor-bench &&
//!       target/release/fleet [N] [R] [STORMS]` (default 100000 6 1; STORMS 0 skips the
//!       reconnect storms; needs PostgreSQL installed). `fleet floor [N] [R]` runs the same
//!       subscribers against minimal stream servers: the machine's floor, for comparison.

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use svetofor_bench::{ServerProcess, memory_kib, ms, post_notice, quantile, start_server_at};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Subscribers one worker process holds (its open-file limit is ~20,000).
const PER_WORKER: usize = 12_500;
/// Source addresses per worker (127.0.W.1 …): ~28,000 ports each.
const SOURCES: u8 = 8;

fn now_nanos() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

fn random_fraction() -> f64 {
    let mut b = [0u8; 8];
    match getrandom::fill(&mut b) {
        Ok(()) => (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64,
        Err(_) => 0.5,
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("--worker") => return worker::main(&args[2..]),
        Some("--floor-server") => return floor_server::main(),
        Some("floor") => {
            return floor(svetofor_bench::arg(2, 100_000)?, svetofor_bench::arg(3, 6)?);
        }
        _ => {}
    }
    coordinator(
        svetofor_bench::arg(1, 100_000)?,
        svetofor_bench::arg(2, 6)?,
        svetofor_bench::arg(3, 1u8)? != 0,
    )
}

/// One worker process, as the coordinator sees it.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ask_all(workers: &mut [Worker], command: &str) -> Result<Vec<String>> {
    // Send to all first, then read: the workers run at once.
    for w in workers.iter_mut() {
        writeln!(w.stdin, "{command}")?;
        w.stdin.flush()?;
    }
    workers
        .iter_mut()
        .map(|w| {
            let mut line = String::new();
            if w.stdout.read_line(&mut line)? == 0 {
                bail!("a worker ended");
            }
            Ok(line.trim().to_owned())
        })
        .collect()
}

/// Numbers after the first word of each answer, summed field by field.
fn sums(answers: &[String]) -> Vec<u64> {
    let mut total: Vec<u64> = Vec::new();
    for a in answers {
        for (i, v) in a.split_whitespace().skip(1).enumerate() {
            let v: u64 = v.parse().unwrap_or(0);
            if total.len() <= i {
                total.push(0);
            }
            total[i] += v;
        }
    }
    total
}

/// Threads each replica gets: the machine's cores shared out (`serve --threads`).
fn threads_per_replica(replicas: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    (cores / replicas.max(1)).max(1)
}

fn replica(dir: &std::path::Path, port: u16, db: &str, threads: usize) -> Result<ServerProcess> {
    start_server_at(
        dir,
        port,
        &[
            "--threads",
            &threads.to_string(),
            "--db",
            db,
            "--writes-per-minute",
            "1000000",
            "--streams-per-ip",
            "20000",
        ],
    )
}

fn token(dir: &std::path::Path, db: &str) -> Result<String> {
    let out = Command::new(svetofor_bench::ctl_binary()?)
        .args(["token", "create", "--role", "support", "--name", "bench"])
        .args(["--db", db])
        .env("SVETOFOR_DATA_DIR", dir)
        .output()?;
    if !out.status.success() {
        bail!("token create: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?.trim().to_owned())
}

fn kernel_tcp_kib() -> u64 {
    // `TCP: inuse … mem PAGES` counts the socket buffers of every TCP socket.
    std::fs::read_to_string("/proc/net/sockstat")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("TCP:"))?.to_owned();
            let f: Vec<&str> = line.split_whitespace().collect();
            let i = f.iter().position(|w| *w == "mem")?;
            f.get(i + 1)?.parse::<u64>().ok()
        })
        .map_or(0, |pages| pages * 4)
}

fn slab_kib() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Slab:"))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

fn coordinator(n: usize, replicas: usize, storms: bool) -> Result<()> {
    let pg = svetofor_testpg::Postgres::start_durable().context("PostgreSQL is not installed")?;
    let db = pg.database("fleet");
    let dir = tempfile::tempdir()?;
    let threads = threads_per_replica(replicas);
    let ports: Vec<u16> = (0..replicas)
        .map(|_| {
            Ok(std::net::TcpListener::bind("127.0.0.1:0")?
                .local_addr()?
                .port())
        })
        .collect::<Result<_>>()?;
    let mut servers: Vec<ServerProcess> = ports
        .iter()
        .map(|&p| replica(dir.path(), p, &db, threads))
        .collect::<Result<_>>()?;
    let t = token(dir.path(), &db)?;
    std::thread::sleep(Duration::from_millis(500));
    let idle: Vec<(u64, u64)> = servers
        .iter()
        .map(|s| memory_kib(s.child.id()))
        .collect::<Result<_>>()?;
    let (tcp0, slab0) = (kernel_tcp_kib(), slab_kib());

    let addrs = ports
        .iter()
        .map(|p| format!("127.0.0.1:{p}"))
        .collect::<Vec<_>>()
        .join(",");
    let (count, mut workers) = spawn_workers(n, &addrs)?;
    println!(
        "Fleet: {n} subscribers in {count} worker processes over {replicas} replicas on one PostgreSQL \
         ({threads} thread(s) each)"
    );

    connect_and_settle(&mut workers, n)?;
    let mut rss_per = Vec::new();
    let mut streams_total = 0usize;
    for (i, s) in servers.iter().enumerate() {
        let (rss, pss) = memory_kib(s.child.id())?;
        let streams = streams_on(&s.addr)?;
        streams_total += streams;
        let per = rss.saturating_sub(idle[i].0) as f64 / streams.max(1) as f64;
        rss_per.push(per);
        println!(
            "  replica {i}: {streams} streams, RSS {:.0} -> {:.0} MiB (PSS {:.0} -> {:.0} MiB), {per:.2} KiB per stream",
            idle[i].0 as f64 / 1024.0,
            rss as f64 / 1024.0,
            idle[i].1 as f64 / 1024.0,
            pss as f64 / 1024.0,
        );
    }
    let (tcp1, slab1) = (kernel_tcp_kib(), slab_kib());
    println!(
        "  per stream:       {:.2} KiB in the replica (mean of {replicas}); kernel for both ends: \
         {:.2} KiB slab, {:.2} KiB TCP buffers ({streams_total} streams)",
        rss_per.iter().sum::<f64>() / rss_per.len() as f64,
        slab1.saturating_sub(slab0) as f64 / streams_total.max(1) as f64,
        tcp1.saturating_sub(tcp0) as f64 / streams_total.max(1) as f64,
    );

    // Fan-out: one post on replica 0, pushed by all of them.
    let replica_pids: Vec<u32> = servers.iter().map(|s| s.child.id()).collect();
    let fanned = fan_out(&mut workers, &replica_pids, || {
        let body = r#"{"severity":"red","kind":"outage","title":"Fleet benchmark","body":"Fan-out measurement."}"#;
        post_notice(&servers[0].addr, &t, body)
            .context("posting the notice")
            .map(drop)
    })?;
    fanned.print("replicas", n, "the post", " (goal p99 <= 1 s)");

    if !storms {
        // A moment before everything closes, for a profiler watching the fan-out.
        std::thread::sleep(Duration::from_secs(3));
        std::process::exit(0);
    }
    // Reconnect storms: kill -9 of one replica, back 2 s later.
    println!(
        "  reconnect storm after kill -9 of the replica with the most subscribers (restarted 2 s later):\n\
         \n  | clients | streams cut | 99 % subscribed after | all after | 503s from replicas | 503s to desktops | failed connects |\n  \
         | --- | --- | --- | --- | --- | --- | --- |"
    );
    for (mode, label) in [
        ("none", "naive: reconnect at once, retry every 1 s"),
        (
            "jitter",
            "the desktop: 0.5–2 s spread; on 503 a poll, the stream again after Retry-After",
        ),
    ] {
        ask_all(&mut workers, &format!("mode {mode}"))?;
        wait_connected(&mut workers, n, Duration::from_secs(300))?;
        ask_all(&mut workers, "storm-arm")?;
        // The replica with the most subscribers: the worst one to lose.
        let mut victim = 0;
        let mut most = 0;
        for (i, s) in servers.iter().enumerate() {
            let streams = streams_on(&s.addr).unwrap_or(0);
            if streams > most {
                (victim, most) = (i, streams);
            }
        }
        let t1 = now_nanos();
        {
            let s = &mut servers[victim];
            s.child.kill()?;
            s.child.wait()?;
        }
        std::thread::sleep(Duration::from_secs(2));
        servers[victim] = replica(dir.path(), ports[victim], &db, threads)?;
        let answers = ask_all(&mut workers, "storm-collect 240")?;
        let mut cut = 0u64;
        let mut busy = 0u64;
        let mut seen = 0u64;
        let mut failed = 0u64;
        let mut back: Vec<Duration> = Vec::new();
        for a in &answers {
            let mut f = a.split_whitespace().skip(1);
            cut += f.next().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            busy += f.next().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            seen += f.next().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            failed += f.next().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            back.extend(
                f.filter_map(|v| v.parse::<u64>().ok())
                    .map(|at| Duration::from_nanos(at.saturating_sub(t1))),
            );
        }
        back.sort();
        // 99 % of the whole fleet subscribed: all but 1 % of it may still be out.
        let allowed_out = n / 100;
        let needed = (cut as usize).saturating_sub(allowed_out);
        let p99 = if needed == 0 {
            Duration::ZERO
        } else {
            back.get(needed - 1).copied().unwrap_or(Duration::MAX)
        };
        let all = if back.len() as u64 >= cut {
            back.last().copied().unwrap_or_default()
        } else {
            Duration::MAX
        };
        let show = |d: Duration| {
            if d == Duration::MAX {
                "not within 240 s".to_owned()
            } else {
                format!("{:.1} s", d.as_secs_f64())
            }
        };
        println!(
            "  | {label} | {cut} | {} | {} | {busy} | {seen} | {failed} |",
            show(p99),
            show(all)
        );
    }
    drop(workers);
    drop(servers);
    std::process::exit(0);
}

/// Worker processes holding `n` subscribers between them, on the replicas at `addrs`
/// (comma-separated): how many, and they.
fn spawn_workers(n: usize, addrs: &str) -> Result<(usize, Vec<Worker>)> {
    let count = n.div_ceil(PER_WORKER);
    let workers = (0..count)
        .map(|w| {
            let share = n / count + usize::from(w < n % count);
            this_program(&["--worker", &w.to_string(), &share.to_string(), addrs])
        })
        .collect::<Result<_>>()?;
    Ok((count, workers))
}

/// This program again with `args`, spoken to over its stdin and stdout.
fn this_program(args: &[&str]) -> Result<Worker> {
    let mut child = Command::new(std::env::current_exe()?)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let stdin = child.stdin.take().context("stdin")?;
    let stdout = BufReader::new(child.stdout.take().context("stdout")?);
    Ok(Worker {
        child,
        stdin,
        stdout,
    })
}

/// The floor to compare with: the same subscribers and fan-out, served by the least an
/// event-stream server can be (`--floor-server`: a tokio task per connection writing one
/// pre-built frame when a watch channel changes; no HTTP library, no signing, no database).
fn floor(n: usize, replicas: usize) -> Result<()> {
    let mut servers: Vec<Worker> = (0..replicas)
        .map(|_| this_program(&["--floor-server"]))
        .collect::<Result<_>>()?;
    let addrs = ask_all(&mut servers, "addr")?.join(",");
    let pids: Vec<u32> = servers.iter().map(|s| s.child.id()).collect();
    let idle: u64 = pids
        .iter()
        .filter_map(|p| memory_kib(*p).ok())
        .map(|m| m.0)
        .sum();
    let (count, mut workers) = spawn_workers(n, &addrs)?;
    println!(
        "Floor: {n} subscribers in {count} worker processes over {replicas} minimal stream servers"
    );
    let connected = connect_and_settle(&mut workers, n)?;
    let held: u64 = pids
        .iter()
        .filter_map(|p| memory_kib(*p).ok())
        .map(|m| m.0)
        .sum();
    println!(
        "  per stream:       {:.2} KiB in the servers",
        held.saturating_sub(idle) as f64 / connected.max(1) as f64
    );
    let fanned = fan_out(&mut workers, &pids, || {
        ask_all(&mut servers, "go").map(drop)
    })?;
    fanned.print("servers", n, "the frame", "");
    drop(workers);
    drop(servers);
    std::process::exit(0);
}

/// What one fan-out took: each subscriber's latency, and the CPU the servers and the
/// subscribers spent meanwhile.
struct FanOut {
    latencies: Vec<Duration>,
    servers_cpu: Duration,
    subscribers_cpu: Duration,
}

impl FanOut {
    fn print(&self, servers: &str, n: usize, what: &str, goal: &str) {
        let lat = &self.latencies;
        println!(
            "  CPU meanwhile:    {servers} {:.2} s, subscribers {:.2} s",
            self.servers_cpu.as_secs_f64(),
            self.subscribers_cpu.as_secs_f64()
        );
        println!(
            "  fan-out:          {} of {n} got {what}: p50 {}  p99 {}  max {}{goal}",
            lat.len(),
            ms(quantile(lat, 0.5)),
            ms(quantile(lat, 0.99)),
            ms(lat.last().copied().unwrap_or_default())
        );
    }
}

/// Arms the workers, runs `publish`, and collects when each subscriber got the news.
fn fan_out(
    workers: &mut [Worker],
    server_pids: &[u32],
    publish: impl FnOnce() -> Result<()>,
) -> Result<FanOut> {
    let cpu = |pids: &[u32]| -> Duration {
        pids.iter()
            .filter_map(|p| svetofor_bench::cpu_time(*p).ok())
            .sum()
    };
    let worker_pids: Vec<u32> = workers.iter().map(|w| w.child.id()).collect();
    let (sc0, wc0) = (cpu(server_pids), cpu(&worker_pids));
    ask_all(workers, "arm")?;
    let t0 = now_nanos();
    publish()?;
    let answers = ask_all(workers, "collect 60")?;
    let mut latencies: Vec<Duration> = answers
        .iter()
        .flat_map(|a| a.split_whitespace().skip(1))
        .filter_map(|v| v.parse::<u64>().ok())
        .map(|at| Duration::from_nanos(at.saturating_sub(t0)))
        .collect();
    latencies.sort();
    Ok(FanOut {
        latencies,
        servers_cpu: cpu(server_pids) - sc0,
        subscribers_cpu: cpu(&worker_pids) - wc0,
    })
}

/// Waits for the first `n` subscriptions and says how long they took, then lets the
/// allocators give back the connect burst's buffers; how many there are.
fn connect_and_settle(workers: &mut [Worker], n: usize) -> Result<usize> {
    let started = Instant::now();
    let connected = wait_connected(workers, n, Duration::from_secs(300))?;
    println!(
        "  connected:        {connected}/{n} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    std::thread::sleep(Duration::from_secs(15));
    Ok(connected)
}

/// Waits until the workers hold `n` subscriptions (or `within` passed); how many they hold.
fn wait_connected(workers: &mut [Worker], n: usize, within: Duration) -> Result<usize> {
    let start = Instant::now();
    loop {
        let s = sums(&ask_all(workers, "status")?);
        let connected = s.first().copied().unwrap_or(0) as usize;
        if connected >= n || start.elapsed() > within {
            return Ok(connected);
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn streams_on(addr: &str) -> Result<usize> {
    let (_, body) = svetofor_bench::api(addr, "", "GET", "/healthz", "")?;
    let v: serde_json::Value = serde_json::from_str(&body)?;
    Ok(v["streams"].as_u64().unwrap_or(0) as usize)
}

/// The subscribers' side.
mod worker {
    use super::*;

    /// One subscriber's news, shared with the command loop.
    #[derive(Default)]
    pub struct Slot {
        subscribed: AtomicBool,
        /// When the first event after `arm` came (ns since the epoch; 0: not yet).
        armed_event: AtomicU64,
        /// Whether its stream was cut since `storm-arm`.
        cut: AtomicBool,
        /// When it was subscribed again after the cut (0: not yet).
        back: AtomicU64,
    }

    #[derive(Default)]
    pub struct Shared {
        slots: Vec<Slot>,
        armed: AtomicBool,
        storm: AtomicBool,
        jitter: AtomicBool,
        /// 503s the replicas answered (the load balancer then tried the next one).
        replica_busy: AtomicU64,
        /// 503s that reached a desktop: every replica was full.
        seen_busy: AtomicU64,
        failed: AtomicU64,
    }

    pub fn main(args: &[String]) -> Result<()> {
        let index: usize = args.first().context("worker index")?.parse()?;
        let count: usize = args.get(1).context("count")?.parse()?;
        let replicas: Vec<SocketAddr> = args
            .get(2)
            .context("replicas")?
            .split(',')
            .map(str::parse)
            .collect::<Result<_, _>>()?;
        let limit = rlimit::increase_nofile_limit((count + 512) as u64)?;
        if limit < (count + 64) as u64 {
            bail!("worker {index}: open-file limit {limit} is below {count} subscribers");
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let shared = Arc::new(Shared {
            slots: (0..count).map(|_| Slot::default()).collect(),
            ..Shared::default()
        });
        rt.block_on(async move {
            let gate = Arc::new(tokio::sync::Semaphore::new(128));
            for i in 0..count {
                let source =
                    Ipv4Addr::new(127, 0, 1 + index as u8, 1 + (i % SOURCES as usize) as u8);
                let first = replicas[(i + index) % replicas.len()];
                tokio::spawn(subscriber(
                    shared.clone(),
                    i,
                    source,
                    first,
                    replicas.clone(),
                    gate.clone(),
                ));
            }
            commands(shared).await
        })
    }

    async fn commands(shared: Arc<Shared>) -> Result<()> {
        let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
        let mut out = tokio::io::stdout();
        while let Some(line) = lines.next_line().await? {
            let mut words = line.split_whitespace();
            let answer = match words.next() {
                Some("status") => {
                    let n = shared
                        .slots
                        .iter()
                        .filter(|s| s.subscribed.load(Ordering::Relaxed))
                        .count();
                    format!("status {n}")
                }
                Some("mode") => {
                    shared
                        .jitter
                        .store(words.next() == Some("jitter"), Ordering::Relaxed);
                    "ok".to_owned()
                }
                Some("arm") => {
                    for s in &shared.slots {
                        s.armed_event.store(0, Ordering::Relaxed);
                    }
                    shared.armed.store(true, Ordering::SeqCst);
                    "armed".to_owned()
                }
                Some("collect") => {
                    let within = Duration::from_secs(words.next().unwrap_or("60").parse()?);
                    let start = Instant::now();
                    while start.elapsed() < within
                        && shared
                            .slots
                            .iter()
                            .any(|s| s.armed_event.load(Ordering::Relaxed) == 0)
                    {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    shared.armed.store(false, Ordering::SeqCst);
                    let mut a = String::from("lat");
                    for s in &shared.slots {
                        let at = s.armed_event.load(Ordering::Relaxed);
                        if at != 0 {
                            a.push(' ');
                            a.push_str(&at.to_string());
                        }
                    }
                    a
                }
                Some("storm-arm") => {
                    for s in &shared.slots {
                        s.cut.store(false, Ordering::Relaxed);
                        s.back.store(0, Ordering::Relaxed);
                    }
                    shared.replica_busy.store(0, Ordering::Relaxed);
                    shared.seen_busy.store(0, Ordering::Relaxed);
                    shared.failed.store(0, Ordering::Relaxed);
                    shared.storm.store(true, Ordering::SeqCst);
                    "armed".to_owned()
                }
                Some("storm-collect") => {
                    let within = Duration::from_secs(words.next().unwrap_or("120").parse()?);
                    // Give the cut time to be seen, then wait for everyone cut to be back.
                    tokio::time::sleep(Duration::from_secs(3)).await;
                    let start = Instant::now();
                    while start.elapsed() < within
                        && shared.slots.iter().any(|s| {
                            s.cut.load(Ordering::Relaxed) && s.back.load(Ordering::Relaxed) == 0
                        })
                    {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    shared.storm.store(false, Ordering::SeqCst);
                    let cut = shared
                        .slots
                        .iter()
                        .filter(|s| s.cut.load(Ordering::Relaxed))
                        .count();
                    let mut a = format!(
                        "storm {cut} {} {} {}",
                        shared.replica_busy.load(Ordering::Relaxed),
                        shared.seen_busy.load(Ordering::Relaxed),
                        shared.failed.load(Ordering::Relaxed)
                    );
                    for s in &shared.slots {
                        let at = s.back.load(Ordering::Relaxed);
                        if s.cut.load(Ordering::Relaxed) && at != 0 {
                            a.push(' ');
                            a.push_str(&at.to_string());
                        }
                    }
                    a
                }
                _ => "?".to_owned(),
            };
            out.write_all(answer.as_bytes()).await?;
            out.write_all(b"\n").await?;
            out.flush().await?;
        }
        Ok(())
    }

    /// How one attempt ended.
    enum Ended {
        /// The stream was up, then ended.
        Cut,
        /// 503 from every replica the load balancer tried: they are all full (the last
        /// one's `Retry-After`).
        Busy(Option<Duration>),
        /// No replica could be reached, or something else went wrong.
        Failed,
    }

    /// How one replica answered.
    enum Answer {
        /// The stream, and what of its body came with the head.
        Subscribed(TcpStream, Vec<u8>),
        Busy(Option<Duration>),
        Failed,
    }

    thread_local! {
        /// One read buffer for every subscriber of this (single-threaded) worker.
        static SCRATCH: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0u8; 64 * 1024]);
    }

    async fn subscriber(
        shared: Arc<Shared>,
        i: usize,
        source: Ipv4Addr,
        first: SocketAddr,
        replicas: Vec<SocketAddr>,
        gate: Arc<tokio::sync::Semaphore>,
    ) {
        let slot = &shared.slots[i];
        let mut start = replicas.iter().position(|r| *r == first).unwrap_or(0);
        let mut last_id: Option<String> = None;
        let mut failures = 0u32;
        let mut bounded = 0u32;
        // Bounded: a worker ends with its coordinator, and the loop with it.
        while bounded < 1_000_000 {
            bounded += 1;
            let ended = attempt(&shared, slot, source, &replicas, start, &mut last_id, &gate).await;
            slot.subscribed.store(false, Ordering::Relaxed);
            let desktop = shared.jitter.load(Ordering::Relaxed);
            let pause = match ended {
                Ended::Cut => {
                    failures = 0;
                    if shared.storm.load(Ordering::Relaxed) {
                        slot.cut.store(true, Ordering::Relaxed);
                        slot.back.store(0, Ordering::Relaxed);
                    }
                    if desktop {
                        Duration::from_millis(500 + (1500.0 * random_fraction()) as u64)
                    } else {
                        Duration::ZERO
                    }
                }
                Ended::Busy(retry_after) => {
                    shared.seen_busy.fetch_add(1, Ordering::Relaxed);
                    if desktop {
                        // The desktop polls /feed.json at once (it has the status), then
                        // tries the stream again after Retry-After, or its poll interval
                        // (60 s ± 20 %) if that is sooner.
                        poll(&replicas, source).await;
                        let poll = Duration::from_secs(60).mul_f64(0.8 + 0.4 * random_fraction());
                        retry_after.map_or(poll, |r| r.max(Duration::from_secs(1)).min(poll))
                    } else {
                        Duration::from_secs(1)
                    }
                }
                Ended::Failed => {
                    failures += 1;
                    if desktop {
                        backoff(failures)
                    } else {
                        Duration::from_secs(1)
                    }
                }
            };
            tokio::time::sleep(pause).await;
            start = (random_fraction() * replicas.len() as f64) as usize % replicas.len();
        }
    }

    /// The desktop's pause after failed rounds: exponential from 2 s with full jitter, at
    /// most 5 minutes.
    fn backoff(failures: u32) -> Duration {
        Duration::from_secs(2)
            .saturating_mul(1u32 << failures.min(16))
            .min(Duration::from_secs(300))
            .mul_f64(random_fraction())
    }

    /// One `GET /feed.json` through the load balancer.
    async fn poll(replicas: &[SocketAddr], source: Ipv4Addr) {
        for r in replicas {
            let Ok(socket) = TcpSocket::new_v4() else {
                return;
            };
            if socket.bind(SocketAddr::new(source.into(), 0)).is_err() {
                return;
            }
            if let Ok(mut s) = socket.connect(*r).await {
                let _ = s
                    .write_all(
                        b"GET /feed.json HTTP/1.1\r\nHost: fleet\r\nConnection: close\r\n\r\n",
                    )
                    .await;
                let mut sink = Vec::new();
                let _ =
                    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut sink)).await;
                return;
            }
        }
    }

    /// Through the load balancer: the replicas in turn from `start`, passing over one that
    /// cannot be reached or answers 503 (nginx: `proxy_next_upstream error timeout http_503`),
    /// then the stream until it ends.
    async fn attempt(
        shared: &Shared,
        slot: &Slot,
        source: Ipv4Addr,
        replicas: &[SocketAddr],
        start: usize,
        last_id: &mut Option<String>,
        gate: &tokio::sync::Semaphore,
    ) -> Ended {
        let mut stream = None;
        let mut busy = None;
        {
            // A few connects at a time per worker: the desktops of a fleet are not in step
            // either, and a listen backlog is finite.
            let _permit = gate.acquire().await;
            for k in 0..replicas.len() {
                let target = replicas[(start + k) % replicas.len()];
                match subscribe(source, target, last_id.as_deref()).await {
                    Answer::Subscribed(s, body) => {
                        stream = Some((s, body));
                        break;
                    }
                    Answer::Busy(retry_after) => {
                        shared.replica_busy.fetch_add(1, Ordering::Relaxed);
                        busy = Some(retry_after);
                    }
                    Answer::Failed => {
                        shared.failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }
        let Some((stream, body)) = stream else {
            return match busy {
                Some(retry_after) => Ended::Busy(retry_after),
                None => Ended::Failed,
            };
        };
        // Subscribed: the desktop has the current document (sent now, or it had it).
        slot.subscribed.store(true, Ordering::Relaxed);
        if slot.cut.load(Ordering::Relaxed) && slot.back.load(Ordering::Relaxed) == 0 {
            slot.back.store(now_nanos(), Ordering::Relaxed);
        }
        let mut line = Line::default();
        line.feed(&body, last_id);
        loop {
            if stream.readable().await.is_err() {
                return Ended::Cut;
            }
            let read = SCRATCH.with(|scratch| {
                let mut scratch = scratch.borrow_mut();
                match stream.try_read(&mut scratch[..]) {
                    Ok(0) => Err(()),
                    Ok(n) => {
                        if line.feed(&scratch[..n], last_id)
                            && shared.armed.load(Ordering::Relaxed)
                            && slot.armed_event.load(Ordering::Relaxed) == 0
                        {
                            slot.armed_event.store(now_nanos(), Ordering::Relaxed);
                        }
                        Ok(())
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(()),
                    Err(_) => Err(()),
                }
            });
            if read.is_err() {
                return Ended::Cut;
            }
        }
    }

    /// The start of the line being read, enough to know an `id:` line.
    #[derive(Default)]
    struct Line {
        head: Vec<u8>,
    }

    impl Line {
        /// Reads `bytes`; true when an `id:` line ended in them (its value is `last_id`).
        fn feed(&mut self, bytes: &[u8], last_id: &mut Option<String>) -> bool {
            let mut seen = false;
            let mut rest = bytes;
            while let Some(i) = rest.iter().position(|b| *b == b'\n') {
                self.take(&rest[..i]);
                if let Some(id) = self.head.strip_prefix(b"id: ") {
                    *last_id = Some(String::from_utf8_lossy(id).trim().to_owned());
                    seen = true;
                }
                self.head.clear();
                rest = &rest[i + 1..];
            }
            self.take(rest);
            seen
        }

        fn take(&mut self, part: &[u8]) {
            let room = 40usize.saturating_sub(self.head.len());
            self.head.extend_from_slice(&part[..part.len().min(room)]);
        }
    }

    /// Opens `/events` on `target`.
    async fn subscribe(source: Ipv4Addr, target: SocketAddr, last_id: Option<&str>) -> Answer {
        let Ok(socket) = TcpSocket::new_v4() else {
            return Answer::Failed;
        };
        if socket.bind(SocketAddr::new(source.into(), 0)).is_err() {
            return Answer::Failed;
        }
        let Ok(Ok(mut stream)) =
            tokio::time::timeout(Duration::from_secs(10), socket.connect(target)).await
        else {
            return Answer::Failed;
        };
        let request = match last_id {
            Some(id) => format!(
                "GET /events HTTP/1.1\r\nHost: fleet\r\nAccept: text/event-stream\r\nLast-Event-ID: {id}\r\n\r\n"
            ),
            None => "GET /events HTTP/1.1\r\nHost: fleet\r\nAccept: text/event-stream\r\n\r\n"
                .to_owned(),
        };
        if stream.write_all(request.as_bytes()).await.is_err() {
            return Answer::Failed;
        }
        let mut head = Vec::with_capacity(4096);
        let mut chunk = [0u8; 4096];
        let end = loop {
            match tokio::time::timeout(Duration::from_secs(15), stream.read(&mut chunk)).await {
                Ok(Ok(n)) if n > 0 => head.extend_from_slice(&chunk[..n]),
                _ => return Answer::Failed,
            }
            if let Some(i) = svetofor_bench::find(&head, b"\r\n\r\n") {
                break i + 4;
            }
            if head.len() > 16 * 1024 {
                return Answer::Failed;
            }
        };
        let body = head.split_off(end);
        let head = String::from_utf8_lossy(&head);
        let status: u16 = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let retry_after = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("retry-after")
                    .then(|| v.trim().parse().ok())?
            })
            .map(Duration::from_secs);
        match status {
            200 => Answer::Subscribed(stream, body),
            503 => Answer::Busy(retry_after),
            _ => Answer::Failed,
        }
    }
}

/// The least an event-stream server can be, for [`floor`].
mod floor_server {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use tokio::sync::watch;

    /// A frame of the real one's size (one notice: about 1.2 KB).
    fn frame(seq: u64) -> Arc<Vec<u8>> {
        let data = "x".repeat(1100);
        Arc::new(format!("id: {seq}\nevent: snapshot\ndata: {data}\n\n").into_bytes())
    }

    pub fn main() -> Result<()> {
        rlimit::increase_nofile_limit(u64::MAX)?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        rt.block_on(async {
            let socket = TcpSocket::new_v4()?;
            socket.bind("127.0.0.1:0".parse()?)?;
            let listener = socket.listen(4096)?;
            let addr = listener.local_addr()?;
            let (tx, rx) = watch::channel(frame(1));
            let open = Arc::new(AtomicUsize::new(0));
            let counted = open.clone();
            tokio::spawn(async move {
                while let Ok((s, _)) = listener.accept().await {
                    counted.fetch_add(1, Ordering::Relaxed);
                    tokio::spawn(connection(s, rx.clone()));
                }
            });
            let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
            let mut out = tokio::io::stdout();
            let mut seq = 1;
            while let Some(line) = lines.next_line().await? {
                let answer = match line.trim() {
                    "addr" => addr.to_string(),
                    "go" => {
                        seq += 1;
                        tx.send_replace(frame(seq));
                        "ok".to_owned()
                    }
                    _ => format!("open {}", open.load(Ordering::Relaxed)),
                };
                out.write_all(answer.as_bytes()).await?;
                out.write_all(b"\n").await?;
                out.flush().await?;
            }
            Ok(())
        })
    }

    async fn connection(mut s: TcpStream, mut rx: watch::Receiver<Arc<Vec<u8>>>) {
        let mut head = [0u8; 1024];
        let mut got = 0;
        while !head[..got].windows(4).any(|w| w == b"\r\n\r\n") {
            match s.read(&mut head[got..]).await {
                Ok(n) if n > 0 && got + n < head.len() => got += n,
                _ => return,
            }
        }
        let first = rx.borrow_and_update().clone();
        let reply = [
            &b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n"[..],
            &first[..],
        ]
        .concat();
        if s.write_all(&reply).await.is_err() {
            return;
        }
        while rx.changed().await.is_ok() {
            let f = rx.borrow_and_update().clone();
            if s.write_all(&f).await.is_err() {
                return;
            }
        }
    }
}
