//! Settings given on the command line for one run (`--feed`, `--pubkey`, `--interval`).

use std::path::Path;
use std::time::Duration;

use svetofor_feed::TrustedKey;

use super::layer::POLL_INTERVAL_SECS;
use super::{Config, Key};

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
                svetofor_feed::parse_web_url(f)
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
            if !POLL_INTERVAL_SECS.contains(&secs) {
                return Err(CommandLineError::Interval);
            }
            self.poll_interval = Duration::from_secs(secs);
        }
        Ok(())
    }
}

impl CommandLine<'_> {
    /// The keys this command line replaces for the run.
    pub fn keys(&self) -> Vec<Key> {
        [
            (Key::Feeds, !self.feeds.is_empty()),
            (Key::PublicKeys, !self.pubkeys.is_empty()),
            (Key::PollInterval, self.interval.is_some()),
        ]
        .into_iter()
        .filter_map(|(key, set)| set.then_some(key))
        .collect()
    }
}
