//! What the settings window reads and saves, as plain data: the user's settings with the
//! keys the policy locks, validation by the very code that reads the files, and an atomic
//! save that keeps every key the window does not edit.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use svetofor_feed::{Severity, TrustedKey};

use crate::i18n::Lang;
use svetofor_atomic::{Mode, write_atomic};
use svetofor_client::config::Key;
use svetofor_client::config::{self, Config};
use svetofor_client::view::ComponentChoice;

/// The keys the window edits, in its order.
pub const FIELDS: [Key; 7] = [
    Key::Feeds,
    Key::PublicKeys,
    Key::PollInterval,
    Key::Components,
    Key::NotifyMinSeverity,
    Key::Language,
    Key::Autostart,
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
    /// What a refusal by the configuration reader of `key` means (`None`: the whole file).
    fn of_key(key: Option<Key>) -> Problem {
        match key {
            Some(Key::Feeds) => Problem::NotWebUrl,
            Some(Key::PublicKeys) => Problem::NotAKey,
            Some(Key::PollInterval) => Problem::IntervalRange,
            Some(Key::Language) => Problem::NotALanguage,
            None => Problem::File,
            Some(
                Key::Components
                | Key::NotifyMinSeverity
                | Key::NotifyRedAlways
                | Key::Proxy
                | Key::ExtraCaFile
                | Key::Token
                | Key::Autostart,
            ) => Problem::Other,
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
    /// A refusal of `key` (`None`: of the file as a whole).
    fn new(key: Option<Key>, message: impl Into<String>) -> Self {
        FieldError {
            field: key.map(|k| k.as_str().to_owned()).unwrap_or_default(),
            index: None,
            problem: Problem::of_key(key),
            value: None,
            message: message.into(),
        }
    }

    fn file(message: impl Into<String>) -> Self {
        FieldError::new(None, message)
    }

    /// A failure that is nobody's input: the settings could not be saved at all.
    pub fn internal(message: String) -> Self {
        FieldError::file(message)
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
pub fn locks(cfg: &Config, command_line: &config::CommandLine<'_>) -> BTreeMap<Key, Lock> {
    let mut out: BTreeMap<Key, Lock> = FIELDS
        .into_iter()
        .filter(|k| cfg.is_locked(*k))
        .map(|k| (k, Lock::Policy))
        .collect();
    for key in command_line.keys() {
        out.entry(key).or_insert(Lock::CommandLine);
    }
    out
}

/// The form for the effective configuration, and the fields the policy locks.
pub fn form_of(cfg: &Config) -> (SettingsForm, Vec<Key>) {
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
    let locked = FIELDS.into_iter().filter(|k| cfg.is_locked(*k)).collect();
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

/// The form's value for `key` as it goes into the file; `None` for keys the window does not
/// edit (and a number too large to write).
fn value_of(form: &SettingsForm, key: Key) -> Option<toml_edit::Value> {
    let strings =
        |v: &[String]| toml_edit::Value::Array(entries(v).into_iter().map(|(_, s)| s).collect());
    Some(match key {
        Key::Feeds => strings(&form.feeds),
        Key::PublicKeys => strings(&form.public_keys),
        Key::PollInterval => i64::try_from(form.poll_interval).ok()?.into(),
        Key::Components if form.components_only => strings(&form.components),
        Key::Components => toml_edit::Value::Array(toml_edit::Array::new()),
        Key::NotifyMinSeverity => form.notify_min_severity.as_str().into(),
        Key::Language => form.language.trim().into(),
        Key::Autostart => form.autostart.into(),
        Key::NotifyRedAlways | Key::Proxy | Key::ExtraCaFile | Key::Token => return None,
    })
}

/// Sets `key` to `value`, leaving the line as it was (comments included) when the value is
/// the same, and keeping the comment around it when it is not.
fn set_key(doc: &mut toml_edit::DocumentMut, key: Key, mut value: toml_edit::Value) {
    let key = key.as_str();
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

/// Checks one key by reading it alone through the configuration reader, in memory.
fn check(key: Key, value: &toml_edit::Value) -> Option<FieldError> {
    let mut doc = toml_edit::DocumentMut::new();
    doc[key.as_str()] = toml_edit::Item::Value(value.clone());
    config::parse_str(&doc.to_string(), "settings")
        .err()
        .map(|e| {
            let at = e.key.as_deref().and_then(Key::from_name).unwrap_or(key);
            FieldError::new(Some(at), e.message)
        })
}

/// Checks `key`'s value; a list is checked entry by entry, so each error names its row.
fn check_field(form: &SettingsForm, key: Key) -> Vec<FieldError> {
    let list = match key {
        Key::Feeds => Some(&form.feeds),
        Key::PublicKeys => Some(&form.public_keys),
        _ => None,
    };
    if let Some(list) = list {
        return entries(list)
            .into_iter()
            .filter_map(|(row, entry)| {
                let one = toml_edit::Value::Array([entry].into_iter().collect());
                check(key, &one).map(|mut e| {
                    e.index = Some(row);
                    e.value = Some(entry.to_owned());
                    e
                })
            })
            .collect();
    }
    if key == Key::Components && form.components_only && entries(&form.components).is_empty() {
        // An empty list means "all": saving it would quietly undo the user's choice.
        let mut err = FieldError::new(Some(key), "choose at least one component, or follow all");
        err.problem = Problem::NoComponents;
        return vec![err];
    }
    match value_of(form, key) {
        Some(value) => check(key, &value).into_iter().collect(),
        None => vec![FieldError::new(Some(key), "out of range")],
    }
}

/// Whether `key` is locked: by the policy as it is on disk now, or by `also_locked` (the
/// command line).
fn is_locked(policy: Option<&Config>, also_locked: &[Key], key: Key) -> bool {
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
    also_locked: &[Key],
) -> Result<Config, Vec<FieldError>> {
    // The policy alone says what is locked, even while the user's file is broken.
    let policy_cfg = config::load(None, policy).map_err(|e| {
        let mut err = FieldError::file(e.to_string());
        err.problem = Problem::Other;
        vec![err]
    })?;
    let mut doc = read_doc(user_file).map_err(|e| vec![e])?;
    let mut errors = vec![];
    for key in FIELDS {
        if is_locked(Some(&policy_cfg), also_locked, key) {
            continue; // decided elsewhere; the user's file stays silent on it
        }
        let found = check_field(form, key);
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
    if let Err(e) = config::parse_str(&text, &user_file.display().to_string()) {
        let key = e.key.as_deref().and_then(Key::from_name);
        let mut err = FieldError::new(key, e.to_string());
        if !key.is_some_and(|k| FIELDS.contains(&k)) {
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
                let mut err = FieldError::new(Some(Key::PublicKeys), format!("\"{k}\": {e}"));
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
    pub locks: BTreeMap<Key, Lock>,
    /// The parts of the product to choose from: what the feed lists, then any configured id
    /// the feed does not list.
    pub components: Vec<ComponentChoice>,
    /// Why the settings could not be read, when they could not (the form then shows the
    /// policy's values and the defaults).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Nothing can be saved now (the administrator's policy is broken): the form is shown
    /// read-only.
    pub frozen: bool,
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
    let changed = |k: Key| old.value(k) != new.value(k);
    let language = Lang::from_config(&old.language) != Lang::from_config(&new.language);
    Changes {
        language,
        engine: language
            || Key::ALL
                .into_iter()
                .any(|k| k.restarts_engine() && changed(k)),
        autostart: changed(Key::Autostart),
    }
}
