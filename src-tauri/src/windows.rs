//! The app's windows: banner, details, settings. Each is created when needed and destroyed
//! when closed, so an idle app holds no webview.

use svetofor_desktop_model::banner::BannerModel;
use svetofor_desktop_model::i18n::Arg;

use crate::state::AppState;
use tauri::{AppHandle, Emitter, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

/// Labels (capabilities grant commands per label).
pub const BANNER: &str = "banner";
/// The details window.
pub const DETAILS: &str = "details";
/// The settings window.
pub const SETTINGS: &str = "settings";

use svetofor_desktop_model::layout::{self, BANNER_HEIGHT, Rect};

/// Opens the banner across the top of the primary screen, without taking focus, or
/// refreshes it when open.
pub fn show_banner<R: Runtime>(app: &AppHandle<R>, model: &BannerModel) {
    // The window title says it too: screen readers and window lists read it.
    let title = app.state::<AppState>().cat().tr(
        "window-banner",
        &[
            ("word", Arg::from(&model.word)),
            ("title", Arg::from(&model.title)),
        ],
    );
    if let Some(w) = app.get_webview_window(BANNER) {
        let _ = w.set_title(&title);
        let _ = w.emit_to(BANNER, "banner", model);
        return;
    }
    let Rect { x, y, width, .. } = screen(app);
    let built = WebviewWindowBuilder::new(app, BANNER, WebviewUrl::App("banner.html".into()))
        .title(&title)
        .decorations(false)
        .always_on_top(true)
        .visible_on_all_workspaces(true)
        .skip_taskbar(true)
        // GTK sizes a non-resizable window to its content's natural size (200 px high for a
        // webview); undecorated, it has no edges to drag anyway.
        .resizable(true)
        .shadow(false)
        .focused(false)
        .position(x, y)
        .inner_size(width, BANNER_HEIGHT)
        .build();
    if let Err(e) = built {
        tracing::error!("cannot open the banner: {e}");
    }
}

/// The primary screen in logical pixels.
fn screen<R: Runtime>(app: &AppHandle<R>) -> Rect {
    match app.primary_monitor() {
        Ok(Some(m)) => {
            let scale = m.scale_factor();
            let pos = m.position().to_logical::<f64>(scale);
            let size = m.size().to_logical::<f64>(scale);
            Rect {
                x: pos.x,
                y: pos.y,
                width: size.width,
                height: size.height,
            }
        }
        _ => Rect {
            x: 0.0,
            y: 0.0,
            width: 1024.0,
            height: 768.0,
        },
    }
}

/// Closes the banner (destroys it: a hidden webview would keep its memory).
pub fn close_banner<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window(BANNER)
        && let Err(e) = w.destroy()
    {
        tracing::warn!("cannot close the banner: {e}");
    }
}

fn open_normal<R: Runtime>(
    app: &AppHandle<R>,
    label: &str,
    page: &str,
    title_key: &str,
    size: (f64, f64),
) {
    if let Some(w) = app.get_webview_window(label) {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
        return;
    }
    let title = app.state::<AppState>().cat().t(title_key);
    // Below where the banner strip is (or may appear), so the title bar stays reachable.
    let at = layout::below_banner(screen(app), size);
    let built = WebviewWindowBuilder::new(app, label, WebviewUrl::App(page.into()))
        .title(title)
        .inner_size(at.width, at.height)
        .min_inner_size(360.0, 240.0)
        .position(at.x, at.y)
        .build();
    if let Err(e) = built {
        tracing::error!("cannot open the {label} window: {e}");
    }
}

/// Opens (or raises) the details window.
pub fn open_details<R: Runtime>(app: &AppHandle<R>) {
    open_normal(
        app,
        DETAILS,
        "details.html",
        "window-details",
        (760.0, 640.0),
    );
}

/// Opens (or raises) the settings window.
pub fn open_settings<R: Runtime>(app: &AppHandle<R>) {
    open_normal(
        app,
        SETTINGS,
        "settings.html",
        "window-settings",
        (640.0, 720.0),
    );
}

/// Gives the open windows their titles in the UI language now.
pub fn retitle<R: Runtime>(app: &AppHandle<R>) {
    let cat = app.state::<AppState>().cat();
    for (label, key) in [(DETAILS, "window-details"), (SETTINGS, "window-settings")] {
        if let Some(w) = app.get_webview_window(label) {
            let _ = w.set_title(&cat.t(key));
        }
    }
}
