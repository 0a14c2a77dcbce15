//! What the resident app (`svetofor`) and its window process (`svetofor-window`) say to each
//! other: one JSON object per line, over the child's stdin (down) and stdout (up).
//!
//! Down, the parent gives the child everything a page shows, already worded: the child holds
//! no rules, no catalogue and no feed, and draws only what it was given. Up, the child reports
//! what the user did; the parent treats each message as untrusted input (a link is opened only
//! if the feed gave it, a form is checked like any user file) and answers requests by id.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::settings::SettingsForm;

/// The longest line either side reads; a longer one is refused, not buffered.
pub const MAX_LINE: usize = 4 * 1024 * 1024;

/// A window of the window process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowKind {
    /// The strip across the top of the screen.
    Banner,
    /// The details window.
    Details,
    /// The settings window.
    Settings,
}

impl WindowKind {
    /// The window's label (capabilities grant commands per label).
    pub fn label(self) -> &'static str {
        match self {
            WindowKind::Banner => "banner",
            WindowKind::Details => "details",
            WindowKind::Settings => "settings",
        }
    }

    /// The kind of a window label.
    pub fn from_label(label: &str) -> Option<WindowKind> {
        [
            WindowKind::Banner,
            WindowKind::Details,
            WindowKind::Settings,
        ]
        .into_iter()
        .find(|k| k.label() == label)
    }
}

/// Parent to child.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Down {
    /// The pages' words in the UI language, and the normal windows' titles. Sent first, and
    /// again when the language changes (open pages reload their words).
    Words {
        /// BCP 47 tag of the UI language.
        lang: String,
        /// The pages' messages (`page-*` keys).
        strings: Value,
        /// Title of the details window.
        details_title: String,
        /// Title of the settings window.
        settings_title: String,
    },
    /// Opens the banner without taking focus, or redraws it when open.
    Banner {
        /// The window title (window lists and screen readers read it).
        title: String,
        /// The banner model (`banner::BannerModel`).
        model: Value,
    },
    /// Closes the banner.
    CloseBanner,
    /// The details window's model; `raise` opens (or raises) the window, otherwise only an
    /// open one is redrawn.
    Details {
        /// `details::DetailsModel`.
        model: Value,
        /// The notice to show first.
        focus: Option<String>,
        /// Open or raise the window.
        raise: bool,
    },
    /// The settings window's content; `raise` as for details.
    Settings {
        /// `settings::SettingsState`.
        state: Value,
        /// Open or raise the window.
        raise: bool,
    },
    /// The answer to a request the child made.
    Reply {
        /// The request's id.
        id: u64,
        /// What the page gets back: the command's value, or its error text.
        result: Result<Value, String>,
    },
}

/// Child to parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Up {
    /// A window went away: closed by the user or the window manager, or (the banner) as
    /// asked. Every `CloseBanner` is answered by exactly one `Closed` of the banner.
    Closed {
        /// Which.
        window: WindowKind,
    },
    /// The banner's Dismiss button.
    Dismiss,
    /// A page's "Details" button.
    OpenDetails,
    /// Open a notice's link in the browser (answered with `null` or an error text).
    OpenLink {
        /// Request id.
        id: u64,
        /// The link.
        url: String,
    },
    /// Save the settings form (answered with the save's reply).
    SaveSettings {
        /// Request id.
        id: u64,
        /// The form as the page sent it.
        form: SettingsForm,
    },
    /// Check a feed with keys (answered with a check report).
    CheckFeed {
        /// Request id.
        id: u64,
        /// Feed URL as typed.
        url: String,
        /// Keys as typed.
        public_keys: Vec<String>,
    },
}

/// Why a line from the other side was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LineError {
    /// Longer than [`MAX_LINE`].
    #[error("a message of more than {MAX_LINE} bytes")]
    TooLong,
    /// Not a message of the protocol.
    #[error("not a message: {0}")]
    Invalid(#[from] serde_json::Error),
}

/// One message as a line (JSON has no raw newlines, so the line is the message).
pub fn to_line<T: Serialize>(message: &T) -> String {
    let mut line = serde_json::to_string(message).unwrap_or_else(|e| {
        // Every field is plain data; a failure here is a bug, said rather than hidden.
        tracing::error!("cannot encode a window message: {e}");
        String::from("{}")
    });
    line.push('\n');
    line
}

/// Reads one message from a line (without its newline).
pub fn from_line<T: for<'de> Deserialize<'de>>(line: &str) -> Result<T, LineError> {
    if line.len() > MAX_LINE {
        return Err(LineError::TooLong);
    }
    Ok(serde_json::from_str(line.trim_end_matches(['\r', '\n']))?)
}
