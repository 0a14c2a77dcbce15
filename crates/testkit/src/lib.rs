//! What Svetofor's tests and benchmarks share (a dev-only crate): free loopback ports, notices
//! and snapshots at a fixed time, a real PostgreSQL in a temporary folder, a local S3 server
//! (moto), and a publisher (`svetoforctl serve`) in a process of its own. The in-process
//! publisher with its HTTP helpers stays with the server's tests (`crates/server/tests/common`),
//! the only ones that start one.

pub mod fixtures;
pub mod moto;
pub mod pg;
pub mod served;

/// Whether something listens at `addr`. A connection to itself does not count: polling a
/// loopback port nobody listens on yet, the kernel can pick that very port as the source,
/// and the two ends meet (TCP simultaneous open), so a naive check says "up" while the
/// server is still starting.
pub fn listening(addr: impl std::net::ToSocketAddrs) -> bool {
    std::net::TcpStream::connect(addr)
        .is_ok_and(|s| matches!((s.local_addr(), s.peer_addr()), (Ok(a), Ok(b)) if a != b))
}

/// A loopback port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}
