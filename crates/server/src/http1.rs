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

use crate::limits::StreamCounter;
use crate::write_timeout::{WRITE_TIMEOUT, WriteTimeout};

/// Longest time a client may take to send its request headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest wait for open requests after shutdown begins (event streams end at once).
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `router` on `listener` until `shutdown` becomes true, then drains.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    connections: Arc<StreamCounter>,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
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
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _place = place;
            if let Err(e) = conn.await {
                tracing::debug!("connection from {addr}: {e}");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some connections did not finish within {DRAIN_TIMEOUT:?}");
    }
    Ok(())
}
