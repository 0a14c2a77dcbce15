//! Builds the Tauri context and declares the app's own commands so capabilities can grant
//! them per window. `tauri-build` reads `tauri.conf.json` from this folder only: the file
//! here is a link to the root one, so paths inside it are relative to `src-tauri/`.

fn main() {
    let attrs =
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&[
            "view_state",
            "open_details",
            "dismiss_banner",
            "open_link",
            "settings_state",
            "save_settings",
            "check_feed",
        ]));
    if let Err(e) = tauri_build::try_build(attrs) {
        panic!("tauri build: {e:#}");
    }
}
