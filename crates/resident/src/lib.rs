//! The resident desktop process (`svetofor`): the engine, the tray, notifications, single
//! instance, start at login and the alert memory, on a tao event loop. It links no web
//! engine: windows are a separate program (`svetofor-window`) started when one is needed
//! (`window_process`), so an app that only shows its light holds no browser in memory.
//!
//! One task owns the state (`controller`); the event loop's thread only draws the tray and
//! passes menu clicks on.

mod args;
mod autostart;
mod controller;
#[cfg(all(unix, not(target_os = "macos")))]
mod dbus_signals;
mod engine_tasks;
mod instance;
mod logging;
mod network;
mod notify;
mod settings_ops;
mod setup;
mod shell;
mod tray_ui;
mod window_process;

use clap::Parser;

use crate::args::Args;
use crate::controller::{Controller, Request};

/// GTK on X11 sets up OpenGL at start to choose its visuals, which maps the whole GL driver
/// into the process (with Mesa's software renderer that is LLVM, about 25 MB of PSS); the
/// window process inherits the setting, and its WebKit processes from it. A tray icon and
/// small pages need none of it (measured with `desktop_idle`). A user's own GDK_GL wins.
/// Call it first in `main`, before any thread exists.
#[cfg(target_os = "linux")]
pub fn without_gdk_gl() {
    if std::env::var_os("GDK_GL").is_none() {
        // SAFETY: this runs first in main, before any thread exists, so nothing can read the
        // environment while it changes.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("GDK_GL", "disable")
        };
    }
}

/// Runs the app; returns only when it cannot start.
pub fn main() -> std::process::ExitCode {
    #[cfg(target_os = "linux")]
    without_gdk_gl();
    let args = Args::parse();
    let log = logging::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        // One worker: the app waits on the network and on the user, and each thread costs memory.
        .worker_threads(1)
        .thread_name("svetofor")
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("svetofor: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let _entered = runtime.enter();
    let listener = match instance::claim(&instance::Request { open: args.open }) {
        Ok(instance::Claim::First(listener)) => Some(listener),
        Ok(instance::Claim::Handed) => {
            tracing::info!("another instance runs: asked it to open {:?}", args.open);
            return std::process::ExitCode::SUCCESS;
        }
        Err(e) => {
            // Better two lights than none: run, and say why the next start may not find us.
            tracing::warn!("cannot tell whether another instance runs: {e}");
            None
        }
    };
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "starting");
    let setup::Setup { lang, settings } = setup::setup(&args);
    // A run with --feed is a one-off (the README's demo, tests): it leaves login alone.
    let autostart = (!settings.feeds_override())
        .then(|| settings.config.as_ref().map_or(true, |c| c.autostart));
    if let Err(e) = &settings.config {
        tracing::error!("{e}");
    }
    tracing::info!(%lang, "language");

    let (requests, inbox) = tokio::sync::mpsc::unbounded_channel::<Request>();
    if let Some(listener) = listener {
        let second = requests.clone();
        listener.serve(move |r| {
            let _ = second.send(Request::Open(r.open));
        });
    }
    if let Some(enabled) = autostart {
        autostart::apply(enabled);
    }
    let event_loop = shell::event_loop();
    let proxy = event_loop.create_proxy();
    let controller = Controller::new(
        lang,
        settings,
        requests.clone(),
        Box::new(move |e| {
            if proxy.send_event(e).is_err() {
                tracing::warn!("the event loop is gone");
            }
        }),
    );
    runtime.spawn(controller.run(inbox));
    if args.open.is_some() {
        let _ = requests.send(Request::Open(args.open));
    }
    shell::run(event_loop, requests, runtime, log)
}
