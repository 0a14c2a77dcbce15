//! Start at login, as the `autostart` setting (default on, lockable by policy) says.
//! Linux and the BSDs: the XDG autostart entry (rules in `svetofor_desktop_model::autostart`).
//! Windows and macOS: the `auto-launch` crate (registry Run key, LaunchAgent), as
//! tauri-plugin-autostart used it.

#[cfg(all(unix, not(target_os = "macos")))]
fn system_dirs() -> Vec<std::path::PathBuf> {
    let dirs = std::env::var("XDG_CONFIG_DIRS").unwrap_or_default();
    let list: Vec<_> = std::env::split_paths(&dirs)
        .filter(|p| p.is_absolute())
        .collect();
    if list.is_empty() {
        vec!["/etc/xdg".into()]
    } else {
        list
    }
}

/// Makes the OS start the app at login, or not.
#[cfg(all(unix, not(target_os = "macos")))]
pub fn apply(enabled: bool) {
    use svetofor_desktop_model::autostart::{ENTRY, XdgAction, plan};
    let Some(user_dir) = dirs::config_dir().map(|d| d.join("autostart")) else {
        return;
    };
    let system_entry = system_dirs()
        .iter()
        .any(|d| d.join("autostart").join(ENTRY).is_file());
    let path = user_dir.join(ENTRY);
    let current = std::fs::read_to_string(&path).ok();
    let exe = match std::env::current_exe() {
        Ok(p) => p.display().to_string(),
        Err(e) => {
            tracing::warn!("autostart: cannot tell where the app is: {e}");
            return;
        }
    };
    let result = match plan(enabled, system_entry, current.as_deref(), &exe) {
        XdgAction::Write(content) => std::fs::create_dir_all(&user_dir).and_then(|_| {
            svetofor_atomic::write_atomic(&path, content.as_bytes(), svetofor_atomic::Mode::Public)
        }),
        XdgAction::Remove => std::fs::remove_file(&path),
        XdgAction::Nothing => Ok(()),
    };
    match result {
        Ok(()) => tracing::info!(enabled, system_entry, "start at login"),
        Err(e) => tracing::warn!("autostart: {}: {e}", path.display()),
    }
}

/// Makes the OS start the app at login, or not.
#[cfg(not(all(unix, not(target_os = "macos"))))]
pub fn apply(enabled: bool) {
    let exe = match std::env::current_exe() {
        Ok(p) => p.display().to_string(),
        Err(e) => {
            tracing::warn!("autostart: cannot tell where the app is: {e}");
            return;
        }
    };
    let mut builder = auto_launch::AutoLaunchBuilder::new();
    builder.set_app_name("Svetofor").set_app_path(&exe);
    #[cfg(target_os = "macos")]
    builder.set_use_launch_agent(true);
    let result = builder.build().and_then(|launch| {
        if enabled {
            launch.enable()
        } else {
            launch.disable()
        }
    });
    match result {
        Ok(()) => tracing::info!(enabled, "start at login"),
        Err(e) => tracing::warn!("autostart: {e}"),
    }
}
