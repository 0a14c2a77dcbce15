//! Which language the client speaks: the UI's words (in the desktop model) and the notice
//! texts it picks from a feed follow the same choice.

use std::fmt;

/// A language of the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English.
    En,
    /// Russian.
    Ru,
}

impl Lang {
    /// Every UI language.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ru];

    /// The language tag (`en`, `ru`), also used to pick a notice's text.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    /// The UI language for a tag such as `ru`, `ru-RU` or `ru_RU.UTF-8`; `None` if the app
    /// does not speak it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag
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

    /// The OS's preferred language if the app speaks it, else English.
    pub fn from_os() -> Lang {
        sys_locale::get_locales()
            .find_map(|l| Lang::from_tag(&l))
            .unwrap_or(Lang::En)
    }

    /// The configured language (`ru`, `en`), or the OS's when empty or unknown.
    pub fn from_config(language: &str) -> Lang {
        Lang::from_tag(language).unwrap_or_else(Lang::from_os)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}
