//! The least an event-stream server can be, for [`floor`].

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
