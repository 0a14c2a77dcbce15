//! The console's words in Russian and English (Fluent files built into the binary), and which
//! language a request reads: the `svetofor_lang` cookie the switch sets, else `Accept-Language`.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

/// A console language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ru,
    En,
}

impl Lang {
    /// Both, for tests.
    pub const ALL: [Lang; 2] = [Lang::Ru, Lang::En];

    /// Its tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// The other one (the switch on every page).
    pub fn other(self) -> Lang {
        match self {
            Lang::Ru => Lang::En,
            Lang::En => Lang::Ru,
        }
    }

    /// From a tag; anything but Russian reads English.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("ru") {
            Lang::Ru
        } else {
            Lang::En
        }
    }

    /// The language of a request: the cookie, else the first of `Accept-Language` we have.
    pub fn of_request(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(c) = cookie {
            return Lang::from_tag(c);
        }
        let first = accept_language
            .into_iter()
            .flat_map(|h| h.split(','))
            .map(|part| part.split(';').next().unwrap_or("").trim())
            .find(|t| t.starts_with("ru") || t.starts_with("en"));
        first.map_or(Lang::Ru, Lang::from_tag)
    }

    /// The catalogue source.
    pub fn source(self) -> &'static str {
        match self {
            Lang::Ru => include_str!("../../i18n/ru.ftl"),
            Lang::En => include_str!("../../i18n/en.ftl"),
        }
    }
}

/// One language's console messages.
pub struct Words {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
}

impl Words {
    /// The catalogue of `lang`.
    pub fn new(lang: Lang) -> Words {
        let id: LanguageIdentifier = lang.tag().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        bundle.set_use_isolating(false);
        let resource =
            FluentResource::try_new(lang.source().to_owned()).unwrap_or_else(|(r, e)| {
                tracing::error!(?e, "console catalogue has errors");
                r
            });
        if let Err(e) = bundle.add_resource(resource) {
            tracing::error!(?e, "console catalogue has duplicate keys");
        }
        Words { lang, bundle }
    }

    /// The shared catalogue of `lang`.
    pub fn of(lang: Lang) -> &'static Words {
        static RU: std::sync::OnceLock<Words> = std::sync::OnceLock::new();
        static EN: std::sync::OnceLock<Words> = std::sync::OnceLock::new();
        match lang {
            Lang::Ru => RU.get_or_init(|| Words::new(Lang::Ru)),
            Lang::En => EN.get_or_init(|| Words::new(Lang::En)),
        }
    }

    /// Its language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// A message without variables.
    pub fn t(&self, key: &str) -> String {
        self.tr(key, &[])
    }

    /// A message with string variables.
    pub fn tr(&self, key: &str, args: &[(&str, &str)]) -> String {
        let Some(pattern) = self.bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(key, "console message missing");
            return key.to_owned();
        };
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            fargs.set(*k, *v);
        }
        let mut errors = vec![];
        self.bundle
            .format_pattern(pattern, Some(&fargs), &mut errors)
            .into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(src: &str) -> Vec<String> {
        src.lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with(' '))
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.to_owned()))
            .collect()
    }

    #[test]
    fn both_catalogues_have_the_same_keys_and_every_message_formats() {
        assert_eq!(keys(Lang::Ru.source()), keys(Lang::En.source()));
        for lang in Lang::ALL {
            let w = Words::of(lang);
            for k in keys(lang.source()) {
                let text = w.tr(
                    &k,
                    &[
                        ("seconds", "5"),
                        ("name", "n"),
                        ("role", "r"),
                        ("status", "s"),
                        ("time", "t"),
                    ],
                );
                assert!(!text.is_empty() && text != k, "{lang:?} {k}");
            }
        }
    }

    #[test]
    fn the_cookie_wins_then_accept_language_then_russian() {
        assert_eq!(Lang::of_request(Some("en"), Some("ru")), Lang::En);
        assert_eq!(
            Lang::of_request(None, Some("de-DE,en;q=0.8,ru;q=0.5")),
            Lang::En
        );
        assert_eq!(Lang::of_request(None, Some("ru-RU,ru;q=0.9")), Lang::Ru);
        assert_eq!(Lang::of_request(None, None), Lang::Ru);
    }
}
