//! The Svetofor client engine: everything a client does short of drawing.
//!
//! - [`fetch`]: HTTP(S) GETs with the limits every client needs (size, time, redirects).
//! - [`source`]: a feed source (file or URL) loaded with the signature beside it.
//! - [`feed_check`]: one source checked by hand (`svetoforctl check`, the settings window).
//! - [`engine`]: follows the sources (push, else poll, mirrors), trusts, caches, alerts.
//! - [`cache`]: the last good document and what the client remembers, on disk.
//! - [`config`]: the user's file and the system policy, merged as types.
//! - [`view`]: what the app shows, as plain data.
//! - [`alerts`]: which changes deserve a notification.
//! - [`lang`]: which language the client speaks.
//!
//! What the desktop draws from these (tray, banner, words) lives in `svetofor-desktop-model`.

pub mod alerts;
pub mod cache;
pub mod config;
pub mod engine;
pub mod feed_check;
pub mod fetch;
pub mod source;
pub mod view;

pub use fetch::{Conditional, FetchError, Fetched, Fetcher, FetcherOptions};
pub use source::{Loaded, SourceError, load};
pub use svetofor_i18n::Lang;
