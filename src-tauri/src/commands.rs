//! What the pages may ask. Capabilities grant each command to the windows that need it
//! (src-tauri/capabilities). Reads answer from what the app last sent; everything else is a
//! request to the app, which checks it and answers.

use serde::Serialize;
use serde_json::{Value, json};
use svetofor_desktop_model::settings::SettingsForm;
use svetofor_desktop_model::window_protocol::{Up, WindowKind};
use tauri::{AppHandle, Manager, State, WebviewWindow};

use crate::link::Link;
use crate::windows;

/// The one error a command returns: text for the page, in the UI language when the app
/// worded it.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct CommandError(String);

impl From<String> for CommandError {
    fn from(text: String) -> Self {
        CommandError(text)
    }
}

/// The data for the calling window (the banner or details model) and its words.
#[tauri::command]
pub fn view_state(window: WebviewWindow) -> Value {
    windows::with(window.app_handle(), |s| {
        let mut v = match WindowKind::from_label(window.label()) {
            Some(WindowKind::Banner) => json!({ "banner": s.banner }),
            Some(WindowKind::Details) => json!({ "details": s.details, "focus": s.focus }),
            _ => json!({}),
        };
        v["lang"] = json!(s.lang);
        v["strings"] = s.strings.clone();
        v
    })
}

/// The settings window's content, as the app last sent it.
#[tauri::command]
pub fn settings_state(app: AppHandle) -> Value {
    windows::with(&app, |s| s.settings.clone().unwrap_or(Value::Null))
}

/// Opens the details window.
#[tauri::command]
pub fn open_details(link: State<'_, Link>) {
    link.send(&Up::OpenDetails);
}

/// The banner's Dismiss button.
#[tauri::command]
pub fn dismiss_banner(link: State<'_, Link>) {
    link.send(&Up::Dismiss);
}

/// Opens a notice's link in the OS browser (the app opens only links the feed gave).
#[tauri::command]
pub async fn open_link(link: State<'_, Link>, url: String) -> Result<(), CommandError> {
    link.ask(|id| Up::OpenLink { id, url }).await?;
    Ok(())
}

/// Saves the settings window's form; the app checks it and puts it into effect.
#[tauri::command]
pub async fn save_settings(
    link: State<'_, Link>,
    form: SettingsForm,
) -> Result<Value, CommandError> {
    Ok(link.ask(|id| Up::SaveSettings { id, form }).await?)
}

/// The Check button: the app verifies the feed with the keys typed.
#[tauri::command]
pub async fn check_feed(
    link: State<'_, Link>,
    url: String,
    public_keys: Vec<String>,
) -> Result<Value, CommandError> {
    Ok(link
        .ask(|id| Up::CheckFeed {
            id,
            url,
            public_keys,
        })
        .await?)
}
