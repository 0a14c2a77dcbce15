//! What the desktop app shows, as plain data tested without a GUI: the shell draws these
//! models and sends back what the user did.
//!
//! - [`tray`], [`banner`], [`details`], [`notification`]: the tray light and menu, the banner
//!   strip and its rules, the details window, OS notifications.
//! - [`labels`] and [`i18n`]: their words in Russian and English (Fluent catalogues).
//! - [`settings`] and [`settings_text`]: the settings window's form, checks, save and words.
//! - [`diagnostics`]: the report "Copy diagnostics" puts on the clipboard.
//! - [`autostart`]: what start-at-login writes on each OS.
//! - [`window_protocol`]: what the resident app and its window process say to each other.

pub mod autostart;
pub mod banner;
pub mod details;
pub mod diagnostics;
pub mod i18n;
pub mod labels;
pub mod layout;
pub mod notification;
pub mod preview;
pub mod problem;
pub mod settings;
pub mod settings_text;
pub mod tray;
pub mod window_protocol;
