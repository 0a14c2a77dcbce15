//! The configuration's keys. Every place that needs "each key" matches on [`Key`], so a new
//! key fails to compile until each of them says what it does with it.

use serde::{Deserialize, Serialize};

/// One key of the configuration files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Key {
    Feeds,
    PublicKeys,
    PollInterval,
    Components,
    NotifyMinSeverity,
    NotifyRedAlways,
    Language,
    Proxy,
    ExtraCaFile,
    Token,
    Autostart,
}

impl Key {
    /// Every key, in the order `config show` and the admin guide list them.
    pub const ALL: [Key; 11] = [
        Key::Feeds,
        Key::PublicKeys,
        Key::PollInterval,
        Key::Components,
        Key::NotifyMinSeverity,
        Key::NotifyRedAlways,
        Key::Language,
        Key::Proxy,
        Key::ExtraCaFile,
        Key::Token,
        Key::Autostart,
    ];

    /// The key as written in the files.
    pub fn as_str(self) -> &'static str {
        match self {
            Key::Feeds => "feeds",
            Key::PublicKeys => "public_keys",
            Key::PollInterval => "poll_interval",
            Key::Components => "components",
            Key::NotifyMinSeverity => "notify_min_severity",
            Key::NotifyRedAlways => "notify_red_always",
            Key::Language => "language",
            Key::Proxy => "proxy",
            Key::ExtraCaFile => "extra_ca_file",
            Key::Token => "token",
            Key::Autostart => "autostart",
        }
    }

    /// The key written `name` in a file.
    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether a running engine must start again when this key's value changes. The
    /// language is not among them by its value: it restarts the engine when its effect (the
    /// OS's language when empty) changes, which only the caller can tell.
    pub fn restarts_engine(self) -> bool {
        match self {
            Key::Feeds
            | Key::PublicKeys
            | Key::PollInterval
            | Key::Components
            | Key::NotifyMinSeverity
            | Key::NotifyRedAlways
            | Key::Proxy
            | Key::ExtraCaFile
            | Key::Token => true,
            Key::Language | Key::Autostart => false,
        }
    }
}

// `ALL` lists every key: a key added last to the enum and not to `ALL` fails here (every
// `match` on `Key` already fails to compile until it handles the new key).
const _: () = assert!(Key::ALL.len() == Key::Autostart as usize + 1);

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_listed_once_and_reads_back_by_name() {
        let mut seen = std::collections::BTreeSet::new();
        for k in Key::ALL {
            assert!(seen.insert(k), "{k} twice");
            assert_eq!(Key::from_name(k.as_str()), Some(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{k}\""));
        }
    }
}
