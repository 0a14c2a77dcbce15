//! The console's and the public pages' words in Russian and English (Fluent files built into
//! the binary, read by `svetofor-i18n`), and which language a request reads: the
//! `svetofor_lang` cookie the switch sets, else `Accept-Language` ([`Lang::of_request`]).

pub use svetofor_i18n::Lang;

/// The console's book of words.
pub struct Console;

impl svetofor_i18n::Book for Console {
    const NAME: &'static str = "console";

    fn source(lang: Lang) -> &'static str {
        match lang {
            Lang::Ru => include_str!("../../i18n/ru.ftl"),
            Lang::En => include_str!("../../i18n/en.ftl"),
        }
    }
}

/// One language's console messages.
pub type Words = svetofor_i18n::Catalog<Console>;

/// The shared catalogue of `lang`.
pub fn of(lang: Lang) -> &'static Words {
    static RU: std::sync::OnceLock<Words> = std::sync::OnceLock::new();
    static EN: std::sync::OnceLock<Words> = std::sync::OnceLock::new();
    match lang {
        Lang::Ru => RU.get_or_init(|| Words::new(Lang::Ru)),
        Lang::En => EN.get_or_init(|| Words::new(Lang::En)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use svetofor_i18n::Book;
    use svetofor_i18n::parity::keys_of;

    #[test]
    fn both_catalogues_have_the_same_keys_and_every_message_formats() {
        svetofor_i18n::parity::check(Console::source(Lang::Ru), Console::source(Lang::En)).unwrap();
        for lang in Lang::ALL {
            let w = of(lang);
            for k in keys_of(Console::source(lang)) {
                let text = w.tr_str(
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
