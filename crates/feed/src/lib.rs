//! The Svetofor feed: the notice model, the formats it is read from, and signatures.
//!
//! Pure: no network, no files, no clock. Callers pass the bytes and the time.
//!
//! - [`model`]: severities, notices, components.
//! - [`v1`]: the Svetofor feed v1 document ([`Feed`]).
//! - [`statuspage`]: Atlassian Statuspage v2 `summary.json`.
//! - [`read()`]: detect the format and read any document into a [`Snapshot`].
//! - [`signature`]: minisign signatures, pinned keys, signing.
//! - [`trust`]: [`accept()`] = signature, parsing, expiry and replay checks together.
//! - [`sse`]: the event-stream framing `/events` uses.
//! - [`bundle`]: the feed and its signature in one object, for CDNs.

// The public contract of the feed format and the API: every public item is documented.
#![warn(missing_docs)]

pub mod bundle;
pub mod model;
pub mod read;
pub mod schema;
pub mod signature;
pub mod snapshot;
pub mod sse;
pub mod statuspage;
pub mod text_rules;
pub mod trust;
pub mod v1;

pub use bundle::{BUNDLE_FORMAT, Bundle};
pub use model::{
    Component, ComponentStatus, Kind, Notice, Phase, Severity, State, Text, Update, Window,
};
pub use read::{MAX_DOCUMENT_BYTES, ReadError, detect, read, read_statuspage, read_v1};
pub use signature::{KeyError, KeyId, SignatureError, SigningKey, TrustedKey};
pub use snapshot::{Format, PhaseRule, Snapshot};
pub use text_rules::{NotWebUrl, escape_html, is_web_url, parse_web_url, root_cause};
pub use trust::{Accepted, FeedError, ReplayFloor, accept};
pub use v1::Feed;
