//! Sending notices where the feed does not reach: a Telegram chat, a signed webhook, an
//! inbox. The publisher decides what goes where and when (its outbox); this crate only knows
//! how each channel is spoken to, and says how a try went.

mod email;
mod telegram;
mod webhook;
pub mod words;

use std::time::Duration;

use svetofor_api::{ChannelConfig, NoticeEvent};

pub use webhook::{new_secret, sign};

/// How one try went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The channel took it; `thread` is what later messages about the notice refer to (a
    /// Telegram message id), when the channel gave one.
    Sent { thread: Option<String> },
    /// Try again: after exactly `after` when the channel said so (Telegram's `retry_after`),
    /// else on the usual schedule.
    Retry {
        after: Option<Duration>,
        error: String,
    },
    /// Refused for good; `disable` when the channel asked to be switched off (a webhook's
    /// 410 Gone).
    Refused { error: String, disable: bool },
}

/// What a delivery is about, besides the event itself.
#[derive(Debug, Clone, Copy)]
pub struct Addressed<'a> {
    /// The delivery's number: a webhook's `webhook-id` is `msg_<id>`, the same on every try.
    pub delivery_id: i64,
    /// The channel's language, `ru` or `en`.
    pub language: &'a str,
    /// Minutes east of UTC for times in texts.
    pub utc_offset_minutes: i32,
    /// The first message about this notice on this channel, when there was one.
    pub thread: Option<&'a str>,
}

/// The senders, sharing one HTTP client.
pub struct Senders {
    http: reqwest::Client,
}

/// Why a sender could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up the HTTP client for channels: {0}")]
pub struct SetupError(String);

impl Senders {
    /// Senders with a client that follows no redirects (a webhook's 3xx is a failure, as
    /// Standard Webhooks asks) and gives up on a try after 15 s.
    pub fn new() -> Result<Senders, SetupError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("Svetofor/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| SetupError(e.to_string()))?;
        Ok(Senders { http })
    }

    /// Delivers `event` to the channel `config` describes.
    pub async fn deliver(
        &self,
        config: &ChannelConfig,
        event: &NoticeEvent,
        to: Addressed<'_>,
    ) -> Outcome {
        match config {
            ChannelConfig::Telegram {
                chat,
                bot_token,
                api_url,
            } => {
                let bot = telegram::Bot::new(&self.http, bot_token, api_url.as_deref());
                bot.deliver(chat, event, to).await
            }
            ChannelConfig::Webhook { url, secret } => {
                let secret = secret.as_deref().unwrap_or_default();
                webhook::deliver(&self.http, url, secret, event, to.delivery_id).await
            }
            ChannelConfig::Email { .. } => email::deliver(config, event, to).await,
        }
    }

    /// Checks that the channel can be reached: the bot exists (`getMe`), the endpoint takes
    /// a signed test post, the SMTP server accepts a test message. Says what it found.
    pub async fn test(&self, config: &ChannelConfig, language: &str) -> Result<String, String> {
        match config {
            ChannelConfig::Telegram {
                bot_token, api_url, ..
            } => {
                telegram::Bot::new(&self.http, bot_token, api_url.as_deref())
                    .me()
                    .await
            }
            ChannelConfig::Webhook { url, secret } => {
                webhook::test(&self.http, url, secret.as_deref().unwrap_or_default()).await
            }
            ChannelConfig::Email { .. } => email::test(config, language).await,
        }
    }
}

/// The innermost cause of an error, with no URL in it (a Telegram URL holds the bot's
/// token).
fn cause(e: reqwest::Error) -> String {
    svetofor_feed::root_cause(&e.without_url())
}
