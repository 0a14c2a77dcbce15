//! The Svetofor client engine: everything a client does short of drawing.
//!
//! - [`fetch`]: HTTP(S) GETs with the limits every client needs (size, time, redirects).
//! - [`source`]: a feed source (file or URL) loaded with the signature beside it.
//! - [`fsutil`]: atomic file writes.

pub mod fetch;
pub mod fsutil;
pub mod source;

pub use fetch::{FetchError, Fetched, Fetcher, FetcherOptions};
pub use source::{Loaded, SourceError, load};
