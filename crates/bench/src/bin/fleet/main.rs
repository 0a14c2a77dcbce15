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
    let pg =
        svetofor_testkit::pg::Postgres::start_durable().context("PostgreSQL is not installed")?;
    let db = pg.database("fleet");
    let dir = tempfile::tempdir()?;
    let threads = threads_per_replica(replicas);
    let ports: Vec<u16> = (0..replicas)
        .map(|_| Ok(svetofor_testkit::free_port()))
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

mod worker;

mod floor_server;
