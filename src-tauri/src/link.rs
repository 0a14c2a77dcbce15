//! The line to the resident app: its messages come on stdin, ours go to stdout. The app
//! started this process and is the only one that talks to it; when stdin ends (the app quit
//! or died) this process ends too.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::Value;
use svetofor_desktop_model::window_protocol::{self, Down, MAX_LINE, Up};
use tauri::{AppHandle, Manager};
use tokio::sync::oneshot;

/// How long a page waits for the app's answer (a feed check may take a while).
const ANSWER_WITHIN: Duration = Duration::from_secs(90);

/// Our side of the line.
#[derive(Default)]
pub struct Link {
    out: Mutex<()>,
    next: AtomicU64,
    waiting: Mutex<HashMap<u64, oneshot::Sender<Result<Value, String>>>>,
}

impl Link {
    /// Tells the app something.
    pub fn send(&self, message: &Up) {
        let line = window_protocol::to_line(message);
        let _guard = self.out.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = std::io::stdout().lock();
        if out
            .write_all(line.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            tracing::error!("the app is gone");
        }
    }

    /// Asks the app and waits for its answer.
    pub async fn ask(&self, make: impl FnOnce(u64) -> Up) -> Result<Value, String> {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let (tx, rx) = oneshot::channel();
        self.waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, tx);
        self.send(&make(id));
        let answer = tokio::time::timeout(ANSWER_WITHIN, rx).await;
        self.waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
        match answer {
            Ok(Ok(result)) => result,
            _ => Err("the app did not answer".into()),
        }
    }

    fn answer(&self, id: u64, result: Result<Value, String>) {
        let waiting = self
            .waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
        if let Some(tx) = waiting {
            let _ = tx.send(result);
        }
    }
}

/// Reads the app's messages on a thread of its own and carries each to the main thread.
pub fn listen(app: AppHandle) {
    let spawned = std::thread::Builder::new()
        .name("app-link".into())
        .spawn(move || {
            let stdin = std::io::stdin();
            let mut reader = stdin.lock();
            let mut line = Vec::new();
            loop {
                line.clear();
                let read = std::io::Read::take(&mut reader, MAX_LINE as u64 + 1)
                    .read_until(b'\n', &mut line);
                match read {
                    Ok(0) => break,
                    Ok(_) if line.last() != Some(&b'\n') && line.len() > MAX_LINE => {
                        tracing::error!("a message of more than {MAX_LINE} bytes; ending");
                        break;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::error!("cannot read from the app: {e}");
                        break;
                    }
                }
                match window_protocol::from_line::<Down>(&String::from_utf8_lossy(&line)) {
                    Ok(Down::Reply { id, result }) => app.state::<Link>().answer(id, result),
                    Ok(message) => {
                        let handle = app.clone();
                        let _ = app.run_on_main_thread(move || {
                            crate::windows::handle(&handle, message);
                        });
                    }
                    Err(e) => tracing::warn!("not a message from the app: {e}"),
                }
            }
            tracing::info!("the app closed the line: exiting");
            app.exit(0);
        });
    if let Err(e) = spawned {
        tracing::error!("cannot listen to the app: {e}");
        std::process::exit(1);
    }
}
