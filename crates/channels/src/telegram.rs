//! The Telegram Bot API, three methods of it: `sendMessage` (the first message about a notice,
//! and each later step as a reply to it), `editMessageText` (a correction edits the first
//! message), `getMe` (the channel test). Text is HTML with only `<`, `>` and `&` escaped.

use std::time::Duration;

use serde_json::{Value, json};
use svetofor_api::{EventKind, NoticeEvent};
use svetofor_feed::Severity;

use crate::words::{self, Lang};
use crate::{Addressed, Outcome, cause};

/// Telegram takes at most this many characters in a message.
pub const MAX_CHARS: usize = 4096;

const PUBLIC_API: &str = "https://api.telegram.org";

/// One bot.
pub struct Bot<'a> {
    http: &'a reqwest::Client,
    token: &'a str,
    base: &'a str,
}

/// Why a call failed, as the Bot API says it.
struct Failure {
    retry_after: Option<Duration>,
    /// Worth trying again (a 429, a 5xx, no answer).
    again: bool,
    description: String,
}

/// `<`, `>` and `&` escaped, as the Bot API's HTML mode wants; nothing else.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The message for `event`: the headline in bold, then the lines, cut to fit.
pub fn text(event: &NoticeEvent, lang: Lang, offset_minutes: i32) -> String {
    let m = words::message(event, lang, offset_minutes);
    let mut out = format!("<b>{}</b>", escape(&m.headline));
    for line in &m.lines {
        out.push_str("\n\n");
        out.push_str(&escape(line));
    }
    if out.chars().count() > MAX_CHARS {
        // Cut on a character, never inside an escape, and say so.
        let mut cut: String = out.chars().take(MAX_CHARS - 1).collect();
        if let Some(amp) = cut.rfind('&')
            && !cut[amp..].contains(';')
        {
            cut.truncate(amp);
        }
        if let (Some(open), close) = (cut.rfind('<'), cut.rfind('>'))
            && close.is_none_or(|c| c < open)
        {
            cut.truncate(open);
        }
        cut.push('…');
        out = cut;
    }
    out
}

impl<'a> Bot<'a> {
    pub fn new(http: &'a reqwest::Client, token: &'a str, api_url: Option<&'a str>) -> Bot<'a> {
        Bot {
            http,
            token,
            base: api_url.unwrap_or(PUBLIC_API).trim_end_matches('/'),
        }
    }

    async fn call(&self, method: &str, body: Value) -> Result<Value, Failure> {
        let url = format!("{}/bot{}/{method}", self.base, self.token);
        let resp = self
            .http
            .post(url)
            .json(&body)
            .send()
            .await
            .map_err(|e| Failure {
                retry_after: None,
                again: true,
                description: cause(e),
            })?;
        let status = resp.status();
        let answer: Value = resp.json().await.unwrap_or(Value::Null);
        if status.is_success() && answer["ok"] == true {
            return Ok(answer["result"].clone());
        }
        let description = answer["description"]
            .as_str()
            .map_or_else(|| format!("HTTP {}", status.as_u16()), str::to_owned);
        let retry_after = answer["parameters"]["retry_after"]
            .as_u64()
            .map(Duration::from_secs);
        Err(Failure {
            again: status.as_u16() == 429 || status.is_server_error() || retry_after.is_some(),
            retry_after,
            description: format!("Telegram: {description}"),
        })
    }

    /// Sends (or, for a correction, edits) the message about `event` in `chat`.
    pub async fn deliver(&self, chat: &str, event: &NoticeEvent, to: Addressed<'_>) -> Outcome {
        let text = text(event, Lang::read(to.language), to.utc_offset_minutes);
        let quiet = event.notice.severity == Severity::Green;
        let result = match (event.kind, to.thread) {
            (EventKind::Corrected, Some(first)) => {
                let body = json!({
                    "chat_id": chat, "message_id": first.parse::<i64>().unwrap_or_default(),
                    "text": text, "parse_mode": "HTML",
                });
                match self.call("editMessageText", body).await {
                    Err(f) if f.description.contains("message is not modified") => Ok(Value::Null),
                    other => other,
                }
            }
            (_, thread) => {
                let mut body = json!({
                    "chat_id": chat, "text": text, "parse_mode": "HTML",
                    "disable_notification": quiet,
                });
                if let Some(first) = thread.and_then(|t| t.parse::<i64>().ok()) {
                    body["reply_parameters"] =
                        json!({"message_id": first, "allow_sending_without_reply": true});
                }
                self.call("sendMessage", body).await
            }
        };
        match result {
            Ok(sent) => Outcome::Sent {
                // The first message is what later ones reply to; replies keep the first.
                thread: match to.thread {
                    Some(t) => Some(t.to_owned()),
                    None => sent["message_id"].as_i64().map(|id| id.to_string()),
                },
            },
            Err(f) if f.again => Outcome::Retry {
                after: f.retry_after,
                error: f.description,
            },
            Err(f) => Outcome::Refused {
                error: f.description,
                disable: false,
            },
        }
    }

    /// `getMe`: the bot's name, when the token is good.
    pub async fn me(&self) -> Result<String, String> {
        match self.call("getMe", json!({})).await {
            Ok(me) => Ok(format!(
                "the bot @{} answers",
                me["username"].as_str().unwrap_or("?")
            )),
            Err(f) => Err(f.description),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_three_characters_are_escaped() {
        assert_eq!(
            escape("<b>Сбой</b> & \"кавычки\" 'и' *звёздочки*"),
            "&lt;b&gt;Сбой&lt;/b&gt; &amp; \"кавычки\" 'и' *звёздочки*"
        );
    }
}
