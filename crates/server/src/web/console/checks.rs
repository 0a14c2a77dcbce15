//! The checks a notice goes through before it is published, from how outages are best told:
//! say the impact, promise the next update, give a contact, write both languages, keep the
//! title short enough for the banner, and end an outage with a summary. Each is a warning
//! support may override with a reason (it goes to the audit log); contradictions are refused
//! by the publisher itself. Pure: no I/O.

use svetofor_feed::Severity;

/// Longest title the desktop banner shows whole.
pub const BANNER_TITLE_CHARS: usize = 120;

/// One check that did not pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// No body in any language: employees are not told what does not work for them.
    NoImpact,
    /// A red notice without a promised next update.
    NoNextUpdate,
    /// No way to reach support in the text (an address, a link or a phone number).
    NoContact,
    /// The title is in one language only.
    MissingLanguage,
    /// The title is longer than the banner shows.
    TitleTooLong,
    /// A red notice ends without a summary.
    NoSummary,
    /// A template's `{time}` or `{component}` left in, which would be published as it is.
    Placeholder,
}

impl Check {
    /// The form field it is about.
    pub fn field(self) -> &'static str {
        match self {
            Check::NoImpact | Check::NoContact => "body_ru",
            Check::NoNextUpdate => "next_update_at",
            Check::MissingLanguage | Check::TitleTooLong => "title_ru",
            Check::NoSummary => "text_ru",
            Check::Placeholder => "body_ru",
        }
    }

    /// Its message key in the console catalogue.
    pub fn key(self) -> &'static str {
        match self {
            Check::NoImpact => "console-check-no-impact",
            Check::NoNextUpdate => "console-check-no-next-update",
            Check::NoContact => "console-check-no-contact",
            Check::MissingLanguage => "console-check-missing-language",
            Check::TitleTooLong => "console-check-title-too-long",
            Check::NoSummary => "console-check-no-summary",
            Check::Placeholder => "console-check-placeholder",
        }
    }

    /// Its name in the audit log.
    pub fn name(self) -> &'static str {
        match self {
            Check::NoImpact => "no_impact",
            Check::NoNextUpdate => "no_next_update",
            Check::NoContact => "no_contact",
            Check::MissingLanguage => "missing_language",
            Check::TitleTooLong => "title_too_long",
            Check::NoSummary => "no_summary",
            Check::Placeholder => "placeholder",
        }
    }
}

/// What the compose form holds, for the checks.
#[derive(Debug, Clone, Default)]
pub struct Draft<'a> {
    pub severity: Option<Severity>,
    pub title_ru: &'a str,
    pub title_en: &'a str,
    pub body_ru: &'a str,
    pub body_en: &'a str,
    pub next_update: bool,
}

/// Whether `text` tells how to reach someone: an address, a link or a phone number.
fn has_contact(text: &str) -> bool {
    let digits = text
        .split(|c: char| !(c.is_ascii_digit() || c == ' ' || c == '-' || c == '(' || c == ')'))
        .any(|run| run.chars().filter(char::is_ascii_digit).count() >= 5);
    text.contains('@') || text.contains("http://") || text.contains("https://") || digits
}

/// Whether `text` still holds a template's placeholder: `{` and `}` around a short word with
/// no spaces (`{time}`, `{компонент}`), as templates write them.
fn has_placeholder(text: &str) -> bool {
    text.split('{').skip(1).any(|after| {
        after.split_once('}').is_some_and(|(inside, _)| {
            let n = inside.chars().count();
            (1..=40).contains(&n)
                && inside
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
        })
    })
}

/// The checks a new notice fails.
pub fn before_publish(d: &Draft<'_>) -> Vec<Check> {
    let mut out = vec![];
    if [d.title_ru, d.title_en, d.body_ru, d.body_en]
        .iter()
        .any(|t| has_placeholder(t))
    {
        out.push(Check::Placeholder);
    }
    let (ru, en) = (d.title_ru.trim(), d.title_en.trim());
    if ru.is_empty() != en.is_empty() {
        out.push(Check::MissingLanguage);
    }
    if ru.chars().count().max(en.chars().count()) > BANNER_TITLE_CHARS {
        out.push(Check::TitleTooLong);
    }
    let body = format!("{}\n{}", d.body_ru, d.body_en);
    if body.trim().is_empty() {
        out.push(Check::NoImpact);
    } else if d.severity != Some(Severity::Green) && !has_contact(&body) {
        out.push(Check::NoContact);
    }
    if d.severity == Some(Severity::Red) && !d.next_update {
        out.push(Check::NoNextUpdate);
    }
    out
}

/// The checks ending a notice of `severity` with `summary` fails.
pub fn before_resolve(severity: Severity, summary: &str) -> Vec<Check> {
    if severity == Severity::Red && summary.trim().is_empty() {
        vec![Check::NoSummary]
    } else {
        vec![]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn red<'a>(title_ru: &'a str, title_en: &'a str, body: &'a str, next: bool) -> Draft<'a> {
        Draft {
            severity: Some(Severity::Red),
            title_ru,
            title_en,
            body_ru: body,
            body_en: "",
            next_update: next,
        }
    }

    #[test]
    fn a_good_outage_notice_passes_and_each_omission_is_named() {
        let good = red(
            "Платежи не проходят",
            "Payments fail",
            "Оплата картой не работает. Вопросы: support@example.com",
            true,
        );
        assert!(before_publish(&good).is_empty());
        assert_eq!(
            before_publish(&red(
                "Платежи",
                "",
                "Не работает, пишите support@example.com",
                true
            )),
            [Check::MissingLanguage]
        );
        assert_eq!(
            before_publish(&red("Платежи", "Payments", "", false)),
            [Check::NoImpact, Check::NoNextUpdate]
        );
        assert_eq!(
            before_publish(&red("П", "P", "Не работает оплата", true)),
            [Check::NoContact]
        );
        assert!(before_publish(&red("П", "P", "Звоните +7 (495) 123-45-67", true)).is_empty());
        let long = "д".repeat(121);
        assert_eq!(
            before_publish(&red(&long, "P", "a@b", true)),
            [Check::TitleTooLong]
        );
        assert_eq!(
            before_publish(&red(
                "Платежи не проходят с {time}",
                "Payments fail",
                "a@b",
                true
            )),
            [Check::Placeholder]
        );
        assert_eq!(
            before_publish(&red("П", "P", "Не работает {компонент}. a@b", true)),
            [Check::Placeholder]
        );
        // Braces in ordinary writing are not a placeholder.
        assert!(before_publish(&red("П", "P", "Код ошибки { 502 } a@b {}", true)).is_empty());
        assert_eq!(before_resolve(Severity::Red, " "), [Check::NoSummary]);
        assert!(before_resolve(Severity::Yellow, "").is_empty());
    }
}
