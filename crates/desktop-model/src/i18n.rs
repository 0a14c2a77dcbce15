//! The message catalogues: every word the desktop app shows, in Russian and English.
//!
//! The catalogues are Fluent files built into the binary (`crates/desktop-model/i18n/*.ftl`), so a
//! missing file can never leave the app speechless. A key missing from a catalogue shows as
//! the key itself and is logged; a test keeps both catalogues in step.

use std::fmt;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

pub use svetofor_client::Lang;

fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::En => include_str!("../i18n/en.ftl"),
        Lang::Ru => include_str!("../i18n/ru.ftl"),
    }
}

/// One language's messages.
pub struct Catalog {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
}

impl fmt::Debug for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Catalog({})", self.lang)
    }
}

/// A value for a message variable.
pub enum Arg<'a> {
    /// Text.
    Str(&'a str),
    /// A number (selects plural forms).
    Num(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Str(s)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Str(s)
    }
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Arg::Num(n)
    }
}

impl Catalog {
    /// The catalogue of `lang`.
    pub fn new(lang: Lang) -> Catalog {
        let id: LanguageIdentifier = lang.tag().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // No bidi isolation marks around variables: menus and notifications would show them.
        bundle.set_use_isolating(false);
        let resource = match FluentResource::try_new(source(lang).to_owned()) {
            Ok(r) => r,
            Err((r, errors)) => {
                tracing::error!(%lang, ?errors, "message catalogue has errors");
                r
            }
        };
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(%lang, ?errors, "message catalogue has duplicate keys");
        }
        Catalog { lang, bundle }
    }

    /// Its language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Whether `key` is in this catalogue.
    pub fn has(&self, key: &str) -> bool {
        self.bundle.has_message(key)
    }

    /// Every message key, in file order.
    pub fn keys(&self) -> Vec<String> {
        keys_of(source(self.lang))
    }

    /// The message `key` without variables.
    pub fn t(&self, key: &str) -> String {
        self.tr(key, &[])
    }

    /// The message `key` with `args`.
    pub fn tr(&self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        let Some(pattern) = self.bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(lang = %self.lang, key, "missing message");
            return key.to_owned();
        };
        let mut fargs = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Str(s) => fargs.set(*name, FluentValue::from(*s)),
                Arg::Num(n) => fargs.set(*name, FluentValue::from(*n)),
            }
        }
        let mut errors = vec![];
        let text = self
            .bundle
            .format_pattern(pattern, Some(&fargs), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(lang = %self.lang, key, ?errors, "message formatted with errors");
        }
        text.into_owned()
    }

    /// Every message whose key starts with `prefix`, by key: the strings a page needs.
    pub fn with_prefix(&self, prefix: &str) -> std::collections::BTreeMap<String, String> {
        self.keys()
            .into_iter()
            .filter(|k| k.starts_with(prefix))
            .map(|k| {
                let v = self.t(&k);
                (k, v)
            })
            .collect()
    }
}

/// The message keys of a Fluent source, in order.
pub fn keys_of(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once(" = ").or_else(|| l.split_once(" =")))
        .map(|(k, _)| k.trim().to_owned())
        .collect()
}

/// The variables (`$name`) each message of a Fluent source uses, by key.
pub fn variables_of(source: &str) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut out: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut current: Option<String> = None;
    for line in source.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if line.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && let Some((k, _)) = line.split_once(" =").or_else(|| line.split_once('='))
        {
            current = Some(k.trim().to_owned());
        }
        let Some(key) = &current else { continue };
        let vars = out.entry(key.clone()).or_default();
        let mut rest = line;
        while let Some(i) = rest.find('$') {
            rest = &rest[i + 1..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            if !name.is_empty() && !vars.contains(&name) {
                vars.push(name);
            }
        }
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}
