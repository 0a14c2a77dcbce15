//! `svetofor-window`: the Svetofor desktop app's windows (banner, details, settings), started
//! by the resident app (`svetofor`) when a window is needed. It shows what the app sends over
//! stdin, reports what the user did over stdout, and exits with its last window, or when the
//! app closes the line.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod link;
mod windows;

use std::sync::Mutex;

use tauri::RunEvent;
use tracing_subscriber::EnvFilter;

fn main() {
    #[cfg(target_os = "linux")]
    {
        // Set by the app for us; a window process started on its own (development) gets the same.
        svetofor_resident::without_gdk_gl();
        // The windows are the Svetofor app's (WM_CLASS, docks, svetofor.desktop), not a
        // program of their own.
        glib::set_prgname(Some("svetofor"));
        glib::set_application_name("Svetofor");
    }
    // stderr goes into the app's log.
    let filter = EnvFilter::try_from_env("SVETOFOR_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .without_time()
        .with_target(false)
        .try_init();
    let result = tauri::Builder::default()
        .manage(link::Link::default())
        .manage(Mutex::new(windows::Shown::default()))
        .invoke_handler(tauri::generate_handler![
            commands::view_state,
            commands::open_details,
            commands::dismiss_banner,
            commands::open_link,
            commands::settings_state,
            commands::save_settings,
            commands::check_feed
        ])
        .setup(|app| {
            link::listen(app.handle().clone());
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match result {
        Ok(app) => app,
        Err(e) => {
            tracing::error!("cannot start: {e}");
            std::process::exit(1);
        }
    };
    app.run(|app, event| match event {
        RunEvent::WindowEvent {
            label,
            event: tauri::WindowEvent::CloseRequested { .. },
            ..
        } => windows::closing(app, &label),
        RunEvent::WindowEvent {
            label,
            event: tauri::WindowEvent::Destroyed,
            ..
        } => windows::destroyed(app, &label),
        // The last window closed: end, unless another is being made in its place.
        RunEvent::ExitRequested {
            code: None, api, ..
        } => {
            use tauri::Manager;
            if !app.webview_windows().is_empty() {
                api.prevent_exit();
            }
        }
        _ => {}
    });
}
