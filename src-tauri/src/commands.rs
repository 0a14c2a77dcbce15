//! What the pages may ask of the app. Capabilities grant each command to the windows that
//! need it (src-tauri/capabilities).

use chrono::Utc;
use serde_json::{Value, json};
use svetofor_client::details;
use tauri::Manager;
use tauri::{AppHandle, Runtime, WebviewWindow};
use tauri_plugin_opener::OpenerExt;

use crate::state::{AppState, local_tz};
use crate::{app, windows};

/// The data for the calling window (the banner or details model) and its words.
#[tauri::command]
pub async fn view_state<R: Runtime>(window: WebviewWindow<R>) -> Value {
    let app = window.app_handle();
    let state = app.state::<AppState>();
    state.with(|s, cat| {
        let mut v = match window.label() {
            windows::BANNER => json!({ "banner": s.banner_model }),
            windows::DETAILS => json!({
                "details": details::model(cat, &s.view, Utc::now(), local_tz()),
                "focus": s.focus,
            }),
            _ => json!({}),
        };
        // The page's own words, in the UI language.
        v["lang"] = json!(cat.lang().tag());
        v["strings"] = json!(cat.with_prefix("page-"));
        v
    })
}

/// Opens the details window.
#[tauri::command]
pub async fn open_details<R: Runtime>(app: AppHandle<R>) {
    app::open_details(&app, None);
}

/// The banner's Dismiss button.
#[tauri::command]
pub async fn dismiss_banner<R: Runtime>(app: AppHandle<R>) {
    let cmd = app
        .state::<AppState>()
        .with(|s, _| s.banner.dismiss(&s.view));
    app::apply_banner(&app, cmd);
}

/// Opens a notice's link in the OS browser: only links the feed gave, only http(s).
#[tauri::command]
pub async fn open_link<R: Runtime>(app: AppHandle<R>, url: String) -> Result<(), String> {
    let known = app.state::<AppState>().with(|s, _| {
        s.view
            .notices
            .iter()
            .chain(&s.view.upcoming)
            .chain(&s.view.recent)
            .any(|n| n.url.as_deref() == Some(url.as_str()))
    });
    let web = url.starts_with("https://") || url.starts_with("http://");
    if !known || !web {
        tracing::warn!(%url, "refused to open a link the feed did not give");
        return Err("This link cannot be opened.".into());
    }
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| format!("Cannot open the browser: {e}"))
}
