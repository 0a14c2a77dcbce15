//! What the settings window reads and saves, as plain data: the user's settings with the
//! keys the policy locks, validation by the very code that reads the files, and an atomic
//! save that keeps every key the window does not edit.

use std::path::Path;

use serde::{Deserialize, Serialize};
use svetofor_feed::Severity;

use crate::config::{self, Config};
use crate::fsutil::write_atomic;

/// The keys the window edits, in its order.
pub const FIELDS: &[&str] = &[
    "feeds",
    "public_keys",
    "poll_interval",
    "components",
    "notify_min_severity",
    "language",
    "autostart",
];

/// The values the window shows and sends back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsForm {
    /// Feed URLs: the primary, then mirrors.
    pub feeds: Vec<String>,
    /// Public keys (base64).
    pub public_keys: Vec<String>,
    /// Seconds between polls.
    pub poll_interval: u64,
    /// Components followed (empty: all).
    pub components: Vec<String>,
    /// Least severity that notifies.
    pub notify_min_severity: Severity,
    /// `ru`, `en`, or empty for the OS language.
    pub language: String,
    /// Start at login.
    pub autostart: bool,
}

/// A value the window must refuse, next to its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The key (one of [`FIELDS`]), or empty for the file as a whole.
    pub field: String,
    /// What is wrong, from the configuration reader.
    pub message: String,
}

/// The form for the effective configuration, and the fields the policy locks.
pub fn form_of(cfg: &Config) -> (SettingsForm, Vec<&'static str>) {
    let form = SettingsForm {
        feeds: cfg.feeds.clone(),
        public_keys: cfg
            .public_keys
            .iter()
            .map(|k| k.to_base64().to_owned())
            .collect(),
        poll_interval: cfg.poll_interval.as_secs(),
        components: cfg.components.clone(),
        notify_min_severity: cfg.notify_min_severity,
        language: cfg.language.clone(),
        autostart: cfg.autostart,
    };
    let locked = FIELDS
        .iter()
        .copied()
        .filter(|k| cfg.is_locked(k))
        .collect();
    (form, locked)
}

fn value_of(form: &SettingsForm, key: &str) -> Option<toml::Value> {
    let strings = |v: &[String]| {
        toml::Value::Array(
            v.iter()
                .map(|s| toml::Value::String(s.trim().to_owned()))
                .filter(|s| s.as_str().is_some_and(|s| !s.is_empty()))
                .collect(),
        )
    };
    Some(match key {
        "feeds" => strings(&form.feeds),
        "public_keys" => strings(&form.public_keys),
        "poll_interval" => toml::Value::Integer(i64::try_from(form.poll_interval).ok()?),
        "components" => strings(&form.components),
        "notify_min_severity" => toml::Value::String(form.notify_min_severity.as_str().into()),
        "language" => toml::Value::String(form.language.trim().to_owned()),
        "autostart" => toml::Value::Boolean(form.autostart),
        _ => return None,
    })
}

fn read_table(path: &Path) -> Result<toml::Table, FieldError> {
    match std::fs::read_to_string(path) {
        Ok(text) => text.parse::<toml::Table>().map_err(|e| FieldError {
            field: String::new(),
            message: format!(
                "{} cannot be read ({e}); fix or remove it first",
                path.display()
            ),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(toml::Table::new()),
        Err(e) => Err(FieldError {
            field: String::new(),
            message: format!("{}: {e}", path.display()),
        }),
    }
}

/// A scratch file for checking one key at a time, removed when dropped.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        Scratch(std::env::temp_dir().join(format!(
            "svetofor-settings-check-{}-{nanos}.toml",
            std::process::id()
        )))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Checks one key by reading it alone through the configuration reader.
fn check(key: &str, value: &toml::Value, scratch: &Path) -> Option<FieldError> {
    let mut t = toml::Table::new();
    t.insert(key.to_owned(), value.clone());
    let text = toml::to_string(&t).ok()?;
    if let Err(e) = std::fs::write(scratch, text) {
        return Some(FieldError {
            field: key.to_owned(),
            message: format!("cannot check: {e}"),
        });
    }
    config::load(Some(scratch), None).err().map(|e| FieldError {
        field: e.key.unwrap_or_else(|| key.to_owned()),
        message: e.message,
    })
}

/// Validates `form` and saves its unlocked fields into `user_file`, keeping every other key
/// there. Nothing is written unless every field reads back; then the file is replaced
/// atomically (mode 0600: it may hold a token). Returns the new effective configuration.
pub fn save(
    user_file: &Path,
    policy: Option<&Path>,
    form: &SettingsForm,
) -> Result<Config, Vec<FieldError>> {
    let current = config::load(Some(user_file), policy).ok();
    let mut table = read_table(user_file).map_err(|e| vec![e])?;
    let scratch = Scratch::new();
    let mut errors = vec![];
    for key in FIELDS {
        if current.as_ref().is_some_and(|c| c.is_locked(key)) {
            continue; // the policy decides; the user's file stays silent on it
        }
        let Some(value) = value_of(form, key) else {
            errors.push(FieldError {
                field: (*key).to_owned(),
                message: "out of range".into(),
            });
            continue;
        };
        match check(key, &value, &scratch.0) {
            Some(e) => errors.push(e),
            None => {
                table.insert((*key).to_owned(), value);
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let text = toml::to_string(&table).map_err(|e| {
        vec![FieldError {
            field: String::new(),
            message: e.to_string(),
        }]
    })?;
    if let Some(dir) = user_file.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    write_atomic(user_file, text.as_bytes(), true).map_err(|e| {
        vec![FieldError {
            field: String::new(),
            message: format!("{}: {e}", user_file.display()),
        }]
    })?;
    config::load(Some(user_file), policy).map_err(|e| {
        vec![FieldError {
            field: e.key.clone().unwrap_or_default(),
            message: e.to_string(),
        }]
    })
}
