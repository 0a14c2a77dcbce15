//! Channels as support's services see them: a new channel checked, a channel shown without
//! its secrets, the list with each one's latest delivery, a failed delivery sent again.

use std::sync::Arc;

use chrono::Utc;
use svetofor_api::{ChannelConfig, ChannelInfo, NewChannel};
use svetofor_feed::is_web_url;
use svetofor_store::{
    AuditAction, AuditEntry, ChannelRecord, DeliveryQuery, Store, StoreError, blocking,
};

use crate::notices::Rejected;
use crate::publisher::{PublishError, Publisher};

fn invalid(field: &str, message: impl Into<String>) -> PublishError {
    Rejected {
        field: field.to_owned(),
        message: message.into(),
        why: crate::notices::Why::ChannelField,
        value: None,
    }
    .into()
}

/// Checks a new channel and gives its record, and the webhook secret made for it.
pub fn check(req: NewChannel) -> Result<(ChannelRecord, Option<String>), PublishError> {
    let name = req.name.trim().to_owned();
    let name_ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !name_ok {
        return Err(invalid(
            "name",
            "use lower-case Latin letters, digits and -, at most 64 (e.g. \"helpdesk-telegram\")",
        ));
    }
    let mut config = req.config;
    let mut secret = None;
    match &mut config {
        ChannelConfig::Telegram {
            chat,
            bot_token,
            api_url,
        } => {
            let chat_ok = chat.starts_with('@') && chat.len() > 1
                || chat.trim_start_matches('-').parse::<i64>().is_ok();
            if !chat_ok {
                return Err(invalid("chat", "a @channelname or a numeric chat id"));
            }
            if bot_token.trim().is_empty() || bot_token.chars().any(char::is_whitespace) {
                return Err(invalid("bot_token", "the token @BotFather gave, one word"));
            }
            if api_url.as_deref().is_some_and(|u| !is_web_url(u)) {
                return Err(invalid("api_url", "an http or https address"));
            }
        }
        ChannelConfig::Webhook { url, secret: s } => {
            if !is_web_url(url) {
                return Err(invalid("url", "an http or https address"));
            }
            match s {
                Some(given) if !given.starts_with("whsec_") => {
                    return Err(invalid("secret", "whsec_ and base64, or leave it out"));
                }
                Some(_) => {}
                None => {
                    let made = svetofor_channels::new_secret()?;
                    *s = Some(made.clone());
                    secret = Some(made);
                }
            }
        }
        ChannelConfig::Email { smtp, from, to, .. } => {
            let scheme_ok = ["smtp://", "smtps://", "smtp+starttls://"]
                .iter()
                .any(|p| smtp.starts_with(p));
            if !scheme_ok {
                return Err(invalid(
                    "smtp",
                    "smtp://host:port, smtp+starttls://host:port or smtps://host:port",
                ));
            }
            if !from.contains('@') {
                return Err(invalid("from", "an address, e.g. helpdesk@example.com"));
            }
            if to.is_empty() || to.iter().any(|t| !t.contains('@')) {
                return Err(invalid("to", "one address or more"));
            }
        }
    }
    let language = match req.language.as_deref().unwrap_or("ru") {
        "ru" => "ru",
        "en" => "en",
        _ => return Err(invalid("language", "ru or en")),
    };
    let offset = req.utc_offset_minutes.unwrap_or(180);
    if !(-14 * 60..=14 * 60).contains(&offset) {
        return Err(invalid("utc_offset_minutes", "between -840 and 840"));
    }
    let record = ChannelRecord {
        name,
        min_severity: req
            .min_severity
            .unwrap_or_else(|| config.default_min_severity()),
        config,
        language: language.to_owned(),
        utc_offset_minutes: offset,
        drafts: req.drafts.unwrap_or(false),
        created_at: Utc::now(),
        disabled_at: None,
    };
    Ok((record, secret))
}

/// A channel as shown: no secrets.
pub fn info(c: &ChannelRecord, last: Option<svetofor_api::DeliveryInfo>) -> ChannelInfo {
    ChannelInfo {
        name: c.name.clone(),
        kind: c.config.kind().to_owned(),
        target: c.config.target(),
        min_severity: c.min_severity,
        language: c.language.clone(),
        utc_offset_minutes: c.utc_offset_minutes,
        drafts: c.drafts,
        created_at: c.created_at,
        disabled_at: c.disabled_at,
        last,
    }
}

/// Every channel with its latest delivery.
pub async fn channel_list(store: &Arc<dyn Store>) -> Result<Vec<ChannelInfo>, StoreError> {
    let store = store.clone();
    blocking(move || {
        let mut out = vec![];
        for c in store.channels()? {
            let last = store
                .deliveries(&DeliveryQuery {
                    channel: Some(c.name.clone()),
                    limit: 1,
                    ..DeliveryQuery::default()
                })?
                .into_iter()
                .next();
            out.push(info(&c, last));
        }
        Ok(out)
    })
    .await
}

/// Makes a failed delivery pending again and wakes the outbox (the console's "send again").
pub async fn send_again(publisher: &Publisher, id: i64, actor: String) -> Result<bool, StoreError> {
    let a = AuditEntry::new(
        actor,
        AuditAction::DeliveryRetry,
        Some(&id.to_string()),
        serde_json::Value::Null,
    );
    let store = publisher.store().clone();
    let done = blocking(move || store.retry_delivery(id, Utc::now(), &a)).await?;
    if done {
        publisher.outbox.notify_one();
    }
    Ok(done)
}
