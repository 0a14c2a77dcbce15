//! Channels: where a notice goes besides the feed (Telegram, signed webhooks, e-mail), and
//! the deliveries that take it there.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use svetofor_feed::{Notice, Severity};

/// How a channel is reached, with its secrets. Sent once to `POST /api/v1/channels`; the
/// secrets are never sent back.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ChannelConfig {
    /// A Telegram chat or channel, through a bot.
    Telegram {
        /// `@channelname` or a numeric chat id (`-1001234567890`).
        chat: String,
        /// The bot's token from @BotFather.
        bot_token: String,
        /// The Bot API's address; default `https://api.telegram.org` (a relay or proxy here).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        api_url: Option<String>,
    },
    /// An HTTPS endpoint that receives Standard Webhooks v1 posts.
    Webhook {
        /// Where to post (http or https; redirects are not followed).
        url: String,
        /// The signing secret, `whsec_` + base64; the server makes one when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        secret: Option<String>,
    },
    /// Mail through an SMTP server.
    Email {
        /// `smtp://host:port` (plain), `smtp+starttls://host:port` or `smtps://host:port`.
        smtp: String,
        /// The sender, e.g. `Helpdesk <helpdesk@example.com>`.
        from: String,
        /// The recipients (a list address works best).
        to: Vec<String>,
        /// SMTP user, when the server wants one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user: Option<String>,
        /// SMTP password, with `user`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        password: Option<String>,
    },
}

impl ChannelConfig {
    /// `telegram`, `webhook` or `email`.
    pub fn kind(&self) -> &'static str {
        match self {
            ChannelConfig::Telegram { .. } => "telegram",
            ChannelConfig::Webhook { .. } => "webhook",
            ChannelConfig::Email { .. } => "email",
        }
    }

    /// Where it goes, without any secret: the chat, the URL, the recipients.
    pub fn target(&self) -> String {
        match self {
            ChannelConfig::Telegram { chat, .. } => chat.clone(),
            ChannelConfig::Webhook { url, .. } => url.clone(),
            ChannelConfig::Email { to, .. } => to.join(", "),
        }
    }

    /// The least severity a channel of this kind gets by default: the backup channels
    /// (Telegram, e-mail) are for outages; webhooks get everything.
    pub fn default_min_severity(&self) -> Severity {
        match self {
            ChannelConfig::Webhook { .. } => Severity::Green,
            _ => Severity::Red,
        }
    }
}

/// `POST /api/v1/channels`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewChannel {
    /// Lower-case letters, digits and `-`, at most 64.
    pub name: String,
    /// How it is reached.
    pub config: ChannelConfig,
    /// Notices at least this severe go there; the default depends on the kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_severity: Option<Severity>,
    /// `ru` or `en` for Telegram and e-mail texts; default `ru`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Times in its texts are in UTC plus this many minutes; default 180 (Moscow).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utc_offset_minutes: Option<i32>,
    /// Also tell it about each new draft from monitoring (support's own chat); default no.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drafts: Option<bool>,
}

/// A channel as the API shows it: no secrets.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChannelInfo {
    /// Its name.
    pub name: String,
    /// `telegram`, `webhook` or `email`.
    pub kind: String,
    /// The chat, URL or recipients.
    pub target: String,
    /// Notices at least this severe go there.
    pub min_severity: Severity,
    /// The language of its texts.
    pub language: String,
    /// Times in its texts are in UTC plus this many minutes.
    pub utc_offset_minutes: i32,
    /// It is also told about new drafts from monitoring.
    #[serde(default)]
    pub drafts: bool,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it was switched off (a webhook that answered 410), if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<DateTime<Utc>>,
    /// Its latest delivery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<DeliveryInfo>,
}

/// `POST /api/v1/channels` answers with the channel and, for a webhook, its signing secret:
/// the only time it is shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreatedChannel {
    /// The channel.
    pub channel: ChannelInfo,
    /// The webhook's signing secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// `GET /api/v1/channels`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChannelList {
    /// By name.
    pub channels: Vec<ChannelInfo>,
}

/// What happened to a notice, as a channel is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    /// It was published.
    #[serde(rename = "notice.created")]
    Created,
    /// It was updated (state, severity, text, promise, window).
    #[serde(rename = "notice.updated")]
    Updated,
    /// Its wording was corrected in place.
    #[serde(rename = "notice.corrected")]
    Corrected,
    /// It was resolved, or its maintenance completed.
    #[serde(rename = "notice.resolved")]
    Resolved,
    /// It was withdrawn.
    #[serde(rename = "notice.withdrawn")]
    Withdrawn,
    /// Monitoring made a draft of it: not published, for support to look at (only to
    /// channels that asked for drafts).
    #[serde(rename = "draft.created")]
    DraftCreated,
}

impl EventKind {
    /// As the webhook's `type` says it.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "notice.created",
            EventKind::Updated => "notice.updated",
            EventKind::Corrected => "notice.corrected",
            EventKind::Resolved => "notice.resolved",
            EventKind::Withdrawn => "notice.withdrawn",
            EventKind::DraftCreated => "draft.created",
        }
    }
}

/// One event to deliver: the notice as the feed carries it after the change.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NoticeEvent {
    /// What happened.
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// When it happened.
    pub timestamp: DateTime<Utc>,
    /// The feed it happened in.
    pub feed_id: String,
    /// The feed's seq after the change.
    pub seq: u64,
    /// The notice after the change.
    pub notice: Notice,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not sent yet, or to be tried again at `next_at`.
    Pending,
    /// The channel took it.
    Sent,
    /// Given up after every try, or the channel refused it for good.
    Failed,
}

/// One delivery of one event to one channel.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryInfo {
    /// Its number; webhooks see `msg_<id>` as `webhook-id`, the same on every try.
    pub id: i64,
    /// The channel.
    pub channel: String,
    /// The notice.
    pub notice_id: String,
    /// What happened to it.
    pub event: EventKind,
    /// Where it stands.
    pub state: DeliveryState,
    /// Tries so far.
    pub tries: u32,
    /// When it was made (with the change).
    pub created_at: DateTime<Utc>,
    /// When it is tried next, while pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_at: Option<DateTime<Utc>>,
    /// When the channel took it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<DateTime<Utc>>,
    /// Why the last try failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// `GET /api/v1/deliveries`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryList {
    /// Newest first.
    pub deliveries: Vec<DeliveryInfo>,
}
