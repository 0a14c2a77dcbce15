//! One language's messages, from a Fluent file built into the binary, so a missing file can
//! never leave a program speechless. A key missing from a catalogue shows as the key itself
//! and is logged; [`crate::parity`] keeps a book's catalogues in step in tests.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

use crate::Lang;
use crate::parity::keys_of;

/// A set of catalogues, one per language: the desktop app's, the console's, the channels'.
pub trait Book: 'static {
    /// What logs call it.
    const NAME: &'static str;
    /// The Fluent source of `lang` (an `include_str!`).
    fn source(lang: Lang) -> &'static str;
}

/// One language's messages of the book `B`.
pub struct Catalog<B> {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
    book: PhantomData<fn() -> B>,
}

impl<B: Book> fmt::Debug for Catalog<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Catalog({}, {})", B::NAME, self.lang)
    }
}

/// A value for a message variable.
#[derive(Debug, Clone, Copy)]
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

impl<B: Book> Catalog<B> {
    /// The catalogue of `lang`.
    pub fn new(lang: Lang) -> Catalog<B> {
        let id: LanguageIdentifier = lang.tag().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // No bidi isolation marks around variables: menus, notifications, pages and chat
        // messages would show them.
        bundle.set_use_isolating(false);
        let resource = match FluentResource::try_new(B::source(lang).to_owned()) {
            Ok(r) => r,
            Err((r, errors)) => {
                tracing::error!(book = B::NAME, %lang, ?errors, "message catalogue has errors");
                r
            }
        };
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(book = B::NAME, %lang, ?errors, "message catalogue has duplicate keys");
        }
        Catalog {
            lang,
            bundle,
            book: PhantomData,
        }
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
        keys_of(B::source(self.lang))
    }

    /// The message `key` without variables.
    pub fn t(&self, key: &str) -> String {
        self.tr(key, &[])
    }

    /// The message `key` with `args`.
    pub fn tr(&self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        let Some(pattern) = self.bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(book = B::NAME, lang = %self.lang, key, "missing message");
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
            tracing::warn!(book = B::NAME, lang = %self.lang, key, ?errors, "message formatted with errors");
        }
        text.into_owned()
    }

    /// The message `key` with text variables only.
    pub fn tr_str(&self, key: &str, args: &[(&str, &str)]) -> String {
        let args: Vec<(&str, Arg<'_>)> = args.iter().map(|(k, v)| (*k, Arg::Str(v))).collect();
        self.tr(key, &args)
    }

    /// Every message whose key starts with `prefix`, by key: the strings a page needs.
    pub fn with_prefix(&self, prefix: &str) -> BTreeMap<String, String> {
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
