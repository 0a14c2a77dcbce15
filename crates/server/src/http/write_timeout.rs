//! A connection that makes no progress writing for a while is closed: a subscriber that
//! stopped reading (a frozen laptop, a hostile client) must not hold its buffers forever.
//! Its client reconnects and loses nothing, since every event is a whole snapshot.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// Longest a write may wait without a single byte going out.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// `inner`, whose writes fail with `TimedOut` after `limit` without progress.
pub struct WriteTimeout<T> {
    inner: T,
    limit: Duration,
    /// Set while a write is waiting; cleared by any progress.
    stuck_since: Option<Pin<Box<Sleep>>>,
}

impl<T> WriteTimeout<T> {
    pub fn new(inner: T, limit: Duration) -> Self {
        WriteTimeout {
            inner,
            limit,
            stuck_since: None,
        }
    }

    /// What a pending write means: still waiting, or waited too long.
    fn waiting<R>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<R>> {
        let limit = self.limit;
        let timer = self
            .stuck_since
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(Instant::now() + limit)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no progress writing for {limit:?}: the peer stopped reading"),
            ))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn progress<R>(&mut self, r: Poll<io::Result<R>>, cx: &mut Context<'_>) -> Poll<io::Result<R>> {
        match r {
            Poll::Pending => self.waiting(cx),
            ready => {
                self.stuck_since = None;
                ready
            }
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for WriteTimeout<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WriteTimeout<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        let r = Pin::new(&mut me.inner).poll_write(cx, buf);
        me.progress(r, cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        let r = Pin::new(&mut me.inner).poll_write_vectored(cx, bufs);
        me.progress(r, cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        let r = Pin::new(&mut me.inner).poll_flush(cx);
        me.progress(r, cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn a_peer_that_stops_reading_is_cut_off_one_that_reads_is_not() {
        let (ours, _theirs) = tokio::io::duplex(1024);
        let mut w = WriteTimeout::new(ours, Duration::from_millis(200));
        // Fits the pipe: no waiting.
        w.write_all(&[1; 1000]).await.unwrap();
        // The peer reads nothing: the next writes wait, then fail.
        let err = w.write_all(&[2; 4096]).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);

        let (ours, mut theirs2) = tokio::io::duplex(1024);
        let mut w = WriteTimeout::new(ours, Duration::from_millis(200));
        let reader = tokio::spawn(async move {
            let mut sink = vec![0; 1 << 20];
            let mut got = 0;
            while got < 64 * 1024 {
                tokio::time::sleep(Duration::from_millis(20)).await;
                got += tokio::io::AsyncReadExt::read(&mut theirs2, &mut sink)
                    .await
                    .unwrap();
            }
        });
        // A slow reader that keeps reading: 64 KiB through a 1 KiB pipe, far longer than
        // the limit in all, never stuck for long.
        w.write_all(&vec![3; 64 * 1024]).await.unwrap();
        reader.await.unwrap();
    }
}
