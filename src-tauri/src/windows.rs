//! The windows: banner, details, settings. Each is created when the app asks and destroyed
//! when closed; the process ends with its last window. What a page shows is what the app
//! last sent, kept in [`Shown`].

use std::collections::BTreeSet;
use std::sync::Mutex;

use serde_json::Value;
use svetofor_desktop_model::layout::{self, BANNER_HEIGHT, Rect};
use svetofor_desktop_model::window_protocol::{Down, Up, WindowKind};
use tauri::{AppHandle, Emitter, Manager, WebviewUrl, WebviewWindowBuilder};

use crate::link::Link;

/// What the app sent for the pages, and which windows are on their way out.
#[derive(Default)]
pub struct Shown {
    pub lang: String,
    pub strings: Value,
    details_title: String,
    settings_title: String,
    banner_title: String,
    pub banner: Option<Value>,
    pub details: Option<Value>,
    pub focus: Option<String>,
    pub settings: Option<Value>,
    /// Windows being destroyed (a window cannot be made again under its label until then).
    closing: BTreeSet<WindowKind>,
    /// The banner is being destroyed because the app asked: its `Closed` answers that.
    banner_closed_by_app: bool,
    /// Windows to open again once their old window is gone.
    reopen: BTreeSet<WindowKind>,
}

/// The shown state, locked briefly (never across a window call that may dispatch events).
pub fn with<T>(app: &AppHandle, f: impl FnOnce(&mut Shown) -> T) -> T {
    let state = app.state::<Mutex<Shown>>();
    let mut guard = state.lock().unwrap_or_else(|p| p.into_inner());
    f(&mut guard)
}

/// Carries out a message of the app (on the main thread).
pub fn handle(app: &AppHandle, message: Down) {
    match message {
        Down::Words {
            lang,
            strings,
            details_title,
            settings_title,
        } => {
            with(app, |s| {
                s.lang = lang.clone();
                s.strings = strings;
                s.details_title = details_title.clone();
                s.settings_title = settings_title.clone();
            });
            for (kind, title) in [
                (WindowKind::Details, details_title),
                (WindowKind::Settings, settings_title),
            ] {
                if let Some(w) = app.get_webview_window(kind.label()) {
                    let _ = w.set_title(&title);
                }
            }
            let _ = app.emit("language", lang);
        }
        Down::Banner { title, model } => {
            let closing = with(app, |s| {
                s.banner_title = title;
                s.banner = Some(model);
                s.closing.contains(&WindowKind::Banner)
            });
            if closing {
                with(app, |s| s.reopen.insert(WindowKind::Banner));
            } else {
                open(app, WindowKind::Banner);
            }
        }
        Down::CloseBanner => close_banner(app),
        Down::Details {
            model,
            focus,
            raise,
        } => {
            with(app, |s| {
                s.details = Some(model.clone());
                if raise {
                    s.focus = focus.clone();
                }
            });
            if let Some(w) = app.get_webview_window(WindowKind::Details.label()) {
                let _ = w.emit_to(WindowKind::Details.label(), "details", &model);
                if let Some(id) = focus.filter(|_| raise) {
                    let _ = w.emit_to(WindowKind::Details.label(), "focus", id);
                }
            }
            if raise {
                open(app, WindowKind::Details);
            }
        }
        Down::Settings { state, raise } => {
            with(app, |s| s.settings = Some(state));
            if raise {
                open(app, WindowKind::Settings);
            }
        }
        // Answers are taken on the reading thread.
        Down::Reply { .. } => {}
    }
}

/// The app asked to close the banner: exactly one `Closed` answers it.
fn close_banner(app: &AppHandle) {
    let window = app.get_webview_window(WindowKind::Banner.label());
    let answer_now = with(app, |s| {
        if s.reopen.remove(&WindowKind::Banner) {
            // Only a banner waiting to be made again: it never will be.
            return true;
        }
        if window.is_none() {
            return true;
        }
        // Destroyed (now, or already on its way because the user closed it): the `Closed`
        // sent then is the answer.
        s.banner_closed_by_app = true;
        s.closing.insert(WindowKind::Banner);
        false
    });
    if answer_now {
        app.state::<Link>().send(&Up::Closed {
            window: WindowKind::Banner,
        });
    } else if let Some(w) = window
        && let Err(e) = w.destroy()
    {
        tracing::warn!("cannot close the banner: {e}");
    }
}

/// A window is closing (the user or the window manager asked).
pub fn closing(app: &AppHandle, label: &str) {
    if let Some(kind) = WindowKind::from_label(label) {
        with(app, |s| s.closing.insert(kind));
    }
}

/// A window is gone: the app hears it, unless the window opens again at once; a window asked
/// for while the old one went away is made now.
pub fn destroyed(app: &AppHandle, label: &str) {
    let Some(kind) = WindowKind::from_label(label) else {
        return;
    };
    let (tell, again) = with(app, |s| {
        s.closing.remove(&kind);
        let again = s.reopen.remove(&kind);
        let by_app = kind == WindowKind::Banner && std::mem::take(&mut s.banner_closed_by_app);
        (by_app || !again, again)
    });
    if tell {
        app.state::<Link>().send(&Up::Closed { window: kind });
    }
    if again {
        open(app, kind);
    }
}

/// Opens a window, or brings the open one up to date.
fn open(app: &AppHandle, kind: WindowKind) {
    if with(app, |s| s.closing.contains(&kind)) {
        with(app, |s| s.reopen.insert(kind));
        return;
    }
    if let Some(w) = app.get_webview_window(kind.label()) {
        match kind {
            WindowKind::Banner => {
                let (title, model) = with(app, |s| (s.banner_title.clone(), s.banner.clone()));
                let _ = w.set_title(&title);
                let _ = w.emit_to(kind.label(), "banner", model);
            }
            _ => {
                let _ = w.unminimize();
                let _ = w.show();
                let _ = w.set_focus();
            }
        }
        return;
    }
    let built = match kind {
        WindowKind::Banner => build_banner(app),
        WindowKind::Details => build_normal(app, kind, "details.html", (760.0, 640.0)),
        WindowKind::Settings => build_normal(app, kind, "settings.html", (640.0, 720.0)),
    };
    if let Err(e) = built {
        tracing::error!("cannot open the {} window: {e}", kind.label());
        app.state::<Link>().send(&Up::Closed { window: kind });
    }
}

/// The banner across the top of the primary screen, without taking focus.
fn build_banner(app: &AppHandle) -> tauri::Result<()> {
    let title = with(app, |s| s.banner_title.clone());
    let Rect { x, y, width, .. } = screen(app);
    WebviewWindowBuilder::new(
        app,
        WindowKind::Banner.label(),
        WebviewUrl::App("banner.html".into()),
    )
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
    .build()
    .map(|_| ())
}

fn build_normal(
    app: &AppHandle,
    kind: WindowKind,
    page: &str,
    size: (f64, f64),
) -> tauri::Result<()> {
    let title = with(app, |s| match kind {
        WindowKind::Settings => s.settings_title.clone(),
        _ => s.details_title.clone(),
    });
    // Below where the banner strip is (or may appear), so the title bar stays reachable.
    let at = layout::below_banner(screen(app), size);
    WebviewWindowBuilder::new(app, kind.label(), WebviewUrl::App(page.into()))
        .title(title)
        .inner_size(at.width, at.height)
        .min_inner_size(360.0, 240.0)
        .position(at.x, at.y)
        .build()
        .map(|_| ())
}

/// The primary screen in logical pixels.
fn screen(app: &AppHandle) -> Rect {
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
