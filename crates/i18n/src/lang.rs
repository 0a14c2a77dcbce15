//! Which language: Russian or English.

use std::fmt;

/// A language Svetofor speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    /// English.
    En,
    /// Russian.
    Ru,
}

impl Lang {
    /// Every language, Russian first (the product's first language: the order the console
    /// shows them in).
    pub const ALL: [Lang; 2] = [Lang::Ru, Lang::En];

    /// What a tag Svetofor does not speak reads as: English, the language a reader who does
    /// not read Russian is likeliest to read. Where nothing at all was said, each caller has
    /// its own default instead (the OS's language on a desktop, Russian on the console and in
    /// the channels: the product's first language).
    pub const FALLBACK: Lang = Lang::En;

    /// The language tag (`en`, `ru`), also used to pick a notice's text.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    /// The other one (the switch on every console page).
    pub fn other(self) -> Lang {
        match self {
            Lang::Ru => Lang::En,
            Lang::En => Lang::Ru,
        }
    }

    /// The language of a tag such as `ru`, `ru-RU`, `RU` or `ru_RU.UTF-8` (its primary
    /// subtag); `None` if Svetofor does not speak it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag
            .trim()
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "ru" => Some(Lang::Ru),
            _ => None,
        }
    }

    /// The one fallback rule: the language of `tag`, or [`Lang::FALLBACK`] when Svetofor does
    /// not speak it.
    pub fn read(tag: &str) -> Lang {
        Lang::from_tag(tag).unwrap_or(Lang::FALLBACK)
    }

    /// The OS's preferred language if Svetofor speaks it, else [`Lang::FALLBACK`].
    pub fn from_os() -> Lang {
        sys_locale::get_locales()
            .find_map(|l| Lang::from_tag(&l))
            .unwrap_or(Lang::FALLBACK)
    }

    /// A configured language (`ru`, `en`), or the OS's when empty or unknown.
    pub fn from_config(language: &str) -> Lang {
        Lang::from_tag(language).unwrap_or_else(Lang::from_os)
    }

    /// The language of a web request: the cookie the language switch sets (read by the
    /// rule), else the first of `Accept-Language` that Svetofor speaks, else Russian.
    pub fn of_request(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(c) = cookie {
            return Lang::read(c);
        }
        accept_language
            .into_iter()
            .flat_map(|h| h.split(','))
            .map(|part| part.split(';').next().unwrap_or(""))
            .find_map(Lang::from_tag)
            .unwrap_or(Lang::Ru)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_by_their_primary_subtag() {
        for (tag, lang) in [
            ("ru", Some(Lang::Ru)),
            ("ru-RU", Some(Lang::Ru)),
            ("RU", Some(Lang::Ru)),
            ("ru_RU.UTF-8", Some(Lang::Ru)),
            (" en-GB ", Some(Lang::En)),
            ("en_US@euro", Some(Lang::En)),
            ("de-DE", None),
            ("rus", None),
            ("", None),
        ] {
            assert_eq!(Lang::from_tag(tag), lang, "{tag:?}");
        }
    }

    #[test]
    fn a_tag_not_spoken_falls_back_to_english() {
        assert_eq!(Lang::read("de"), Lang::En);
        assert_eq!(Lang::read(""), Lang::En);
        assert_eq!(Lang::read("ru-RU"), Lang::Ru);
        assert_eq!(Lang::from_config("ru"), Lang::Ru);
        assert_eq!(Lang::from_config("en"), Lang::En);
    }

    #[test]
    fn the_cookie_wins_then_accept_language_then_russian() {
        assert_eq!(Lang::of_request(Some("en"), Some("ru")), Lang::En);
        assert_eq!(Lang::of_request(Some("de"), Some("ru")), Lang::En);
        assert_eq!(
            Lang::of_request(None, Some("de-DE,en;q=0.8,ru;q=0.5")),
            Lang::En
        );
        assert_eq!(Lang::of_request(None, Some("ru-RU,ru;q=0.9")), Lang::Ru);
        assert_eq!(Lang::of_request(None, Some("de-DE")), Lang::Ru);
        assert_eq!(Lang::of_request(None, None), Lang::Ru);
    }

    #[test]
    fn each_language_has_an_other() {
        for l in Lang::ALL {
            assert_ne!(l.other(), l);
            assert_eq!(l.other().other(), l);
        }
    }
}
