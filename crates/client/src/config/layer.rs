//! One layer of settings (the user's file, the policy, the built-in defaults): every key
//! optional, read and checked in memory, and merged with another layer as types.

use std::ops::Range;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use svetofor_feed::{Severity, TrustedKey};
use toml::Spanned;

use super::{ConfigError, Key};

/// The settings one file sets; `None` where it is silent. For `proxy` and `token`,
/// `Some(None)` is a file that sets them empty (no proxy, no token) — which, in a policy,
/// still locks them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    pub feeds: Option<Vec<String>>,
    pub public_keys: Option<Vec<TrustedKey>>,
    pub poll_interval: Option<Duration>,
    /// Lower-cased ids; empty: every component.
    pub components: Option<Vec<String>>,
    pub notify_min_severity: Option<Severity>,
    pub notify_red_always: Option<bool>,
    /// A language tag, or empty for the OS's language.
    pub language: Option<String>,
    pub proxy: Option<Option<String>>,
    pub extra_ca_file: Option<PathBuf>,
    pub token: Option<Option<String>>,
    pub autostart: Option<bool>,
}

impl Settings {
    /// This layer over `lower`: each key from `self` where it is set, else from `lower`.
    pub fn or(self, lower: Settings) -> Settings {
        let Settings {
            feeds,
            public_keys,
            poll_interval,
            components,
            notify_min_severity,
            notify_red_always,
            language,
            proxy,
            extra_ca_file,
            token,
            autostart,
        } = self;
        Settings {
            feeds: feeds.or(lower.feeds),
            public_keys: public_keys.or(lower.public_keys),
            poll_interval: poll_interval.or(lower.poll_interval),
            components: components.or(lower.components),
            notify_min_severity: notify_min_severity.or(lower.notify_min_severity),
            notify_red_always: notify_red_always.or(lower.notify_red_always),
            language: language.or(lower.language),
            proxy: proxy.or(lower.proxy),
            extra_ca_file: extra_ca_file.or(lower.extra_ca_file),
            token: token.or(lower.token),
            autostart: autostart.or(lower.autostart),
        }
    }

    /// Whether this layer sets `key`.
    pub fn sets(&self, key: Key) -> bool {
        match key {
            Key::Feeds => self.feeds.is_some(),
            Key::PublicKeys => self.public_keys.is_some(),
            Key::PollInterval => self.poll_interval.is_some(),
            Key::Components => self.components.is_some(),
            Key::NotifyMinSeverity => self.notify_min_severity.is_some(),
            Key::NotifyRedAlways => self.notify_red_always.is_some(),
            Key::Language => self.language.is_some(),
            Key::Proxy => self.proxy.is_some(),
            Key::ExtraCaFile => self.extra_ca_file.is_some(),
            Key::Token => self.token.is_some(),
            Key::Autostart => self.autostart.is_some(),
        }
    }
}

/// A file as TOML gives it, with where each value stands (for the line in an error).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
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

/// Seconds a poll interval may be: one second to one day.
pub const POLL_INTERVAL_SECS: std::ops::RangeInclusive<u64> = 1..=86_400;

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

/// Reads and checks one file's text, in memory. `file` names it in errors.
pub fn parse_str(text: &str, file: &str) -> Result<Settings, ConfigError> {
    let raw = toml::from_str::<Raw>(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().to_owned();
        let key = key_at(text, &span).or_else(|| {
            message
                .strip_prefix("unknown field `")
                .and_then(|m| m.split('`').next())
                .map(str::to_owned)
        });
        ConfigError {
            file: file.to_owned(),
            line: line_of(text, span.start),
            key,
            message: message.trim().to_owned(),
        }
    })?;
    let err = |key: Key, span: Range<usize>, message: String| ConfigError {
        file: file.to_owned(),
        line: line_of(text, span.start),
        key: Some(key.as_str().to_owned()),
        message,
    };
    let mut s = Settings::default();
    if let Some(v) = raw.feeds {
        if let Some(bad) = v.get_ref().iter().find(|u| !svetofor_feed::is_web_url(u)) {
            return Err(err(
                Key::Feeds,
                v.span(),
                format!("\"{bad}\" is not an http or https URL"),
            ));
        }
        s.feeds = Some(v.into_inner());
    }
    if let Some(v) = raw.public_keys {
        let mut keys = vec![];
        for k in v.get_ref() {
            match k.parse::<TrustedKey>() {
                Ok(key) => keys.push(key),
                Err(e) => return Err(err(Key::PublicKeys, v.span(), format!("\"{k}\": {e}"))),
            }
        }
        s.public_keys = Some(keys);
    }
    if let Some(v) = raw.poll_interval {
        let secs = *v.get_ref();
        if !POLL_INTERVAL_SECS.contains(&secs) {
            return Err(err(
                Key::PollInterval,
                v.span(),
                "seconds, from 1 to 86400".to_owned(),
            ));
        }
        s.poll_interval = Some(Duration::from_secs(secs));
    }
    if let Some(v) = raw.components {
        let ids = v.into_inner().into_iter();
        s.components = Some(ids.map(|c| c.trim().to_lowercase()).collect());
    }
    s.notify_min_severity = raw.notify_min_severity.map(Spanned::into_inner);
    s.notify_red_always = raw.notify_red_always.map(Spanned::into_inner);
    s.autostart = raw.autostart.map(Spanned::into_inner);
    if let Some(v) = raw.language {
        let lang = v.get_ref().trim().to_owned();
        if !lang.is_empty() && !svetofor_feed::v1::is_language_tag(&lang) {
            return Err(err(
                Key::Language,
                v.span(),
                format!("\"{lang}\" is not a language tag such as ru or en"),
            ));
        }
        s.language = Some(lang);
    }
    let blank_is_none = |v: Spanned<String>| Some(v.into_inner()).filter(|t| !t.trim().is_empty());
    s.proxy = raw.proxy.map(blank_is_none);
    s.extra_ca_file = raw.extra_ca_file.map(Spanned::into_inner);
    s.token = raw.token.map(blank_is_none);
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_higher_layer_wins_key_by_key() {
        let policy = parse_str(
            "feeds = [\"https://a.example/feed.json\"]\ntoken = \"\"",
            "p",
        )
        .unwrap();
        let user = parse_str(
            "feeds = [\"https://b.example/feed.json\"]\npoll_interval = 5\ntoken = \"t\"",
            "u",
        )
        .unwrap();
        let merged = policy.or(user);
        assert_eq!(merged.feeds.unwrap(), ["https://a.example/feed.json"]);
        assert_eq!(merged.poll_interval, Some(Duration::from_secs(5)));
        // The policy set the token empty: that wins over the user's token.
        assert_eq!(merged.token, Some(None));
        assert_eq!(merged.autostart, None);
    }

    #[test]
    fn errors_name_the_file_line_and_key() {
        let e = parse_str("autostart = true\npoll_interval = 0\n", "x.toml").unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.line, e.key.as_deref()),
            ("x.toml", 2, Some("poll_interval"))
        );
        let e = parse_str("\nfeed = []\n", "x.toml").unwrap_err();
        assert_eq!((e.line, e.key.as_deref()), (2, Some("feed")));
    }

    #[test]
    fn every_key_is_read_and_known_to_sets() {
        let text = "feeds = []\npublic_keys = []\npoll_interval = 60\ncomponents = []\n\
                    notify_min_severity = \"red\"\nnotify_red_always = false\nlanguage = \"ru\"\n\
                    proxy = \"\"\nextra_ca_file = \"/x.pem\"\ntoken = \"\"\nautostart = false\n";
        let s = parse_str(text, "all").unwrap();
        for k in Key::ALL {
            assert!(s.sets(k), "{k} not read");
            assert!(
                text.contains(&format!("{k} =")),
                "{k} missing from this test"
            );
        }
    }
}
