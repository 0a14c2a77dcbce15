//! Pieces every console form shares: texts in two languages, moments in the browser's zone,
//! selects, and the marks checks leave next to fields.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use svetofor_feed::Text;
use svetofor_publisher::notices::{Rejected, Why};
use svetofor_publisher::when::{self, WhenError};

use super::checks::Check;
use crate::web::words::Words;

/// Texts in the languages that have one.
pub(super) fn text(ru: &str, en: &str) -> Option<Text> {
    let map: BTreeMap<String, String> = [("ru", ru), ("en", en)]
        .into_iter()
        .filter(|(_, t)| !t.trim().is_empty())
        .map(|(l, t)| (l.to_owned(), t.trim().replace("\r\n", "\n")))
        .collect();
    (!map.is_empty()).then_some(Text::Translated(map))
}

/// A comma-separated list, each item trimmed, empty ones left out (`payments, ,reports`).
pub(super) fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A moment from the form, read against `base` in the browser's zone (`tz`: minutes east of
/// UTC, as the console's script sends it; empty means UTC). What may be typed is
/// [`svetofor_publisher::when`]'s: `2ч`, `30 мин`, `15:00`, `завтра 9:00`, `04.12.2026 15:00`,
/// or a time with ` UTC` after it as the console writes times back.
pub(super) fn moment(
    raw: &str,
    base: DateTime<Utc>,
    tz: &str,
) -> Result<Option<DateTime<Utc>>, WhenError> {
    when::read(raw, base, zone_of(tz))
}

/// The browser's zone from the minutes east of UTC its script sent; UTC if it sent none.
pub(super) fn zone_of(tz: &str) -> FixedOffset {
    FixedOffset::east_opt(offset_minutes(tz) * 60).unwrap_or(FixedOffset::east_opt(0).expect("UTC"))
}

/// The minutes east of UTC the console's script sent (0 if none), within real zones' range.
pub(super) fn offset_minutes(tz: &str) -> i32 {
    tz.trim()
        .parse::<i32>()
        .unwrap_or(0)
        .clamp(-14 * 60, 14 * 60)
}

/// The publisher's refusal in the console's language: its English message is the API's.
pub(super) fn refusal_text(w: &Words, r: &Rejected) -> String {
    let key = match r.why {
        // Only the API and the command line meet these; their words are the API's.
        Why::Other => return r.message.clone(),
        Why::TooLong { chars, max } => {
            return w.tr_str(
                "console-refusal-too-long",
                &[("chars", &chars.to_string()), ("max", &max.to_string())],
            );
        }
        Why::Required => "console-refusal-required",
        Why::Empty => "console-refusal-empty",
        Why::ControlCharacters => "console-refusal-control",
        Why::DirectionMark => "console-refusal-direction-mark",
        Why::TitleOneLine => "console-refusal-title-one-line",
        Why::ComponentId => "console-refusal-component-id",
        Why::TooManyComponents => "console-refusal-too-many-components",
        Why::ChannelField => {
            let key = match r.field.as_str() {
                "name" => "console-channels-refused-name",
                "chat" => "console-channels-refused-chat",
                "bot_token" => "console-channels-refused-bot-token",
                "api_url" => "console-channels-refused-api-url",
                "url" => "console-channels-refused-url",
                "secret" => "console-channels-refused-secret",
                "smtp" => "console-channels-refused-smtp",
                "from" => "console-channels-refused-from",
                "to" => "console-channels-refused-to",
                "language" => "console-channels-refused-language",
                "utc_offset_minutes" => "console-channels-refused-utc-offset",
                // A field the console does not know: the API's words.
                _ => return r.message.clone(),
            };
            return w.t(key);
        }
        Why::UnknownComponent => {
            return w.tr_str(
                "console-refusal-unknown-component",
                &[("id", r.value.as_deref().unwrap_or_default())],
            );
        }
        Why::MaintenanceNeedsStart => "console-refusal-maintenance-start",
        Why::EndsBeforeStart => "console-refusal-ends-before-start",
        Why::WindowOnlyForMaintenance => "console-refusal-window-only-maintenance",
        Why::GreenProblem => "console-refusal-green-problem",
        Why::RedNews => "console-refusal-red-news",
        Why::InThePast => "console-refusal-in-the-past",
        Why::NotAStateForKind => "console-refusal-state-for-kind",
        Why::BadLink => "console-refusal-link",
        Why::AlreadyClosed => "console-refusal-closed",
        Why::AlreadyWithdrawn => "console-refusal-withdrawn",
        Why::TooManyUpdates => "console-refusal-too-many-updates",
        Why::NothingToSay => "console-refusal-nothing-to-say",
        Why::CloseWithResolve => "console-refusal-close-with-resolve",
        Why::CorrectionEmpty => "console-refusal-correction-empty",
        Why::TemplateGroup => "console-refusal-template-group",
        Why::TemplateName => "console-refusal-template-name",
        Why::TemplateMinutes => "console-refusal-template-minutes",
    };
    w.t(key)
}

/// What to say next to a time field that could not be read.
pub(super) fn time_refusal(w: &Words, e: WhenError) -> String {
    w.t(match e {
        WhenError::Unreadable => "console-time-unreadable",
        WhenError::NoClock => "console-time-no-clock",
        WhenError::NoSuchTime => "console-time-no-such",
        WhenError::TooFar => "console-time-too-far",
    })
}

/// A moment as the form shows it back (read by [`moment`] as UTC).
pub(super) fn form_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A text's wording in exactly `lang`, for a form field of that language: a text in one
/// language only leaves the other field empty rather than copy it there (and save it back
/// as a translation). A plain text belongs to the default language, Russian.
pub(super) fn in_lang<'a>(t: &'a Text, lang: &str) -> &'a str {
    match t {
        Text::Plain(s) if lang == "ru" => s,
        Text::Plain(_) => "",
        Text::Translated(map) => map.get(lang).map_or("", String::as_str),
    }
}

/// A filter's moment: a time, or a delay back from now ("2ч" is the last two hours).
pub(super) fn moment_of(raw: &str, tz: &str) -> Result<Option<DateTime<Utc>>, WhenError> {
    when::read_back(raw, Utc::now(), zone_of(tz))
}

/// Whether two texts read the same in both console languages (a plain text and its Russian
/// translation are the same words).
pub(super) fn same_words(a: &Text, b: &Text) -> bool {
    ["ru", "en"].iter().all(|l| in_lang(a, l) == in_lang(b, l))
}

pub(super) fn word<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

/// A select as plain data, for the `select` macro (`templates/console/form.html`).
pub(super) struct Select {
    pub name: &'static str,
    pub options: Vec<Choice>,
}

/// One option of a [`Select`].
pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub(super) fn new(value: &str, label: String, selected: bool) -> Choice {
        Choice {
            value: value.to_owned(),
            label,
            selected,
        }
    }
}

pub(super) const DELAYS: [&str; 5] = ["15m", "30m", "1h", "2h", "4h"];

/// The promise of a next update: none, one a draft or template brought along, or a delay.
pub(super) fn delays(w: &Words, name: &'static str, current: &str) -> Select {
    let mut options = vec![Choice::new(
        "",
        w.t("console-compose-no-promise"),
        current.is_empty(),
    )];
    // A time or delay a draft or template brought along is offered as it is.
    if !current.is_empty() && !DELAYS.contains(&current) {
        options.push(Choice::new(current, current.to_owned(), true));
    }
    for d in DELAYS {
        let (n, unit) = d.split_at(d.len() - 1);
        let key = if unit == "h" {
            "console-unit-hours"
        } else {
            "console-unit-minutes"
        };
        let delay = w.tr_str(key, &[("n", n)]);
        options.push(Choice::new(
            d,
            w.tr_str("console-compose-in", &[("delay", &delay)]),
            current == d,
        ));
    }
    Select { name, options }
}

/// The messages for failed checks and refusals, by field.
pub(super) type Marks = BTreeMap<String, Vec<String>>;

pub(super) fn marks_of(w: &Words, failed: &[Check]) -> Marks {
    let mut m = Marks::new();
    for c in failed {
        m.entry(c.field().to_owned())
            .or_default()
            .push(w.t(c.key()));
    }
    m
}

/// Whether the person ticked "publish anyway" and said why.
pub(super) fn confirmed(confirm: &str, reason: &str) -> bool {
    !confirm.is_empty() && !reason.trim().is_empty()
}

/// The form field an API field's refusal belongs next to.
pub(super) fn form_field(api_field: &str) -> String {
    match api_field {
        "title" => "title_ru",
        "body" => "body_ru",
        other => other,
    }
    .to_owned()
}

/// What the audit log keeps of checks that were overridden.
pub(super) fn overrides(failed: &[Check], reason: &str) -> serde_json::Value {
    serde_json::json!({
        "checks": failed.iter().map(|c| c.name()).collect::<Vec<_>>(),
        "reason": reason.trim(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::words::{self, Lang};

    /// Every refusal a person can meet in the console is said in each console language, in
    /// its own words: never the API's English inside the Russian console.
    #[test]
    fn every_refusal_has_words_in_each_language() {
        let all = [
            Why::Required,
            Why::Empty,
            Why::TooLong {
                chars: 250,
                max: 200,
            },
            Why::ControlCharacters,
            Why::DirectionMark,
            Why::TitleOneLine,
            Why::ComponentId,
            Why::TooManyComponents,
            Why::MaintenanceNeedsStart,
            Why::EndsBeforeStart,
            Why::WindowOnlyForMaintenance,
            Why::GreenProblem,
            Why::RedNews,
            Why::InThePast,
            Why::NotAStateForKind,
            Why::BadLink,
            Why::AlreadyClosed,
            Why::AlreadyWithdrawn,
            Why::TooManyUpdates,
            Why::NothingToSay,
            Why::CloseWithResolve,
            Why::CorrectionEmpty,
            Why::TemplateGroup,
            Why::TemplateName,
            Why::TemplateMinutes,
            Why::UnknownComponent,
        ];
        for lang in Lang::ALL {
            let w = words::of(lang);
            for field in [
                "name",
                "chat",
                "bot_token",
                "api_url",
                "url",
                "secret",
                "smtp",
                "from",
                "to",
                "language",
                "utc_offset_minutes",
            ] {
                let r = Rejected {
                    field: field.into(),
                    message: "the API's English".into(),
                    why: Why::ChannelField,
                    value: None,
                };
                let said = refusal_text(w, &r);
                assert!(
                    !said.starts_with("console-") && said != r.message,
                    "{lang} {field}: {said}"
                );
            }
        }
        for lang in Lang::ALL {
            let w = words::of(lang);
            for why in all {
                let r = Rejected {
                    field: "f".into(),
                    message: "the API's English".into(),
                    why,
                    value: Some("paymnts".into()),
                };
                let said = refusal_text(w, &r);
                assert!(
                    !said.starts_with("console-refusal") && said != r.message,
                    "{lang} {why:?}: {said}"
                );
            }
        }
        let ru = refusal_text(
            words::of(Lang::Ru),
            &Rejected {
                field: "title".into(),
                message: "250 characters, at most 200 allowed".into(),
                why: Why::TooLong {
                    chars: 250,
                    max: 200,
                },
                value: None,
            },
        );
        assert_eq!(ru, "Слишком длинно: 250 знаков, можно не больше 200.");
        // Braces are written as Fluent literals: the reader sees {time}.
        for lang in Lang::ALL {
            let said = words::of(lang).t("console-check-placeholder");
            assert!(said.contains(" {time}:"), "{said}");
        }
    }
}
