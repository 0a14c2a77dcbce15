//! Draws a [`TrayModel`] into the OS tray (tray-icon and muda, the crates Tauri uses), touching
//! only what changed. Runs on the event loop's thread, as GTK and AppKit require.

use svetofor_desktop_model::tray::{self, MenuEntry, TrayModel};
use tray_icon::menu::{Menu, MenuItem, PredefinedMenuItem};
use tray_icon::{Icon, TrayIcon, TrayIconBuilder};

/// Why the tray could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum TrayError {
    /// The tray itself.
    #[error("tray: {0}")]
    Tray(#[from] tray_icon::Error),
    /// A menu entry.
    #[error("tray menu: {0}")]
    Menu(#[from] tray_icon::menu::Error),
    /// An icon built into the binary did not decode (a build mistake).
    #[error("tray icon: {0}")]
    Icon(String),
}

/// PNG bytes of a tray icon, built into the binary.
pub fn icon_bytes(icon: tray::TrayIcon) -> &'static [u8] {
    match icon.file_stem() {
        "tray-green" => include_bytes!("../../../icons/tray-green.png"),
        "tray-green-offline" => include_bytes!("../../../icons/tray-green-offline.png"),
        "tray-yellow" => include_bytes!("../../../icons/tray-yellow.png"),
        "tray-yellow-offline" => include_bytes!("../../../icons/tray-yellow-offline.png"),
        "tray-red" => include_bytes!("../../../icons/tray-red.png"),
        "tray-red-offline" => include_bytes!("../../../icons/tray-red-offline.png"),
        _ => include_bytes!("../../../icons/tray-grey.png"),
    }
}

fn icon(which: tray::TrayIcon) -> Result<Icon, TrayError> {
    let bad = |e: &dyn std::fmt::Display| TrayError::Icon(format!("{}: {e}", which.file_stem()));
    let mut decoder = png::Decoder::new(std::io::Cursor::new(icon_bytes(which)));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(|e| bad(&e))?;
    let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader.next_frame(&mut buf).map_err(|e| bad(&e))?;
    buf.truncate(info.buffer_size());
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        other => return Err(bad(&format!("colour type {other:?}"))),
    };
    Icon::from_rgba(rgba, info.width, info.height).map_err(|e| bad(&e))
}

/// Menus show `&` as a mnemonic marker; `&&` is a literal ampersand.
fn menu_text(label: &str) -> String {
    label.replace('&', "&&")
}

fn build_menu(model: &TrayModel) -> Result<Menu, TrayError> {
    let menu = Menu::new();
    for entry in &model.menu {
        match entry {
            MenuEntry::Line { id, label } => {
                menu.append(&MenuItem::with_id(
                    id.as_str(),
                    menu_text(label),
                    false,
                    None,
                ))?;
            }
            MenuEntry::Item {
                action,
                label,
                enabled,
            } => menu.append(&MenuItem::with_id(
                action.id(),
                menu_text(label),
                *enabled,
                None,
            ))?,
            MenuEntry::Separator => menu.append(&PredefinedMenuItem::separator())?,
        }
    }
    Ok(menu)
}

/// The tray icon with what it shows now.
pub struct Tray {
    icon: TrayIcon,
    drawn: TrayModel,
}

impl Tray {
    /// Creates the tray with its first model.
    pub fn create(model: &TrayModel) -> Result<Tray, TrayError> {
        let icon = TrayIconBuilder::new()
            .with_id("svetofor")
            .with_icon(icon(model.icon)?)
            .with_tooltip(&model.tooltip)
            .with_menu(Box::new(build_menu(model)?))
            .with_menu_on_left_click(true)
            .build()?;
        Ok(Tray {
            icon,
            drawn: model.clone(),
        })
    }

    /// Redraws what differs from what is shown.
    pub fn update(&mut self, model: &TrayModel) -> Result<(), TrayError> {
        // Menu first: whoever notices the new icon finds the words for it already there.
        if self.drawn.menu != model.menu {
            self.icon.set_menu(Some(Box::new(build_menu(model)?)));
        }
        if self.drawn.icon != model.icon {
            tracing::info!(icon = model.icon.file_stem(), "tray icon");
            self.icon.set_icon(Some(icon(model.icon)?))?;
        }
        if self.drawn.tooltip != model.tooltip {
            self.icon.set_tooltip(Some(&model.tooltip))?;
        }
        self.drawn = model.clone();
        Ok(())
    }
}
