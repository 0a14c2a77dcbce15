//! Draws a [`TrayModel`] into the OS tray, touching only what changed.

use svetofor_desktop_model::tray::{self, MenuEntry, TrayModel};
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Runtime};

/// The tray icon's id.
pub const TRAY_ID: &str = "svetofor";

/// PNG bytes of a tray icon, built into the binary.
pub fn icon_bytes(icon: tray::TrayIcon) -> &'static [u8] {
    match icon.file_stem() {
        "tray-green" => include_bytes!("../../icons/tray-green.png"),
        "tray-green-offline" => include_bytes!("../../icons/tray-green-offline.png"),
        "tray-yellow" => include_bytes!("../../icons/tray-yellow.png"),
        "tray-yellow-offline" => include_bytes!("../../icons/tray-yellow-offline.png"),
        "tray-red" => include_bytes!("../../icons/tray-red.png"),
        "tray-red-offline" => include_bytes!("../../icons/tray-red-offline.png"),
        _ => include_bytes!("../../icons/tray-grey.png"),
    }
}

/// Menus show `&` as a mnemonic marker; `&&` is a literal ampersand.
fn menu_text(label: &str) -> String {
    label.replace('&', "&&")
}

fn build_menu<R: Runtime>(app: &AppHandle<R>, model: &TrayModel) -> tauri::Result<Menu<R>> {
    let menu = Menu::new(app)?;
    for entry in &model.menu {
        match entry {
            MenuEntry::Line { id, label } => menu.append(&MenuItem::with_id(
                app,
                id,
                menu_text(label),
                false,
                None::<&str>,
            )?)?,
            MenuEntry::Item {
                action,
                label,
                enabled,
            } => menu.append(&MenuItem::with_id(
                app,
                action.id(),
                menu_text(label),
                *enabled,
                None::<&str>,
            )?)?,
            MenuEntry::Separator => menu.append(&PredefinedMenuItem::separator(app)?)?,
        }
    }
    Ok(menu)
}

/// Creates the tray with its first model.
pub fn create<R: Runtime>(
    app: &AppHandle<R>,
    model: &TrayModel,
    on_menu: impl Fn(&AppHandle<R>, String) + Send + Sync + 'static,
) -> tauri::Result<TrayIcon<R>> {
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(Image::from_bytes(icon_bytes(model.icon))?)
        .tooltip(&model.tooltip)
        .menu(&build_menu(app, model)?)
        .show_menu_on_left_click(true)
        .on_menu_event(move |app, event| on_menu(app, event.id().as_ref().to_owned()))
        .build(app)
}

/// Redraws what differs between `drawn` and `model`.
pub fn update<R: Runtime>(
    app: &AppHandle<R>,
    drawn: Option<&TrayModel>,
    model: &TrayModel,
) -> tauri::Result<()> {
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return Ok(());
    };
    // Menu first: whoever notices the new icon finds the words for it already there.
    if drawn.map(|d| &d.menu) != Some(&model.menu) {
        tray.set_menu(Some(build_menu(app, model)?))?;
    }
    if drawn.map(|d| d.icon) != Some(model.icon) {
        tracing::info!(icon = model.icon.file_stem(), "tray icon");
        tray.set_icon(Some(Image::from_bytes(icon_bytes(model.icon))?))?;
    }
    if drawn.map(|d| &d.tooltip) != Some(&model.tooltip) {
        tray.set_tooltip(Some(&model.tooltip))?;
    }
    Ok(())
}
