//! `svetoforctl watch --json` following a server's feed in its own process, as a desktop
//! would: the lines it prints, read on a thread.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A running `watch`; killed when dropped.
pub struct Watch {
    child: Child,
    lines: Receiver<Value>,
    _dir: tempfile::TempDir,
}

impl Watch {
    /// Follows `feed`, trusting the key in `pubkey`, with a cache of its own.
    pub fn start(feed: &str, pubkey: &Path) -> Watch {
        let dir = tempfile::tempdir().expect("watch dir");
        let mut child = Command::new(crate::binary("svetoforctl"))
            .args(["watch", "--feed", feed, "--pubkey"])
            .arg(pubkey)
            .arg("--cache-dir")
            .arg(dir.path().join("cache"))
            .args(["--interval", "1", "--max-backoff", "1", "--json"])
            .env("SVETOFOR_POLICY", dir.path().join("no-policy.toml"))
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("svetoforctl watch starts");
        let out = child.stdout.take().expect("watch stdout");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                let v: Value = serde_json::from_str(&line).expect("every watch line is JSON");
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        Watch {
            child,
            lines,
            _dir: dir,
        }
    }

    /// The first line from now on that `pred` accepts, within `limit`; panics with the lines
    /// seen otherwise.
    pub fn wait(&self, what: &str, limit: Duration, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + limit;
        let mut seen = vec![];
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(v) if pred(&v) => return v,
                Ok(v) => seen.push(v),
                Err(_) => break,
            }
        }
        panic!("watch never showed {what}; it printed: {seen:#?}");
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
