//! The Svetofor desktop app: a tray light, a banner, a details window and notifications
//! over the client engine. Logic lives in `svetofor-client`; this crate draws.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod app;
mod args;
mod autostart;
mod commands;
mod logging;
mod network;
mod notify;
mod state;
mod tray_ui;
mod windows;

use chrono::Utc;
use clap::Parser;
use tauri::{Manager, RunEvent};

use crate::args::Args;
use crate::state::AppState;

/// GTK on X11 sets up OpenGL at start to choose its visuals, which maps the whole GL driver
/// into the process (with Mesa's software renderer that is LLVM, about 25 MB of PSS), and
/// WebKit's processes inherit the setting. A tray icon and two small pages need none of it:
/// measured with `desktop_idle`, tray-only PSS fell from 89.5 to 64.9 MB and the banner's web
/// process from 143.6 to 89.6 MB, with the banner drawn the same. A user's own GDK_GL wins.
#[cfg(target_os = "linux")]
fn without_gdk_gl() {
    if std::env::var_os("GDK_GL").is_none() {
        // SAFETY: this runs first in main, before any thread exists, so nothing can read the
        // environment while it changes.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("GDK_GL", "disable")
        };
    }
}

fn main() {
    #[cfg(target_os = "linux")]
    without_gdk_gl();
    let args = Args::parse();
    let _log = logging::init();
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "starting");
    let app::Setup { lang, settings } = app::setup(&args);
    // A run with --feed is a one-off (the README's demo, tests): it leaves login alone.
    let autostart = (!settings.feeds_override())
        .then(|| settings.config.as_ref().map_or(true, |c| c.autostart));
    if let Err(e) = &settings.config {
        tracing::error!("{e}");
    }
    tracing::info!(%lang, "language");
    let open = args.open;
    let builder = tauri::Builder::default();
    #[cfg(any(windows, target_os = "macos"))]
    let builder = builder.plugin(tauri_plugin_autostart::init(
        tauri_plugin_autostart::MacosLauncher::LaunchAgent,
        None,
    ));
    let result = builder
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            let open = Args::try_parse_from(&argv).ok().and_then(|a| a.open);
            tracing::info!("second start: {argv:?}");
            app::open_requested(app, open);
        }))
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .manage(AppState::new(lang, settings))
        .invoke_handler(tauri::generate_handler![
            commands::view_state,
            commands::open_details,
            commands::dismiss_banner,
            commands::open_link,
            commands::settings_state,
            commands::save_settings,
            commands::check_feed
        ])
        .setup(move |app| {
            let handle = app.handle().clone();
            let model = app.state::<AppState>().with(|s, cat| {
                let m =
                    svetofor_desktop_model::tray::model(&s.view, &s.tray_context(cat, Utc::now()));
                s.drawn_tray = Some(m.clone());
                m
            });
            // Tray hosts list the item by the application's name (GLib's default is the
            // lower-case program name).
            #[cfg(target_os = "linux")]
            glib::set_application_name(&model.title);
            tray_ui::create(&handle, &model, app::on_menu)?;
            if let Some(enabled) = autostart {
                autostart::apply(&handle, enabled);
            }
            app::start(&handle);
            if open.is_some() {
                app::open_requested(&handle, open);
            }
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match result {
        Ok(app) => app,
        Err(e) => {
            tracing::error!("cannot start: {e}");
            eprintln!("svetofor: cannot start: {e}");
            std::process::exit(1);
        }
    };
    app.run(|app, event| match event {
        // Tray-only: closing the last window does not quit; only Quit does.
        RunEvent::ExitRequested {
            code: None, api, ..
        } => api.prevent_exit(),
        RunEvent::WindowEvent {
            label,
            event: tauri::WindowEvent::Destroyed,
            ..
        } if label == windows::BANNER => {
            app.state::<AppState>().with(|s, _| s.banner.closed());
            app::refresh_tray(app);
        }
        _ => {}
    });
}
