//! The message catalogues: every word the desktop app shows, in Russian and English.
//!
//! The catalogues are Fluent files built into the binary (`crates/desktop-model/i18n/*.ftl`),
//! read by `svetofor-i18n`'s one loader. A key missing from a catalogue shows as the key
//! itself and is logged; a test keeps both catalogues in step.

pub use svetofor_i18n::parity::{keys_of, variables_of};
pub use svetofor_i18n::{Arg, Lang};

/// The desktop app's book of words.
pub struct Desktop;

impl svetofor_i18n::Book for Desktop {
    const NAME: &'static str = "desktop";

    fn source(lang: Lang) -> &'static str {
        match lang {
            Lang::En => include_str!("../i18n/en.ftl"),
            Lang::Ru => include_str!("../i18n/ru.ftl"),
        }
    }
}

/// One language's messages of the desktop app.
pub type Catalog = svetofor_i18n::Catalog<Desktop>;
