//! What the settings window reads and saves, as plain data: the user's settings with the
//! keys the policy locks, validation by the very code that reads the files, and an atomic
//! save that keeps every key the window does not edit.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use svetofor_feed::{Severity, TrustedKey};

use crate::i18n::Lang;
use svetofor_atomic::{Mode, write_atomic};
use svetofor_client::config::{self, Config};
use svetofor_client::view::ComponentChoice;

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
    /// Seconds between polls. Anything that is not a whole number reads as 0, which the
    /// check then refuses next to the field.
    #[serde(deserialize_with = "lenient_seconds")]
    pub poll_interval: u64,
    /// Follow only the components in `components` (else all of them).
    #[serde(default)]
    pub components_only: bool,
    /// Components followed, when `components_only`.
    pub components: Vec<String>,
    /// Least severity that notifies.
    pub notify_min_severity: Severity,
    /// `ru`, `en`, or empty for the OS language.
    pub language: String,
    /// Start at login.
    pub autostart: bool,
}

/// A number of seconds as the page sends it: a number, or the text of an input.
fn lenient_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_u64().unwrap_or(0),
        serde_json::Value::String(s) => s.trim().parse().unwrap_or(0),
        _ => 0,
    })
}

/// What is wrong with a value, so the window can say it in the user's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// A feed that is not an http(s) URL.
    NotWebUrl,
    /// A public key that is not a minisign public key.
    NotAKey,
    /// A poll interval out of range or not a number.
    IntervalRange,
    /// A language that is not a language tag.
    NotALanguage,
    /// "Only these components" with none chosen.
    NoComponents,
    /// The settings file itself cannot be read or written.
    File,
    /// Anything else the configuration reader refused.
    Other,
}

impl Problem {
    fn of_key(key: &str) -> Problem {
        match key {
            "feeds" => Problem::NotWebUrl,
            "public_keys" => Problem::NotAKey,
            "poll_interval" => Problem::IntervalRange,
            "language" => Problem::NotALanguage,
            "" => Problem::File,
            _ => Problem::Other,
        }
    }
}

/// A value the window must refuse, next to its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The key (one of [`FIELDS`]), or empty for the file as a whole.
    pub field: String,
    /// For a list (feeds, keys): which entry of the form, counting blank rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// What kind of problem it is.
    pub problem: Problem,
    /// The refused value, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// What is wrong, in the configuration reader's words (English, for logs and admins).
    pub message: String,
}

impl FieldError {
    fn new(field: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.to_owned(),
            index: None,
            problem: Problem::of_key(field),
            value: None,
            message: message.into(),
        }
    }

    fn file(message: impl Into<String>) -> Self {
        FieldError::new("", message)
    }

    /// A failure that is nobody's input: the settings could not be saved at all.
    pub fn internal(message: String) -> Self {
        FieldError::new("", message)
    }
}

/// Why the window shows a field read-only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lock {
    /// The system policy sets it.
    Policy,
    /// The command line set it for this run (`--feed`, `--pubkey`, `--interval`).
    CommandLine,
}

/// The fields the window must not change, and why: the policy's keys, then what the command
/// line replaced for this run.
pub fn locks(cfg: &Config, command_line: &config::CommandLine<'_>) -> BTreeMap<&'static str, Lock> {
    let mut out: BTreeMap<&'static str, Lock> = FIELDS
        .iter()
        .copied()
        .filter(|k| cfg.is_locked(k))
        .map(|k| (k, Lock::Policy))
        .collect();
    for key in command_line_fields(command_line) {
        out.entry(key).or_insert(Lock::CommandLine);
    }
    out
}

/// The fields the command line replaced for this run.
pub fn command_line_fields(command_line: &config::CommandLine<'_>) -> Vec<&'static str> {
    [
        ("feeds", !command_line.feeds.is_empty()),
        ("public_keys", !command_line.pubkeys.is_empty()),
        ("poll_interval", command_line.interval.is_some()),
    ]
    .into_iter()
    .filter_map(|(key, set)| set.then_some(key))
    .collect()
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
        components_only: !cfg.components.is_empty(),
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

/// The form's list entries, trimmed, with their rows; blank rows dropped.
fn entries(v: &[String]) -> Vec<(usize, &str)> {
    v.iter()
        .map(|s| s.trim())
        .enumerate()
        .filter(|(_, s)| !s.is_empty())
        .collect()
}

fn value_of(form: &SettingsForm, key: &str) -> Option<toml_edit::Value> {
    let strings =
        |v: &[String]| toml_edit::Value::Array(entries(v).into_iter().map(|(_, s)| s).collect());
    Some(match key {
        "feeds" => strings(&form.feeds),
        "public_keys" => strings(&form.public_keys),
        "poll_interval" => i64::try_from(form.poll_interval).ok()?.into(),
        "components" if form.components_only => strings(&form.components),
        "components" => toml_edit::Value::Array(toml_edit::Array::new()),
        "notify_min_severity" => form.notify_min_severity.as_str().into(),
        "language" => form.language.trim().into(),
        "autostart" => form.autostart.into(),
        _ => return None,
    })
}

/// Sets `key` to `value`, leaving the line as it was (comments included) when the value is
/// the same, and keeping the comment around it when it is not.
fn set_key(doc: &mut toml_edit::DocumentMut, key: &str, mut value: toml_edit::Value) {
    match doc.get_mut(key) {
        Some(toml_edit::Item::Value(old)) => {
            let mut bare = old.clone();
            bare.decor_mut().clear();
            if bare.to_string() == value.to_string() {
                return;
            }
            *value.decor_mut() = old.decor().clone();
            *old = value;
        }
        _ => doc[key] = toml_edit::Item::Value(value),
    }
}

fn read_doc(path: &Path) -> Result<toml_edit::DocumentMut, FieldError> {
    match std::fs::read_to_string(path) {
        Ok(text) => text.parse::<toml_edit::DocumentMut>().map_err(|e| {
            FieldError::file(format!(
                "{} cannot be read ({}); fix or remove it first",
                path.display(),
                e.message().trim()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Default::default()),
        Err(e) => Err(FieldError::file(format!("{}: {e}", path.display()))),
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
fn check(key: &str, value: &toml_edit::Value, scratch: &Path) -> Option<FieldError> {
    let mut doc = toml_edit::DocumentMut::new();
    doc[key] = toml_edit::Item::Value(value.clone());
    let text = doc.to_string();
    if let Err(e) = write_atomic(scratch, text.as_bytes(), Mode::Private) {
        let mut err = FieldError::new(key, format!("cannot check: {e}"));
        err.problem = Problem::File;
        return Some(err);
    }
    config::load(Some(scratch), None)
        .err()
        .map(|e| FieldError::new(&e.key.unwrap_or_else(|| key.to_owned()), e.message))
}

/// Checks `key`'s value; a list is checked entry by entry, so each error names its row.
fn check_field(form: &SettingsForm, key: &str, scratch: &Path) -> Vec<FieldError> {
    let list = match key {
        "feeds" => Some(&form.feeds),
        "public_keys" => Some(&form.public_keys),
        _ => None,
    };
    if let Some(list) = list {
        return entries(list)
            .into_iter()
            .filter_map(|(row, entry)| {
                let one = toml_edit::Value::Array([entry].into_iter().collect());
                check(key, &one, scratch).map(|mut e| {
                    e.index = Some(row);
                    e.value = Some(entry.to_owned());
                    e
                })
            })
            .collect();
    }
    if key == "components" && form.components_only && entries(&form.components).is_empty() {
        // An empty list means "all": saving it would quietly undo the user's choice.
        let mut err = FieldError::new(key, "choose at least one component, or follow all");
        err.problem = Problem::NoComponents;
        return vec![err];
    }
    match value_of(form, key) {
        Some(value) => check(key, &value, scratch).into_iter().collect(),
        None => vec![FieldError::new(key, "out of range")],
    }
}

/// Whether `key` is locked: by the policy as it is on disk now, or by `also_locked` (the
/// command line).
fn is_locked(policy: Option<&Config>, also_locked: &[&str], key: &str) -> bool {
    also_locked.contains(&key) || policy.is_some_and(|p| p.is_locked(key))
}

/// Validates `form` and saves its fields into `user_file`, keeping every other key there
/// and the comments around them.
/// Fields the policy sets, and those in `also_locked` (what the command line replaced for
/// this run), are neither checked nor written. Nothing is written unless every field reads
/// back; then the file is replaced atomically (mode 0600: it may hold a token). Returns the
/// new effective configuration (files only, without the command line).
pub fn save(
    user_file: &Path,
    policy: Option<&Path>,
    form: &SettingsForm,
    also_locked: &[&str],
) -> Result<Config, Vec<FieldError>> {
    // The policy alone says what is locked, even while the user's file is broken.
    let policy_cfg = config::load(None, policy).map_err(|e| {
        let mut err = FieldError::file(e.to_string());
        err.problem = Problem::Other;
        vec![err]
    })?;
    let mut doc = read_doc(user_file).map_err(|e| vec![e])?;
    let scratch = Scratch::new();
    let mut errors = vec![];
    for key in FIELDS {
        if is_locked(Some(&policy_cfg), also_locked, key) {
            continue; // decided elsewhere; the user's file stays silent on it
        }
        let found = check_field(form, key, &scratch.0);
        if found.is_empty() {
            if let Some(value) = value_of(form, key) {
                set_key(&mut doc, key, value);
            }
        } else {
            errors.extend(found);
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let text = doc.to_string();
    // The whole file must read back before it replaces the old one (a key the window does
    // not edit may be what is wrong).
    write_atomic(&scratch.0, text.as_bytes(), Mode::Private)
        .map_err(|e| vec![FieldError::file(e.to_string())])?;
    if let Err(e) = config::load(Some(&scratch.0), None) {
        let field = e.key.clone().unwrap_or_default();
        let mut err = FieldError::new(&field, e.to_string());
        if !FIELDS.contains(&field.as_str()) {
            err.field = String::new();
            err.problem = Problem::Other;
        }
        return Err(vec![err]);
    }
    if let Some(dir) = user_file.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    write_atomic(user_file, text.as_bytes(), Mode::Private)
        .map_err(|e| vec![FieldError::file(format!("{}: {e}", user_file.display()))])?;
    config::load(Some(user_file), policy).map_err(|e| {
        let mut err = FieldError::file(e.to_string());
        err.problem = Problem::Other;
        vec![err]
    })
}

/// The form's public keys, read as the configuration reader reads them: the keys the Check
/// button verifies with, or the first one that is not a key.
pub fn trusted_keys(keys: &[String]) -> Result<Vec<TrustedKey>, FieldError> {
    entries(keys)
        .into_iter()
        .map(|(row, k)| {
            k.parse::<TrustedKey>().map_err(|e| {
                let mut err = FieldError::new("public_keys", format!("\"{k}\": {e}"));
                err.index = Some(row);
                err.value = Some(k.to_owned());
                err
            })
        })
        .collect()
}

/// Everything the settings window shows.
#[derive(Debug, Clone, Serialize)]
pub struct SettingsState {
    /// The values.
    pub form: SettingsForm,
    /// Fields shown read-only, and why.
    pub locks: BTreeMap<&'static str, Lock>,
    /// The parts of the product to choose from: what the feed lists, then any configured id
    /// the feed does not list.
    pub components: Vec<ComponentChoice>,
    /// Why the settings could not be read, when they could not (the form then shows the
    /// policy's values and the defaults).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// The component choices: the feed's, then configured ids the feed does not list (named by
/// their id, so the user can still untick them).
pub fn component_choices(feed: &[ComponentChoice], configured: &[String]) -> Vec<ComponentChoice> {
    let mut out = feed.to_vec();
    for id in configured {
        if !out.iter().any(|c| c.id.eq_ignore_ascii_case(id)) {
            out.push(ComponentChoice {
                id: id.clone(),
                name: id.clone(),
                group: None,
            });
        }
    }
    out
}

/// What a change of configuration asks of a running app.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    /// The UI language changed.
    pub language: bool,
    /// Something the engine uses changed: it must start again with the new options.
    pub engine: bool,
    /// Start at login changed.
    pub autostart: bool,
}

/// Compares two configurations for what a running app must redo.
pub fn changes(old: &Config, new: &Config) -> Changes {
    let keys = |c: &Config| -> Vec<String> {
        c.public_keys
            .iter()
            .map(|k| k.to_base64().to_owned())
            .collect()
    };
    let language = Lang::from_config(&old.language) != Lang::from_config(&new.language);
    let engine = language
        || old.feeds != new.feeds
        || keys(old) != keys(new)
        || old.poll_interval != new.poll_interval
        || old.components != new.components
        || old.notify_min_severity != new.notify_min_severity
        || old.notify_red_always != new.notify_red_always
        || old.proxy != new.proxy
        || old.extra_ca_file != new.extra_ca_file
        || old.token != new.token;
    Changes {
        language,
        engine,
        autostart: old.autostart != new.autostart,
    }
}
