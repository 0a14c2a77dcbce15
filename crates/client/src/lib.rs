//! The Svetofor client engine: everything a client does short of drawing.
//!
//! - [`fetch`]: HTTP(S) GETs with the limits every client needs (size, time, redirects).
//! - [`source`]: a feed source (file or URL) loaded with the signature beside it.
//! - [`feed_check`]: one source checked by hand (`svetoforctl check`, the settings window).
//! - [`fsutil`]: atomic file writes.
//! - [`cache`]: the last good document and what the client remembers, on disk.
//! - [`view`]: what the app shows, as plain data.
//! - [`alerts`]: which changes deserve a notification.
//! - [`tray`], [`banner`], [`details`], [`notification`]: what the desktop app draws, as
//!   plain data; [`labels`] and [`i18n`] hold their words in Russian and English.
//! - [`settings`] and [`settings_text`]: the settings window's form, checks, save and words.

pub mod alerts;
pub mod autostart;
pub mod banner;
pub mod cache;
pub mod config;
pub mod details;
pub mod diagnostics;
pub mod engine;
pub mod feed_check;
pub mod fetch;
pub mod fsutil;
pub mod i18n;
pub mod labels;
pub mod notification;
pub mod settings;
pub mod settings_text;
pub mod source;
pub mod tray;
pub mod view;

pub use fetch::{Conditional, FetchError, Fetched, Fetcher, FetcherOptions};
pub use source::{Loaded, SourceError, load};
