//! Logs to a daily-rotated file in the OS log folder (and to stderr when it is a terminal).

use std::path::PathBuf;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::prelude::*;

/// Log files kept.
const KEEP_FILES: usize = 7;

/// Lines waiting for the log file; more are dropped (and counted) rather than waited for.
const QUEUED_LINES: usize = 4096;

/// Where logs go: `$XDG_STATE_HOME/svetofor/logs` on Linux, `~/Library/Logs/Svetofor` on
/// macOS, `%LOCALAPPDATA%\Svetofor\logs` on Windows.
pub fn log_dir() -> Option<PathBuf> {
    if cfg!(target_os = "macos") {
        return dirs::home_dir().map(|h| h.join("Library/Logs/Svetofor"));
    }
    if cfg!(windows) {
        return dirs::data_local_dir().map(|d| d.join("Svetofor").join("logs"));
    }
    dirs::state_dir()
        .or_else(dirs::data_local_dir)
        .map(|d| d.join("svetofor").join("logs"))
}

/// Starts logging; keep the guard for the life of the app, it flushes on drop.
pub fn init() -> Option<WorkerGuard> {
    let filter = EnvFilter::try_from_env("SVETOFOR_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false);
    let file = log_dir().and_then(|dir| {
        std::fs::create_dir_all(&dir).ok()?;
        Builder::new()
            .rotation(Rotation::DAILY)
            .filename_prefix("svetofor")
            .filename_suffix("log")
            .max_log_files(KEEP_FILES)
            .build(&dir)
            .ok()
    });
    match file {
        Some(appender) => {
            // The default queue holds 128 000 lines and is allocated and touched in full at
            // start (4 MB of the tray app's memory); the app logs a few lines a minute.
            let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
                .buffered_lines_limit(QUEUED_LINES)
                .finish(appender);
            let file_layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer);
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .with(file_layer)
                .try_init();
            Some(guard)
        }
        None => {
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .try_init();
            None
        }
    }
}
