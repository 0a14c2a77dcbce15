//! Per-address limits: a token bucket for writes, counts of open connections and event
//! streams, failed sign-ins, and how the file descriptors are shared out.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Limits a server enforces. A whole client company may sit behind one NAT address, so the
/// stream limit per address is high.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Writes allowed per address per minute, on average.
    pub writes_per_minute: u32,
    /// Writes allowed in a burst.
    pub write_burst: u32,
    /// Open event streams per address.
    pub streams_per_ip: usize,
    /// Open event streams in all.
    pub streams_total: usize,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Longest time for a request other than an event stream.
    pub request_timeout: Duration,
    /// An event stream is ended after a time spread evenly between half this and this (the
    /// client reconnects within seconds, through the load balancer, and gets no document it
    /// has): replicas that come back get their share again, and streams opened together
    /// (after a restart) do not end together. `None`: streams last as long as the client.
    pub stream_lifetime: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            writes_per_minute: 60,
            write_burst: 20,
            streams_per_ip: 20_000,
            streams_total: 100_000,
            max_body_bytes: 64 * 1024,
            request_timeout: Duration::from_secs(15),
            stream_lifetime: Some(Duration::from_secs(3600)),
        }
    }
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets for writes, by address.
pub struct WriteLimiter {
    rate_per_sec: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl WriteLimiter {
    /// A limiter for `per_minute` writes on average and `burst` at once.
    pub fn new(per_minute: u32, burst: u32) -> Self {
        WriteLimiter {
            rate_per_sec: f64::from(per_minute) / 60.0,
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one write for `ip`; on refusal, how long until one is available.
    pub fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > 100_000 {
            // Forget addresses whose buckets have refilled: they are as good as new.
            let full_after = Duration::from_secs_f64(self.burst / self.rate_per_sec.max(1e-9));
            buckets.retain(|_, b| now.duration_since(b.at) < full_after);
        }
        let b = buckets.entry(ip).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        b.tokens =
            (b.tokens + now.duration_since(b.at).as_secs_f64() * self.rate_per_sec).min(self.burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            let secs = (1.0 - b.tokens) / self.rate_per_sec.max(1e-9);
            Err(Duration::from_secs_f64(secs.ceil()))
        }
    }
}

/// Counts what is open (connections, event streams) in all and by address, under a cap for
/// each.
pub struct AddressCounter {
    per_ip: usize,
    total: usize,
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// Held while a connection or stream is open; dropping it releases the place.
pub struct AddressPlace {
    counter: Arc<AddressCounter>,
    ip: IpAddr,
}

impl Drop for AddressPlace {
    fn drop(&mut self) {
        let mut open = self.counter.open.lock().unwrap_or_else(|p| p.into_inner());
        open.0 = open.0.saturating_sub(1);
        if let Some(n) = open.1.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.1.remove(&self.ip);
            }
        }
    }
}

/// Why a place was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum StreamRefusal {
    /// Too many from this address.
    PerIp(usize),
    /// Too many in all.
    Total(usize),
}

impl AddressCounter {
    /// A counter with these caps.
    pub fn new(per_ip: usize, total: usize) -> Arc<Self> {
        Arc::new(AddressCounter {
            per_ip,
            total,
            open: Mutex::new((0, HashMap::new())),
        })
    }

    /// Takes a place for a stream from `ip`.
    pub fn enter(self: &Arc<Self>, ip: IpAddr) -> Result<AddressPlace, StreamRefusal> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if open.0 >= self.total {
            return Err(StreamRefusal::Total(self.total));
        }
        let n = open.1.entry(ip).or_insert(0);
        if *n >= self.per_ip {
            return Err(StreamRefusal::PerIp(self.per_ip));
        }
        *n += 1;
        open.0 += 1;
        Ok(AddressPlace {
            counter: self.clone(),
            ip,
        })
    }

    /// Streams open now.
    pub fn open(&self) -> usize {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).0
    }
}

/// Failed sign-ins (wrong or revoked tokens, wrong passwords) by address, or by account: after
/// [`AuthThrottle::FREE`] failures the key waits before its next try is even looked at, twice
/// as long after each further failure, up to [`AuthThrottle::MAX_WAIT`]; a success clears it.
pub struct AuthThrottle<K = IpAddr> {
    failures: Mutex<HashMap<K, (u32, Instant)>>,
}

impl<K> Default for AuthThrottle<K> {
    fn default() -> Self {
        AuthThrottle {
            failures: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: std::hash::Hash + Eq> AuthThrottle<K> {
    /// Failures allowed before any wait.
    pub const FREE: u32 = 5;
    /// The longest wait.
    pub const MAX_WAIT: Duration = Duration::from_secs(60);

    fn wait_after(failures: u32) -> Duration {
        let doublings = failures.saturating_sub(Self::FREE).min(6);
        Duration::from_secs(1u64 << doublings).min(Self::MAX_WAIT)
    }

    /// `Err(wait)` while `key` must wait before trying again.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        match failures.get(key) {
            Some(&(n, last)) if n >= Self::FREE => {
                let until = last + Self::wait_after(n);
                let now = Instant::now();
                if now < until {
                    Err(until - now)
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// Records a failure of `key`.
    pub fn failed(&self, key: K) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() > 100_000 {
            failures.retain(|_, (_, last)| now.duration_since(*last) < Self::MAX_WAIT);
        }
        let e = failures.entry(key).or_insert((0, now));
        // A quiet hour forgives.
        if now.duration_since(e.1) > Duration::from_secs(3600) {
            e.0 = 0;
        }
        e.0 = e.0.saturating_add(1);
        e.1 = now;
    }

    /// Records a success of `key`.
    pub fn succeeded(&self, key: &K) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

/// How the process's file descriptors are shared out. Every connection and every stream is a
/// descriptor, and the limit on them is the process's (`RLIMIT_NOFILE`), which may not be
/// raised past its hard value. A reserve is kept so that, whoever holds the rest, the API
/// and `/feed.json` still answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FdBudget {
    /// The open-file limit in force.
    pub limit: usize,
    /// Descriptors no single address and no event stream may take.
    pub reserve: usize,
}

impl FdBudget {
    /// Kept for the database, the key and the listener whatever happens.
    const FILES: usize = 64;

    /// The budget for a limit of `limit` descriptors: a tenth (at least 256, at most half)
    /// in reserve.
    pub fn for_limit(limit: usize) -> Self {
        FdBudget {
            limit,
            reserve: (limit / 10).max(256).min(limit / 2),
        }
    }

    /// This process's budget, after raising its soft limit to the hard one where it can.
    pub fn of_this_process() -> Self {
        let limit = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
        Self::for_limit(usize::try_from(limit).unwrap_or(usize::MAX))
    }

    /// Connections open at once, in all.
    pub fn connections(&self) -> usize {
        self.limit.saturating_sub(Self::FILES)
    }

    /// Connections (streams included) one address may hold: all but the reserve.
    pub fn connections_per_ip(&self) -> usize {
        self.limit.saturating_sub(self.reserve)
    }

    /// Event streams open at once: all but the reserve, so requests still get through.
    pub fn streams(&self) -> usize {
        self.limit.saturating_sub(self.reserve)
    }
}

/// What the server admits, decided once at start: the configured stream limits, never past
/// what the descriptor budget allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    pub budget: FdBudget,
    pub streams_total: usize,
    pub streams_per_ip: usize,
}

impl Capacity {
    pub fn new(limits: &Limits, budget: FdBudget) -> Self {
        Capacity {
            budget,
            streams_total: limits.streams_total.min(budget.streams()),
            streams_per_ip: limits.streams_per_ip.min(budget.streams()),
        }
    }
}

impl std::fmt::Display for Capacity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "file limit {}: up to {} event streams ({} per address), {} descriptors kept for \
             the API and /feed.json",
            self.budget.limit, self.streams_total, self.streams_per_ip, self.budget.reserve
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reserve_follows_the_limit() {
        let b = FdBudget::for_limit(20_000);
        assert_eq!(
            (b.reserve, b.streams(), b.connections()),
            (2_000, 18_000, 19_936)
        );
        let small = FdBudget::for_limit(1024);
        assert_eq!((small.reserve, small.streams()), (256, 768));
        assert_eq!(
            FdBudget::for_limit(300).reserve,
            150,
            "never more than half"
        );
    }
}
