//! Configuration: a user file and a system policy file (TOML). A key set in the policy wins
//! and is locked. A bad file is reported with its path, line and key.

mod command_line;
mod key;
mod layer;
mod shown;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use svetofor_feed::{Severity, TrustedKey};

pub use command_line::{CommandLine, CommandLineError, KeyArgError, MAX_KEY_FILE, key_from_arg};
pub use key::Key;
pub use layer::{POLL_INTERVAL_SECS, Settings, parse_str};

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Built in.
    Default,
    /// The user's file.
    User,
    /// The system policy (locked).
    Policy,
}

/// A configuration file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {}{message}", .key.as_ref().map(|k| format!("{k}: ")).unwrap_or_default())]
pub struct ConfigError {
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The key at fault, when known.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// The effective configuration: every key resolved, and where each came from.
#[derive(Debug, Clone)]
pub struct Config {
    /// The primary, then mirrors.
    pub feeds: Vec<String>,
    pub public_keys: Vec<TrustedKey>,
    pub poll_interval: Duration,
    /// Components this client follows (empty: all).
    pub components: Vec<String>,
    /// Least severity that notifies.
    pub notify_min_severity: Severity,
    pub notify_red_always: bool,
    /// UI language (`ru`, `en`); empty: from the OS.
    pub language: String,
    pub proxy: Option<String>,
    /// Trusted besides the OS store (PEM).
    pub extra_ca_file: Option<PathBuf>,
    /// Bearer token for a private feed.
    pub token: Option<String>,
    /// Start the desktop app at login.
    pub autostart: bool,
    pub origins: BTreeMap<Key, Origin>,
}

impl Default for Config {
    fn default() -> Self {
        Config::resolve(Settings::default(), Settings::default())
    }
}

impl Config {
    /// The user's layer under the policy's, over the built-in defaults. A key the policy
    /// sets is locked.
    pub fn resolve(user: Settings, policy: Settings) -> Config {
        let origins = Key::ALL
            .into_iter()
            .map(|k| {
                let origin = if policy.sets(k) {
                    Origin::Policy
                } else if user.sets(k) {
                    Origin::User
                } else {
                    Origin::Default
                };
                (k, origin)
            })
            .collect();
        let s = policy.or(user);
        Config {
            feeds: s.feeds.unwrap_or_default(),
            public_keys: s.public_keys.unwrap_or_default(),
            poll_interval: s.poll_interval.unwrap_or(Duration::from_secs(60)),
            components: s.components.unwrap_or_default(),
            notify_min_severity: s.notify_min_severity.unwrap_or(Severity::Green),
            notify_red_always: s.notify_red_always.unwrap_or(true),
            language: s.language.unwrap_or_default(),
            proxy: s.proxy.flatten(),
            extra_ca_file: s.extra_ca_file,
            token: s.token.flatten(),
            autostart: s.autostart.unwrap_or(true),
            origins,
        }
    }

    /// True when the policy sets `key`.
    pub fn is_locked(&self, key: Key) -> bool {
        self.origins.get(&key) == Some(&Origin::Policy)
    }
}

/// The user's file: `<config dir>/svetofor/config.toml`.
pub fn user_config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("svetofor").join("config.toml"))
}

/// The system policy file, or `SVETOFOR_POLICY` when set.
pub fn policy_path() -> PathBuf {
    if let Some(p) = std::env::var_os("SVETOFOR_POLICY") {
        return PathBuf::from(p);
    }
    if cfg!(windows) {
        let base = std::env::var_os("ProgramData").unwrap_or_else(|| "C:\\ProgramData".into());
        PathBuf::from(base).join("Svetofor").join("policy.toml")
    } else if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/Svetofor/policy.toml")
    } else {
        PathBuf::from("/etc/svetofor/policy.toml")
    }
}

/// Reads and checks one file; a missing file sets nothing.
pub fn read_file(path: &Path) -> Result<Settings, ConfigError> {
    let file = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => parse_str(&text, &file),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
        Err(e) => Err(ConfigError {
            file,
            line: 0,
            key: None,
            message: format!("cannot read: {e}"),
        }),
    }
}

/// Reads the user file (if any), then the policy (if any), which overrides and locks.
pub fn load(user: Option<&Path>, policy: Option<&Path>) -> Result<Config, ConfigError> {
    let layer = |p: Option<&Path>| p.map(read_file).transpose().map(Option::unwrap_or_default);
    Ok(Config::resolve(layer(user)?, layer(policy)?))
}

/// The files as an app runs on them, each checked on its own.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The user's layer under the policy's. A broken user file counts as empty here (the
    /// policy and the defaults apply); with a broken policy this holds the user's layer alone
    /// and must not be followed: the policy may pin keys or feeds it no longer can.
    pub config: Config,
    /// Why the user's file was set aside.
    pub user_error: Option<ConfigError>,
    /// Why the policy cannot be used.
    pub policy_error: Option<ConfigError>,
}

/// Reads the user file and the policy each on its own, so one broken file does not hide
/// what the other says.
pub fn load_each(user: Option<&Path>, policy: Option<&Path>) -> Loaded {
    let layer = |p: Option<&Path>| match p.map(read_file).transpose() {
        Ok(s) => (s.unwrap_or_default(), None),
        Err(e) => (Settings::default(), Some(e)),
    };
    let (user, user_error) = layer(user);
    let (policy, policy_error) = layer(policy);
    Loaded {
        config: Config::resolve(user, policy),
        user_error,
        policy_error,
    }
}

/// The cache folder when none is given: `<OS cache dir>/svetofor`.
pub fn default_cache_dir() -> PathBuf {
    dirs::cache_dir()
        .map(|d| d.join("svetofor"))
        .unwrap_or_else(|| PathBuf::from(".svetofor-cache"))
}
