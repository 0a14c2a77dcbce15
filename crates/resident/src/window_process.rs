//! The window process (`svetofor-window`, beside this program): started when a window is
//! needed, told what to show over its stdin, heard over its stdout, one JSON line each way
//! (`svetofor_desktop_model::window_protocol`). Its stderr goes into this process's log.
//!
//! Nothing here trusts the child: a line that is not a message is logged and dropped, a line
//! longer than the protocol allows ends the child. Closing its stdin (quitting, or this process
//! dying) makes it exit, so no window process outlives the tray.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use svetofor_desktop_model::window_protocol::{self, Down, MAX_LINE, Up};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

/// What the window process tells the controller.
#[derive(Debug)]
pub enum FromWindows {
    /// A message from the child.
    Message(Up),
    /// The child exited (normally when its last window closed), described for the log.
    Exited {
        /// It exited with success.
        success: bool,
        /// How it ended ("exit status: 0", "signal: 9 (SIGKILL)").
        how: String,
    },
}

/// A running window process.
pub struct WindowProcess {
    down: UnboundedSender<Down>,
}

impl WindowProcess {
    /// Sends a message (lost only if the child is already gone, which the controller hears).
    pub fn send(&self, message: Down) {
        let _ = self.down.send(message);
    }
}

/// The window program: `svetofor-window` in this program's folder (`SVETOFOR_WINDOW_PROGRAM`
/// overrides it, for a development layout).
pub fn program() -> PathBuf {
    if let Some(p) = std::env::var_os("SVETOFOR_WINDOW_PROGRAM") {
        return PathBuf::from(p);
    }
    let name = format!("svetofor-window{}", std::env::consts::EXE_SUFFIX);
    std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|d| d.join(&name)))
        .unwrap_or_else(|| PathBuf::from(name))
}

/// What the window process's web engine is told, each only where the user's environment says
/// nothing of it. The windows are small pages with a few lines of script, so:
/// - no JavaScript JIT: the web process holds 3 MB less and the engine's most attacked part is
///   off;
/// - on X11, no DMA-BUF renderer: without it the window process holds 3.5 MB less (both
///   measured with `desktop_idle`). Wayland keeps it: it was not tried there.
fn web_engine_env(
    get: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Vec<(&'static str, &'static str)> {
    let mut env = vec![];
    if cfg!(target_os = "linux") {
        if get("JSC_useJIT").is_none() {
            env.push(("JSC_useJIT", "false"));
        }
        let x11 = get("WAYLAND_DISPLAY").is_none();
        let told = [
            "WEBKIT_DISABLE_DMABUF_RENDERER",
            "WEBKIT_FORCE_DMABUF_RENDERER",
        ];
        if x11 && told.iter().all(|k| get(k).is_none()) {
            env.push(("WEBKIT_DISABLE_DMABUF_RENDERER", "1"));
        }
    }
    env
}

/// Starts the window process; `report` gets its messages and its end, tagged by `generation`.
pub fn spawn(
    program: &Path,
    generation: u64,
    report: impl Fn(u64, FromWindows) + Send + Sync + Clone + 'static,
) -> std::io::Result<WindowProcess> {
    let mut child = tokio::process::Command::new(program)
        .envs(web_engine_env(|k| std::env::var_os(k)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id();
    tracing::info!(pid, generation, "window process started");
    let (Some(mut stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(std::io::Error::other("the window process has no pipes"));
    };
    let (down, mut queue) = unbounded_channel::<Down>();
    tokio::spawn(async move {
        while let Some(message) = queue.recv().await {
            let line = window_protocol::to_line(&message);
            if stdin.write_all(line.as_bytes()).await.is_err() || stdin.flush().await.is_err() {
                break;
            }
        }
    });
    tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            tracing::info!(target: "svetofor_window", "{line}");
        }
    });
    tokio::spawn(async move {
        let mut reader = BufReader::new(stdout);
        let mut line = Vec::new();
        loop {
            match read_line(&mut reader, &mut line).await {
                Ok(true) => match window_protocol::from_line::<Up>(&String::from_utf8_lossy(&line))
                {
                    Ok(up) => report(generation, FromWindows::Message(up)),
                    Err(e) => tracing::warn!("window process: {e}"),
                },
                Ok(false) => break,
                Err(e) => {
                    tracing::error!("window process: {e}; ending it");
                    let _ = child.start_kill();
                    break;
                }
            }
        }
        let (success, how) = match child.wait().await {
            Ok(status) => (status.success(), status.to_string()),
            Err(e) => (false, e.to_string()),
        };
        report(generation, FromWindows::Exited { success, how });
    });
    Ok(WindowProcess { down })
}

/// Reads one line into `line` (without its newline); `false` at the end of the stream. A line
/// longer than [`MAX_LINE`] is an error, so a broken child cannot make this process buffer
/// without end.
async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
) -> std::io::Result<bool> {
    line.clear();
    loop {
        let buf = reader.fill_buf().await?;
        if buf.is_empty() {
            return Ok(!line.is_empty());
        }
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        line.extend_from_slice(&buf[..take]);
        reader.consume(take);
        if line.len() > MAX_LINE + 1 {
            return Err(std::io::Error::other(format!(
                "a message of more than {MAX_LINE} bytes"
            )));
        }
        if done {
            line.pop();
            return Ok(true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_are_read_whole_and_a_giant_one_is_refused() {
        let data = b"one\ntwo\nthree".to_vec();
        let mut r = BufReader::with_capacity(2, &data[..]);
        let mut line = vec![];
        let mut got = vec![];
        while read_line(&mut r, &mut line).await.expect("read") {
            got.push(String::from_utf8(line.clone()).expect("utf-8"));
        }
        assert_eq!(got, ["one", "two", "three"]);

        let big = vec![b'x'; MAX_LINE + 10];
        let mut r = BufReader::new(&big[..]);
        assert!(read_line(&mut r, &mut line).await.is_err());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_web_engine_is_told_only_what_the_user_left_open() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            web_engine_env(move |k| {
                vars.iter()
                    .find(|(name, _)| *name == k)
                    .map(|(_, v)| v.into())
            })
        };
        assert_eq!(
            env(&[("DISPLAY", ":0")]),
            [
                ("JSC_useJIT", "false"),
                ("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            ]
        );
        assert_eq!(
            env(&[("WAYLAND_DISPLAY", "wayland-0")]),
            [("JSC_useJIT", "false")]
        );
        assert_eq!(
            env(&[
                ("JSC_useJIT", "true"),
                ("WEBKIT_FORCE_DMABUF_RENDERER", "1")
            ]),
            []
        );
    }
}
