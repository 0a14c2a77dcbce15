//! Configuration: a user file and a system policy file (TOML). A key set in the policy wins
//! and is locked. A bad file is reported with its path, line and key.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use svetofor_feed::{Severity, TrustedKey};
use toml::Spanned;

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
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The key at fault, when known.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// The settings of a file, every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    feeds: Option<Spanned<Vec<String>>>,
    public_keys: Option<Spanned<Vec<String>>>,
    poll_interval: Option<Spanned<u64>>,
    components: Option<Spanned<Vec<String>>>,
    notify_min_severity: Option<Spanned<Severity>>,
    notify_red_always: Option<Spanned<bool>>,
    language: Option<Spanned<String>>,
    proxy: Option<Spanned<String>>,
    extra_ca_file: Option<Spanned<PathBuf>>,
    token: Option<Spanned<String>>,
    autostart: Option<Spanned<bool>>,
}

/// Every key the configuration reads, in the order `config show` lists them.
pub const KEYS: &[&str] = &[
    "feeds",
    "public_keys",
    "poll_interval",
    "components",
    "notify_min_severity",
    "notify_red_always",
    "language",
    "proxy",
    "extra_ca_file",
    "token",
    "autostart",
];

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Feed URLs: the primary, then mirrors.
    pub feeds: Vec<String>,
    /// Pinned public keys.
    pub public_keys: Vec<TrustedKey>,
    /// Poll interval.
    pub poll_interval: Duration,
    /// Components this client follows (empty: all).
    pub components: Vec<String>,
    /// Least severity that notifies.
    pub notify_min_severity: Severity,
    /// Red always notifies.
    pub notify_red_always: bool,
    /// UI language (`ru`, `en`); empty: from the OS.
    pub language: String,
    /// Proxy URL.
    pub proxy: Option<String>,
    /// Extra CA file (PEM).
    pub extra_ca_file: Option<PathBuf>,
    /// Bearer token for a private feed.
    pub token: Option<String>,
    /// Start the desktop app at login.
    pub autostart: bool,
    /// Where each key came from.
    pub origins: BTreeMap<&'static str, Origin>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            feeds: vec![],
            public_keys: vec![],
            poll_interval: Duration::from_secs(60),
            components: vec![],
            notify_min_severity: Severity::Yellow,
            notify_red_always: true,
            language: String::new(),
            proxy: None,
            extra_ca_file: None,
            token: None,
            autostart: true,
            origins: KEYS.iter().map(|k| (*k, Origin::Default)).collect(),
        }
    }
}

impl Config {
    /// True when the policy sets `key`.
    pub fn is_locked(&self, key: &str) -> bool {
        self.origins.get(key) == Some(&Origin::Policy)
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

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}

/// The key written on the line where `span` starts (`key = value`).
fn key_at(text: &str, span: &Range<usize>) -> Option<String> {
    let start = text[..span.start.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty()).then(|| key.to_owned())
}

struct Reader<'a> {
    file: String,
    text: &'a str,
}

impl Reader<'_> {
    fn err<T>(
        &self,
        key: &str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Result<T, ConfigError> {
        Err(ConfigError {
            file: self.file.clone(),
            line: line_of(self.text, span.start),
            key: Some(key.to_owned()),
            message: message.into(),
        })
    }
}

fn parse_file(path: &Path) -> Result<Option<(FileSettings, String)>, ConfigError> {
    let file = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ConfigError {
                file,
                line: 0,
                key: None,
                message: format!("cannot read: {e}"),
            });
        }
    };
    match toml::from_str::<FileSettings>(&text) {
        Ok(s) => Ok(Some((s, text))),
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().to_owned();
            let key = key_at(&text, &span).or_else(|| {
                message
                    .strip_prefix("unknown field `")
                    .and_then(|m| m.split('`').next())
                    .map(str::to_owned)
            });
            Err(ConfigError {
                file,
                line: line_of(&text, span.start),
                key,
                message: message.trim().to_owned(),
            })
        }
    }
}

fn apply(
    cfg: &mut Config,
    s: FileSettings,
    r: &Reader<'_>,
    origin: Origin,
) -> Result<(), ConfigError> {
    let set = |key: &'static str, cfg: &mut Config| {
        cfg.origins.insert(key, origin);
    };
    if let Some(v) = s.feeds {
        let span = v.span();
        for url in v.get_ref() {
            if crate::fetch::web_url(url).is_err() {
                return r.err(
                    "feeds",
                    span,
                    format!("\"{url}\" is not an http or https URL"),
                );
            }
        }
        cfg.feeds = v.into_inner();
        set("feeds", cfg);
    }
    if let Some(v) = s.public_keys {
        let span = v.span();
        let mut keys = vec![];
        for k in v.get_ref() {
            match k.parse::<TrustedKey>() {
                Ok(key) => keys.push(key),
                Err(e) => return r.err("public_keys", span, format!("\"{k}\": {e}")),
            }
        }
        cfg.public_keys = keys;
        set("public_keys", cfg);
    }
    if let Some(v) = s.poll_interval {
        let secs = *v.get_ref();
        if !(1..=86_400).contains(&secs) {
            return r.err("poll_interval", v.span(), "seconds, from 1 to 86400");
        }
        cfg.poll_interval = Duration::from_secs(secs);
        set("poll_interval", cfg);
    }
    if let Some(v) = s.components {
        cfg.components = v
            .into_inner()
            .into_iter()
            .map(|c| c.trim().to_lowercase())
            .collect();
        set("components", cfg);
    }
    if let Some(v) = s.notify_min_severity {
        cfg.notify_min_severity = v.into_inner();
        set("notify_min_severity", cfg);
    }
    if let Some(v) = s.autostart {
        cfg.autostart = v.into_inner();
        set("autostart", cfg);
    }
    if let Some(v) = s.notify_red_always {
        cfg.notify_red_always = v.into_inner();
        set("notify_red_always", cfg);
    }
    if let Some(v) = s.language {
        let lang = v.get_ref().trim().to_owned();
        if !lang.is_empty() && !svetofor_feed::v1::is_language_tag(&lang) {
            return r.err(
                "language",
                v.span(),
                format!("\"{lang}\" is not a language tag such as ru or en"),
            );
        }
        cfg.language = lang;
        set("language", cfg);
    }
    if let Some(v) = s.proxy {
        cfg.proxy = Some(v.into_inner()).filter(|p| !p.trim().is_empty());
        set("proxy", cfg);
    }
    if let Some(v) = s.extra_ca_file {
        cfg.extra_ca_file = Some(v.into_inner());
        set("extra_ca_file", cfg);
    }
    if let Some(v) = s.token {
        cfg.token = Some(v.into_inner()).filter(|t| !t.trim().is_empty());
        set("token", cfg);
    }
    Ok(())
}

/// Reads the user file (if any), then the policy (if any), which overrides and locks.
pub fn load(user: Option<&Path>, policy: Option<&Path>) -> Result<Config, ConfigError> {
    let mut cfg = Config::default();
    for (path, origin) in [(user, Origin::User), (policy, Origin::Policy)] {
        let Some(path) = path else { continue };
        if let Some((settings, text)) = parse_file(path)? {
            let reader = Reader {
                file: path.display().to_string(),
                text: &text,
            };
            apply(&mut cfg, settings, &reader, origin)?;
        }
    }
    Ok(cfg)
}

/// Longest public key file read.
pub const MAX_KEY_FILE: u64 = 4096;

/// Why a key given on the command line was refused.
#[derive(Debug, thiserror::Error)]
pub enum KeyArgError {
    /// A file by that name exists but cannot be read.
    #[error("{0}")]
    Unreadable(String),
    /// A file by that name is not a public key.
    #[error("{0}")]
    NotAKeyFile(String),
    /// Neither a file nor a key.
    #[error("{0}")]
    Invalid(String),
}

/// A trusted key from a command-line argument: a `.pub` file, or the key itself (base64).
pub fn key_from_arg(arg: &str) -> Result<TrustedKey, KeyArgError> {
    let path = Path::new(arg);
    if path.is_file() {
        let len = path.metadata().map(|m| m.len()).unwrap_or(0);
        if len > MAX_KEY_FILE {
            return Err(KeyArgError::NotAKeyFile(format!(
                "{arg}: {len} bytes is too large for a public key file"
            )));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| KeyArgError::Unreadable(format!("{arg}: cannot read: {e}")))?;
        return text
            .parse()
            .map_err(|e| KeyArgError::NotAKeyFile(format!("{arg}: {e}")));
    }
    arg.parse()
        .map_err(|e| KeyArgError::Invalid(format!("{arg}: no such file, and {e}")))
}

/// Settings given on the command line for one run (`--feed`, `--pubkey`, `--interval`);
/// they replace the configured ones.
#[derive(Debug, Clone, Copy, Default)]
pub struct CommandLine<'a> {
    /// Feed URLs, in order.
    pub feeds: &'a [String],
    /// Trusted keys (base64 or `.pub` files).
    pub pubkeys: &'a [String],
    /// Poll interval in seconds.
    pub interval: Option<u64>,
}

/// Why a command-line setting was refused.
#[derive(Debug, thiserror::Error)]
pub enum CommandLineError {
    /// A `--feed` that is not an http(s) URL.
    #[error("--feed {0}")]
    Feed(String),
    /// A `--pubkey` that is not a key.
    #[error("--pubkey {0}")]
    Key(KeyArgError),
    /// An `--interval` out of range.
    #[error("--interval: seconds, from 1 to 86400")]
    Interval,
}

impl Config {
    /// Applies the command line's settings over the files'.
    pub fn apply_command_line(&mut self, cl: CommandLine<'_>) -> Result<(), CommandLineError> {
        if !cl.feeds.is_empty() {
            for f in cl.feeds {
                crate::fetch::web_url(f)
                    .map_err(|e| CommandLineError::Feed(format!("{f}: {e}")))?;
            }
            self.feeds = cl.feeds.to_vec();
        }
        if !cl.pubkeys.is_empty() {
            self.public_keys = cl
                .pubkeys
                .iter()
                .map(|k| key_from_arg(k).map_err(CommandLineError::Key))
                .collect::<Result<_, _>>()?;
        }
        if let Some(secs) = cl.interval {
            if !(1..=86_400).contains(&secs) {
                return Err(CommandLineError::Interval);
            }
            self.poll_interval = Duration::from_secs(secs);
        }
        Ok(())
    }
}

/// The cache folder when none is given: `<OS cache dir>/svetofor`.
pub fn default_cache_dir() -> PathBuf {
    dirs::cache_dir()
        .map(|d| d.join("svetofor"))
        .unwrap_or_else(|| PathBuf::from(".svetofor-cache"))
}

fn mask(secret: &Option<String>) -> Value {
    match secret {
        Some(s) if s.len() > 8 => serde_json::json!(format!(
            "{}…(hidden)",
            &s[..s.char_indices().nth(4).map_or(0, |(i, _)| i)]
        )),
        Some(_) => serde_json::json!("(hidden)"),
        None => Value::Null,
    }
}

/// Hides a password in a proxy URL (`http://user:pass@host` → `http://user:***@host`).
fn mask_proxy(p: &Option<String>) -> Value {
    match p {
        Some(url) => match url.split_once("://").and_then(|(scheme, rest)| {
            let (cred, host) = rest.split_once('@')?;
            let user = cred.split(':').next().unwrap_or("");
            Some(format!("{scheme}://{user}:***@{host}"))
        }) {
            Some(masked) => serde_json::json!(masked),
            None => serde_json::json!(url),
        },
        None => Value::Null,
    }
}

/// The value of `key` as `config show` and diagnostics print it: secrets masked (a token
/// shows its first characters only, a proxy password is starred).
pub fn shown_value(cfg: &Config, key: &str) -> Value {
    match key {
        "feeds" => serde_json::json!(cfg.feeds),
        "public_keys" => serde_json::json!(
            cfg.public_keys
                .iter()
                .map(|k| k.to_base64().to_owned())
                .collect::<Vec<_>>()
        ),
        "poll_interval" => serde_json::json!(cfg.poll_interval.as_secs()),
        "components" => serde_json::json!(cfg.components),
        "notify_min_severity" => serde_json::json!(cfg.notify_min_severity),
        "notify_red_always" => serde_json::json!(cfg.notify_red_always),
        "autostart" => serde_json::json!(cfg.autostart),
        "language" => serde_json::json!(cfg.language),
        "proxy" => mask_proxy(&cfg.proxy),
        "extra_ca_file" => serde_json::json!(cfg.extra_ca_file),
        "token" => mask(&cfg.token),
        _ => Value::Null,
    }
}
