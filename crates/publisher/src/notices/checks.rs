//! What makes a notice's fields acceptable: lengths, languages, links, component ids, windows,
//! templates. Each refusal names its field.

use chrono::{DateTime, Utc};
use svetofor_feed::v1::is_language_tag;
use svetofor_feed::{Kind, Text, Window};

/// Longest title, in characters, in any language.
pub const MAX_TITLE_CHARS: usize = 200;

/// Longest body or update text, in characters, in any language.
pub const MAX_BODY_CHARS: usize = 4000;

/// Most updates in one notice's timeline.
pub const MAX_UPDATES: usize = 200;

/// Most components one notice may name.
pub const MAX_COMPONENTS: usize = 50;

/// Most languages in one text.
pub const MAX_LANGUAGES: usize = 8;

/// A request refused for what it says, with the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Rejected {
    /// The request field at fault.
    pub field: String,
    /// What is wrong, in plain English words (the API's answer).
    pub message: String,
    /// What is wrong, as data: for a person's own language (the console's catalogue).
    pub why: Why,
    /// The value at fault, where naming it helps (an unknown component's id).
    pub value: Option<String>,
}

/// Why a request was refused, for words in the reader's language; [`Rejected::message`] is
/// the same in English for the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Why {
    /// Only the API meets it (its English message is the words).
    #[default]
    Other,
    Required,
    Empty,
    TooLong {
        chars: usize,
        max: usize,
    },
    ControlCharacters,
    DirectionMark,
    TitleOneLine,
    ComponentId,
    TooManyComponents,
    /// A component id nobody named (a typo would reach no one who follows the real one).
    UnknownComponent,
    /// A new channel's field (its name is the field) is not what that field takes.
    ChannelField,
    MaintenanceNeedsStart,
    EndsBeforeStart,
    WindowOnlyForMaintenance,
    /// A green outage or degradation.
    GreenProblem,
    RedNews,
    InThePast,
    NotAStateForKind,
    BadLink,
    AlreadyClosed,
    AlreadyWithdrawn,
    TooManyUpdates,
    NothingToSay,
    CloseWithResolve,
    CorrectionEmpty,
    TemplateGroup,
    TemplateName,
    TemplateMinutes,
}

pub(super) fn reject(field: &str, why: Why, message: impl Into<String>) -> Rejected {
    Rejected {
        field: field.to_owned(),
        message: message.into(),
        why,
        value: None,
    }
}

pub(super) fn check_text(
    field: &str,
    text: &Text,
    max: usize,
    required: bool,
) -> Result<(), Rejected> {
    if required && text.is_empty() {
        return Err(reject(field, Why::Empty, "must not be empty"));
    }
    if let Text::Translated(map) = text {
        if map.len() > MAX_LANGUAGES {
            return Err(reject(
                field,
                Why::Other,
                format!("at most {MAX_LANGUAGES} languages"),
            ));
        }
        if let Some(tag) = map.keys().find(|k| !is_language_tag(k)) {
            return Err(reject(
                field,
                Why::Other,
                format!("\"{tag}\" is not a language tag such as \"ru\" or \"en\""),
            ));
        }
    }
    for (lang, s) in text.entries("") {
        let n = s.chars().count();
        if n > max {
            let which = if lang.is_empty() {
                String::new()
            } else {
                format!(" ({lang})")
            };
            return Err(reject(
                field,
                Why::TooLong { chars: n, max },
                format!("{n} characters{which}, at most {max} allowed"),
            ));
        }
        if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            return Err(reject(
                field,
                Why::ControlCharacters,
                "contains control characters",
            ));
        }
        if let Some(c) = s.chars().find(|c| is_bidi_control(*c)) {
            return Err(reject(
                field,
                Why::DirectionMark,
                format!(
                    "contains the invisible direction mark U+{:04X}, which can make text read \
                     differently from how it is stored; remove it",
                    c as u32
                ),
            ));
        }
    }
    Ok(())
}

/// A title is one line: a line break or tab would break every banner, menu and notification.
pub(super) fn check_title(title: &Text) -> Result<(), Rejected> {
    check_text("title", title, MAX_TITLE_CHARS, true)?;
    if title
        .entries("")
        .into_iter()
        .any(|(_, s)| s.chars().any(|c| c == '\n' || c == '\r' || c == '\t'))
    {
        return Err(reject(
            "title",
            Why::TitleOneLine,
            "must be one line: no line breaks or tabs (put details in the body)",
        ));
    }
    Ok(())
}

/// Unicode's bidirectional formatting characters (marks, embeddings, overrides, isolates):
/// invisible, and able to reorder what a reader sees.
pub(super) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks a component id: lower case letters, digits, `-`, `_`, `.` only (surrounding spaces
/// are trimmed). Upper case is refused, not folded: "Платежи" and "платежи" would otherwise
/// silently become one id, and the display name is where capitals belong.
pub fn component_id(raw: &str) -> Result<String, Rejected> {
    let id = raw.trim().to_owned();
    if id != id.to_lowercase() {
        return Err(reject(
            "components",
            Why::ComponentId,
            format!(
                "\"{raw}\": component ids are lower case; write \"{}\" (set a display name \
                 with capitals through PUT /api/v1/components/{{id}})",
                id.to_lowercase()
            ),
        ));
    }
    if id.is_empty() || id.len() > 64 {
        return Err(reject(
            "components",
            Why::ComponentId,
            format!("\"{raw}\": an id is 1 to 64 characters"),
        ));
    }
    if !id
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(reject(
            "components",
            Why::ComponentId,
            format!("\"{raw}\": use letters, digits, '-', '_' and '.' only"),
        ));
    }
    Ok(id)
}

pub(super) fn check_window(
    kind: Kind,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
) -> Result<Option<Window>, Rejected> {
    match (kind, starts_at, ends_at) {
        (Kind::Maintenance, None, _) => Err(reject(
            "starts_at",
            Why::MaintenanceNeedsStart,
            "maintenance needs a start time",
        )),
        (Kind::Maintenance, Some(s), e) => {
            if e.is_some_and(|e| e <= s) {
                return Err(reject(
                    "ends_at",
                    Why::EndsBeforeStart,
                    "must be after starts_at",
                ));
            }
            Ok(Some(Window {
                starts_at: s,
                ends_at: e,
            }))
        }
        (_, None, None) => Ok(None),
        _ => Err(reject(
            "starts_at",
            Why::WindowOnlyForMaintenance,
            "only maintenance notices have a window",
        )),
    }
}
