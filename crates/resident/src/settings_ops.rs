//! The settings window's three requests, answered here (the window process only forwards
//! them): what to show, saving the form, and checking a feed.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use svetofor_client::config::{self, Config, Key};
use svetofor_client::feed_check::{self, CheckError};
use svetofor_client::view::ComponentChoice;
use svetofor_client::{Fetcher, FetcherOptions};
use svetofor_desktop_model::i18n::{Arg, Catalog};
use svetofor_desktop_model::settings::{self, SettingsForm, SettingsState};
use svetofor_desktop_model::settings_text::{self, CheckReport};

use crate::setup::RunSettings;

/// The settings window's content: the values in effect for this run, what is locked and why,
/// and the parts of the product to choose from.
pub fn state(
    rs: &RunSettings,
    cat: &Catalog,
    feed_components: &[ComponentChoice],
) -> SettingsState {
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
    let (form, _) = settings::form_of(&shown);
    let components = settings::component_choices(feed_components, &form.components);
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
    state: Option<Box<SettingsState>>,
}

impl SaveReply {
    /// A successful save, with the settings now in effect.
    pub fn saved(state: SettingsState) -> SaveReply {
        SaveReply {
            saved: true,
            errors: vec![],
            state: Some(Box::new(state)),
        }
    }

    /// A save that failed inside the app, not in the form.
    pub fn internal(cat: &Catalog, message: String) -> SaveReply {
        let e = settings::FieldError::internal(message);
        SaveReply {
            saved: false,
            errors: vec![ShownError {
                field: e.field.clone(),
                index: e.index,
                text: settings_text::error_text(cat, &e),
            }],
            state: None,
        }
    }
}

/// What a save needs from the run, taken out so the file work runs off the controller.
pub struct SaveJob {
    user_file: Option<PathBuf>,
    policy: PathBuf,
    also_locked: Vec<Key>,
    frozen: bool,
}

impl SaveJob {
    /// The save of a form in this run.
    pub fn of(rs: &RunSettings) -> SaveJob {
        SaveJob {
            user_file: rs.user_file.clone(),
            policy: rs.policy_file.clone(),
            also_locked: rs.command_line.as_config().keys(),
            frozen: rs.problem.as_ref().is_some_and(|p| p.blocks_saving()),
        }
    }

    /// Checks and writes the form (blocking file work): the configuration now in effect, or
    /// the refusal worded for the window.
    pub fn run(self, form: &SettingsForm, cat: &Catalog) -> Result<Config, SaveReply> {
        if self.frozen {
            // The fix is the administrator's: say so, and mark no field of the user's.
            return Err(SaveReply {
                saved: false,
                errors: vec![ShownError {
                    field: String::new(),
                    index: None,
                    text: cat.t("page-settings-policy-broken"),
                }],
                state: None,
            });
        }
        let result = match &self.user_file {
            Some(file) => settings::save(file, Some(&self.policy), form, &self.also_locked),
            None => Err(vec![settings::FieldError::internal(
                "this system has no folder for user settings".into(),
            )]),
        };
        result.map_err(|errors| {
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
                        text: settings_text::error_text(cat, e),
                    })
                    .collect(),
                state: None,
            }
        })
    }
}

/// The Check button: the same verification as `svetoforctl check`, against the keys in the
/// form and over this computer's network settings (proxy, CA, token), said in words.
pub async fn check(
    url: String,
    public_keys: Vec<String>,
    config: Result<Config, String>,
    cat: Arc<Catalog>,
) -> CheckReport {
    let tz = *chrono::Local::now().offset();
    let url = url.trim().to_owned();
    if let Err(e) = svetofor_client::fetch::web_url(&url) {
        return settings_text::check_report(&cat, &Err(CheckError::Unreadable(e.into())), tz);
    }
    let keys = match settings::trusted_keys(&public_keys) {
        Ok(k) => k,
        Err(e) => return settings_text::check_bad_key(&cat, &e),
    };
    let options = match &config {
        Ok(c) => FetcherOptions::from_config(c).unwrap_or_else(|e| {
            tracing::warn!("check: {e}; checking without it");
            FetcherOptions::default()
        }),
        Err(_) => FetcherOptions::default(),
    };
    let result = match Fetcher::new(options) {
        Ok(fetcher) => feed_check::check(&url, &keys, &fetcher).await,
        Err(e) => Err(CheckError::Unreadable(e.into())),
    };
    match &result {
        Ok(_) => tracing::info!(%url, "check: usable"),
        Err(e) => tracing::info!(%url, "check: {e}"),
    }
    settings_text::check_report(&cat, &result, tz)
}
