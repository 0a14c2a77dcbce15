//! Helpers shared by the benchmark programs: starting `svetoforctl serve`, a minimal
//! HTTP/1.1 client, process memory, and percentiles.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The `n`th command-line argument (1-based) as a number, or `default` when absent.
pub fn arg<T: std::str::FromStr>(n: usize, default: T) -> Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    Ok(std::env::args()
        .nth(n)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(default))
}

/// The `svetoforctl` binary next to this benchmark (build both with `--release`).
pub fn ctl_binary() -> Result<PathBuf> {
    let me = std::env::current_exe()?;
    let dir = me.parent().context("no parent dir")?;
    let ctl = dir.join("svetoforctl");
    if !ctl.exists() {
        bail!(
            "{} not found: build it first with `cargo build --release -p svetofor-ctl`",
            ctl.display()
        );
    }
    Ok(ctl)
}

/// A `svetoforctl serve` child process, killed on drop.
pub struct ServerProcess {
    pub child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// Its data folder.
    pub dir: PathBuf,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `svetoforctl serve` on a free port with `extra` arguments.
pub fn start_server(dir: &Path, extra: &[&str]) -> Result<ServerProcess> {
    let port = svetofor_testkit::free_port();
    start_server_at(dir, port, extra)
}

/// Starts `svetoforctl serve` on `port` with `extra` arguments.
pub fn start_server_at(dir: &Path, port: u16, extra: &[&str]) -> Result<ServerProcess> {
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(ctl_binary()?)
        .args(["serve", "--listen", &addr])
        .args(extra)
        .env("SVETOFOR_DATA_DIR", dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(&addr).is_err() {
        if Instant::now() > deadline {
            bail!("server did not start");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(ServerProcess {
        child,
        addr,
        dir: dir.to_owned(),
    })
}

/// Creates a token with `role` in the server's database.
pub fn create_token(dir: &Path, role: &str) -> Result<String> {
    let out = Command::new(ctl_binary()?)
        .args(["token", "create", "--role", role, "--name", "bench"])
        .env("SVETOFOR_DATA_DIR", dir)
        .output()?;
    if !out.status.success() {
        bail!(
            "token create failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8(out.stdout)?.trim().to_owned())
}

/// One API request (`Connection: close`); returns the status and the body.
pub fn api(addr: &str, token: &str, method: &str, path: &str, body: &str) -> Result<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr)?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .context("no status line")?;
    let body = out.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    Ok((status, body.to_owned()))
}

/// Posts a notice (`body` is the JSON request) and returns the created notice.
pub fn post_notice(addr: &str, token: &str, body: &str) -> Result<serde_json::Value> {
    let (status, answer) = api(addr, token, "POST", "/api/v1/notices", body)?;
    if status != 201 {
        bail!("post failed: HTTP {status}: {answer}");
    }
    Ok(serde_json::from_str(&answer)?)
}

/// Resident and proportional set sizes of a process, in KiB (`VmRSS`, and `Pss` from
/// `smaps_rollup`).
pub fn memory_kib(pid: u32) -> Result<(u64, u64)> {
    let field = |text: &str, name: &str| -> u64 {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    Ok((field(&status, "VmRSS:"), field(&rollup, "Pss:")))
}

/// User plus system CPU time of a process.
pub fn cpu_time(pid: u32) -> Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
        + f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
    Ok(Duration::from_millis(ticks * 10))
}

/// The value at quantile `q` (0..=1) of sorted `v`.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// One keep-alive HTTP/1.1 connection for GET requests.
pub struct HttpConn {
    stream: TcpStream,
    buf: Vec<u8>,
}

/// A response: status and body length.
pub struct Resp {
    /// HTTP status.
    pub status: u16,
    /// Body length.
    pub body_len: usize,
    /// The ETag header.
    pub etag: Option<String>,
}

impl HttpConn {
    /// Connects to `addr`.
    pub async fn connect(addr: &str) -> Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(HttpConn {
            stream,
            buf: Vec::with_capacity(16 * 1024),
        })
    }

    /// Sends `GET path` with optional `If-None-Match` and reads the whole response.
    pub async fn get(&mut self, path: &str, if_none_match: Option<&str>) -> Result<Resp> {
        let mut req = format!("GET {path} HTTP/1.1\r\nHost: bench\r\n");
        if let Some(e) = if_none_match {
            req.push_str(&format!("If-None-Match: {e}\r\n"));
        }
        req.push_str("\r\n");
        self.stream.write_all(req.as_bytes()).await?;
        loop {
            if let Some(end) = find(&self.buf, b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.buf[..end]).to_string();
                let status: u16 = head
                    .split_whitespace()
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .context("bad status line")?;
                let mut len = 0usize;
                let mut etag = None;
                for line in head.lines().skip(1) {
                    if let Some((k, v)) = line.split_once(':') {
                        if k.eq_ignore_ascii_case("content-length") {
                            len = v.trim().parse().unwrap_or(0);
                        } else if k.eq_ignore_ascii_case("etag") {
                            etag = Some(v.trim().to_owned());
                        }
                    }
                }
                let total = end + 4 + len;
                while self.buf.len() < total {
                    self.read_more().await?;
                }
                self.buf.drain(..total);
                return Ok(Resp {
                    status,
                    body_len: len,
                    etag,
                });
            }
            self.read_more().await?;
        }
    }

    async fn read_more(&mut self) -> Result<()> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            bail!("connection closed");
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}

/// Position of `needle` in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Requests per second and latency of one load run.
pub struct Run {
    /// Requests per second.
    pub rps: f64,
    pub p50: Duration,
    pub p99: Duration,
}

/// `conns` keep-alive connections asking `GET path` (with `If-None-Match: etag` when given)
/// as fast as answers come, each answer `expect`: a second's warm-up, then `secs` counted.
pub async fn load(
    addr: &str,
    path: &str,
    etag: Option<String>,
    expect: u16,
    conns: usize,
    secs: u64,
) -> Result<Run> {
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicU64::new(0));
    let mut tasks = vec![];
    for _ in 0..conns {
        let addr = addr.to_owned();
        let path = path.to_owned();
        let etag = etag.clone();
        let stop = stop.clone();
        let count = count.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = HttpConn::connect(&addr).await?;
            let mut lat = Vec::with_capacity(100_000);
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                let r = c.get(&path, etag.as_deref()).await?;
                lat.push(t.elapsed());
                if r.status != expect {
                    bail!("expected {expect}, got {}", r.status);
                }
                count.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<_, anyhow::Error>(lat)
        }));
    }
    // Warm up for a second, then count.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let start_count = count.load(Ordering::Relaxed);
    let start = Instant::now();
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let done = count.load(Ordering::Relaxed) - start_count;
    let elapsed = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    let mut all = vec![];
    for t in tasks {
        all.extend(t.await??);
    }
    all.sort();
    Ok(Run {
        rps: done as f64 / elapsed.as_secs_f64(),
        p50: quantile(&all, 0.5),
        p99: quantile(&all, 0.99),
    })
}
