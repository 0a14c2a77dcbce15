//! The accept loop: HTTP/1.1 straight on hyper, instead of `axum::serve`.
//!
//! Why: `axum::serve` speaks HTTP/1 and HTTP/2 through hyper-util's auto builder, whose
//! per-connection state is several KiB larger; a publisher holds one idle event stream per
//! desktop, so that size is multiplied by thousands (docs/performance.md has the figures).
//! Desktops and proxies speak HTTP/1.1 to us. This loop also bounds the time to send request
//! headers (slow-loris) and survives running out of file descriptors.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

use crate::http::limits::AddressCounter;
use crate::http::write_timeout::{WRITE_TIMEOUT, WriteTimeout};

/// Longest time a client may take to send its request headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest wait for open requests after shutdown begins (event streams end at once).
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `router` on `listener` until `shutdown` becomes true, then drains.
///
/// `connections` caps what is open (in all and per address); once `pressure_at` are open,
/// every connection is asked to close as soon as it is idle (at most once a second): idle
/// keep-alive connections go at once, requests in flight and event streams finish first, so
/// the descriptors kept in reserve come back for new requests.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    connections: Arc<AddressCounter>,
    pressure_at: usize,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let (close_idle, _) = watch::channel(0u64);
    let mut asked_at: Option<std::time::Instant> = None;
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.wait_for(|s| *s) => break,
        };
        let (stream, addr) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // EMFILE and friends: wait for connections to close instead of spinning.
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // Over its share (or with every descriptor but the reserve taken), a connection is
        // closed at once: one address must not starve the others.
        if connections.open() >= pressure_at
            && asked_at.is_none_or(|t| t.elapsed() >= Duration::from_secs(1))
        {
            tracing::warn!(
                "{} connections open: asking idle ones to close",
                connections.open()
            );
            close_idle.send_modify(|n| *n += 1);
            asked_at = Some(std::time::Instant::now());
        }
        let Ok(place) = connections.enter(addr.ip()) else {
            tracing::debug!("{addr}: too many connections; closed");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(addr));
            let router = router.clone();
            async move { Ok::<_, Infallible>(router.oneshot(req).await.unwrap_or_else(|e| match e {})) }
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .serve_connection(
                TokioIo::new(WriteTimeout::new(stream, WRITE_TIMEOUT)),
                service,
            );
        let mut asked = close_idle.subscribe();
        tokio::spawn(async move {
            let _place = place;
            let mut conn = std::pin::pin!(conn);
            let result = tokio::select! {
                r = conn.as_mut() => r,
                _ = asked.changed() => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = result {
                tracing::debug!("connection from {addr}: {e}");
            }
        });
    }
    drop(listener);
    // Event streams end on `shutdown` by themselves; everything else finishes what it is
    // doing and closes.
    close_idle.send_modify(|n| *n += 1);
    let drained = async {
        while connections.open() > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    if tokio::time::timeout(DRAIN_TIMEOUT, drained).await.is_err() {
        tracing::warn!("some connections did not finish within {DRAIN_TIMEOUT:?}");
    }
    Ok(())
}
