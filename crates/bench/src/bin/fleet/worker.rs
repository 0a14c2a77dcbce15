//! The subscribers' side.

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
            let source = Ipv4Addr::new(127, 0, 1 + index as u8, 1 + (i % SOURCES as usize) as u8);
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
                .write_all(b"GET /feed.json HTTP/1.1\r\nHost: fleet\r\nConnection: close\r\n\r\n")
                .await;
            let mut sink = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut sink)).await;
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
        None => {
            "GET /events HTTP/1.1\r\nHost: fleet\r\nAccept: text/event-stream\r\n\r\n".to_owned()
        }
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
