//! What the pages may ask of the app. Capabilities grant each command to the windows that
//! need it (src-tauri/capabilities).

use chrono::Utc;
use serde::Serialize;
use serde_json::{Value, json};
use svetofor_client::config;
use svetofor_client::feed_check::{self, CheckError};
use svetofor_client::{Fetcher, FetcherOptions};
use svetofor_desktop_model::details;
use svetofor_desktop_model::i18n::Arg;
use svetofor_desktop_model::settings::{self, SettingsForm, SettingsState};
use svetofor_desktop_model::settings_text::{self, CheckReport};
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
                "details": details::model(cat, &s.view, Utc::now(), local_tz())
                    .with_problem(cat, s.problem.as_ref()),
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
    let web = svetofor_feed::is_web_url(&url);
    let cat = app.state::<AppState>().cat();
    let failed = || cat.tr("page-link-failed", &[("url", Arg::from(url.as_str()))]);
    if !known || !web {
        tracing::warn!(%url, "refused to open a link the feed did not give");
        return Err(failed());
    }
    app.opener()
        .open_url(url.clone(), None::<&str>)
        .map_err(|e| {
            tracing::warn!(%url, "cannot open the browser: {e}");
            failed()
        })
}

/// The settings window's content: the values in effect for this run, what is locked and why,
/// and the parts of the product to choose from.
#[tauri::command]
pub async fn settings_state<R: Runtime>(app: AppHandle<R>) -> SettingsState {
    settings_state_of(&app)
}

fn settings_state_of<R: Runtime>(app: &AppHandle<R>) -> SettingsState {
    let state = app.state::<AppState>();
    let cat = state.cat();
    let (cfg, locks, problem, frozen) = state.settings(|rs| {
        let frozen = rs.problem.as_ref().is_some_and(|p| p.blocks_saving());
        let problem = rs.problem.as_ref().and_then(|p| {
            let detail = Arg::from(p.detail()?);
            Some(if frozen {
                format!("{}\n{}", cat.t("page-settings-policy-broken"), p.detail()?)
            } else {
                cat.tr("settings-problem", &[("detail", detail)])
            })
        });
        let cfg = match &rs.config {
            Ok(c) => c.clone(),
            // The policy cannot say what is locked: show the user's own values, read-only.
            Err(_) => config::load_each(rs.user_file.as_deref(), None).config,
        };
        let command_line = rs.command_line.as_config();
        let locks = settings::locks(&cfg, &command_line);
        let mut shown = cfg;
        // What this run really uses: the command line wins (and is shown read-only).
        if let Err(e) = shown.apply_command_line(command_line) {
            tracing::warn!("settings window: {e}");
        }
        (shown, locks, problem, frozen)
    });
    let (form, _) = settings::form_of(&cfg);
    let components =
        state.with(|s, _| settings::component_choices(&s.view.components, &form.components));
    SettingsState {
        form,
        locks,
        components,
        problem,
        frozen,
    }
}

/// A refused field, worded for the window.
#[derive(Debug, Serialize)]
pub struct ShownError {
    field: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
    text: String,
}

/// What a save did.
#[derive(Debug, Serialize)]
pub struct SaveReply {
    saved: bool,
    errors: Vec<ShownError>,
    /// The settings now in effect, after a save.
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<SettingsState>,
}

/// Validates and saves the settings window's form, then puts it into effect.
#[tauri::command]
pub async fn save_settings<R: Runtime>(app: AppHandle<R>, form: SettingsForm) -> SaveReply {
    let state = app.state::<AppState>();
    let (user_file, policy, also_locked, frozen) = state.settings(|rs| {
        (
            rs.user_file.clone(),
            rs.policy_file.clone(),
            rs.command_line.as_config().keys(),
            rs.problem.as_ref().is_some_and(|p| p.blocks_saving()),
        )
    });
    if frozen {
        // The fix is the administrator's: say so, and mark no field of the user's.
        return SaveReply {
            saved: false,
            errors: vec![ShownError {
                field: String::new(),
                index: None,
                text: state.cat().t("page-settings-policy-broken"),
            }],
            state: None,
        };
    }
    let result = match user_file {
        Some(file) => tauri::async_runtime::spawn_blocking(move || {
            settings::save(&file, Some(&policy), &form, &also_locked)
        })
        .await
        .unwrap_or_else(|e| Err(vec![settings::FieldError::internal(e.to_string())])),
        None => Err(vec![settings::FieldError::internal(
            "this system has no folder for user settings".into(),
        )]),
    };
    match result {
        Ok(cfg) => {
            app::apply_settings(&app, cfg).await;
            SaveReply {
                saved: true,
                errors: vec![],
                state: Some(settings_state_of(&app)),
            }
        }
        Err(errors) => {
            let cat = state.cat();
            for e in &errors {
                tracing::info!(field = %e.field, index = ?e.index, "settings refused: {}", e.message);
            }
            SaveReply {
                saved: false,
                errors: errors
                    .iter()
                    .map(|e| ShownError {
                        field: e.field.clone(),
                        index: e.index,
                        text: settings_text::error_text(&cat, e),
                    })
                    .collect(),
                state: None,
            }
        }
    }
}

/// The Check button: the same verification as `svetoforctl check`, against the keys in the
/// form and over this computer's network settings (proxy, CA, token), said in words.
#[tauri::command]
pub async fn check_feed<R: Runtime>(
    app: AppHandle<R>,
    url: String,
    public_keys: Vec<String>,
) -> CheckReport {
    let state = app.state::<AppState>();
    let cat = state.cat();
    let url = url.trim().to_owned();
    if let Err(e) = svetofor_client::fetch::web_url(&url) {
        return settings_text::check_report(
            &cat,
            &Err(CheckError::Unreadable(e.into())),
            local_tz(),
        );
    }
    let keys = match settings::trusted_keys(&public_keys) {
        Ok(k) => k,
        Err(e) => return settings_text::check_bad_key(&cat, &e),
    };
    let options = state.settings(|rs| match &rs.config {
        Ok(c) => FetcherOptions::from_config(c).unwrap_or_else(|e| {
            tracing::warn!("check: {e}; checking without it");
            FetcherOptions::default()
        }),
        Err(_) => FetcherOptions::default(),
    });
    let result = match Fetcher::new(options) {
        Ok(fetcher) => feed_check::check(&url, &keys, &fetcher).await,
        Err(e) => Err(CheckError::Unreadable(e.into())),
    };
    match &result {
        Ok(_) => tracing::info!(%url, "check: usable"),
        Err(e) => tracing::info!(%url, "check: {e}"),
    }
    settings_text::check_report(&cat, &result, local_tz())
}
