//! The Svetofor publisher's HTTP side: the API, the feed and its event stream, the support
//! console and the public pages. What a request does is `svetofor_publisher`'s; where it is
//! kept is `svetofor_store`'s.
//!
//! - [`http`]: the accept loop, limits, security headers, the extractors.
//! - [`api`]: `/api/v1`, one file per resource, and the feed (`api::feed`).
//! - [`web`]: pages: the support console (`web::console`) and what anyone may read
//!   (`web::public`: the status page, Statuspage API, Atom/RSS, the in-product banner).
//! - [`serve`]: puts it together ([`Server::start`]).

pub mod api;
pub mod error;
pub mod http;
pub mod serve;
pub mod web;

use std::sync::Arc;

use tokio::sync::watch;

use svetofor_publisher::publisher::Publisher;
use svetofor_publisher::revocation;
use svetofor_store::Store;

use crate::http::limits::{self, AddressCounter, WriteLimiter};

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
    pub console: web::console::Console,
    /// Telegram, webhook and e-mail senders (the outbox's, and `channel test`'s).
    pub senders: Arc<svetofor_channels::Senders>,
    /// Product origins that may read the feed cross-origin (the in-product banner).
    pub embed_origins: web::public::EmbedOrigins,
    /// What the public pages are drawn from.
    pub sight: web::public::SightCache,
    /// Recent answers of `/embed.json`.
    pub embed: web::public::EmbedAnswers,
}
