//! The Svetofor publisher: support posts notices through a small JSON API; the server keeps
//! them in SQLite, signs a Svetofor v1 feed after every change, serves it with ETags, and
//! pushes it over Server-Sent Events.
//!
//! - [`store`]: durable storage behind the [`store::Store`] trait ([`store::SqliteStore`],
//!   [`store::PgStore`]).
//! - [`notices`]: what a request may do to a notice (pure rules).
//! - [`publisher`]: the single writer: store, sign, publish.
//! - [`api`], [`feed_http`]: HTTP.
//! - [`auth`], [`limits`]: tokens and roles; per-address limits.

pub mod accounts;
pub mod api;
pub mod api_channels;
pub mod api_drafts;
pub mod auth;
pub mod console;
pub mod error;
pub mod feed_http;
pub mod http1;
pub mod intake;
pub mod limits;
pub mod notices;
pub mod object_mirror;
pub mod outbox;
pub mod page_headers;
pub mod public;
pub mod publisher;
pub mod revocation;
pub mod serve;
pub mod store;
pub mod write_timeout;

use std::sync::Arc;

use tokio::sync::watch;

use crate::limits::{AddressCounter, WriteLimiter};
use crate::publisher::Publisher;
use crate::store::Store;

pub use serve::{ServeOptions, Server, export, load_or_create_key};

/// What every handler shares.
pub struct AppState {
    /// The writer and current feed.
    pub publisher: Arc<Publisher>,
    /// Storage, for reads and tokens.
    pub store: Arc<dyn Store>,
    /// Whether reading needs a token.
    pub private: bool,
    /// The feed's `Cache-Control` value.
    pub cache_control: axum::http::HeaderValue,
    /// Write rate limits.
    pub write_limiter: WriteLimiter,
    /// Open event streams.
    pub streams: Arc<AddressCounter>,
    /// How long an event stream lasts at most ([`limits::Limits::stream_lifetime`]).
    pub stream_lifetime: Option<std::time::Duration>,
    /// Becomes true when the server shuts down, ending event streams.
    pub shutdown: watch::Receiver<bool>,
    /// Failed sign-ins by address.
    pub auth_throttle: limits::AuthThrottle,
    /// Revoked token ids: a stream opened with one of them ends.
    pub revoked: revocation::Revoked,
    /// The support console's accounts, sessions and sign-in throttles.
    pub console: console::Console,
    /// Telegram, webhook and e-mail senders (the outbox's, and `channel test`'s).
    pub senders: Arc<svetofor_channels::Senders>,
    /// Product origins that may read the feed cross-origin (the in-product banner).
    pub embed_origins: public::EmbedOrigins,
    /// What the public pages are drawn from.
    pub sight: public::SightCache,
    /// Recent answers of `/embed.json`.
    pub embed: public::EmbedAnswers,
}
